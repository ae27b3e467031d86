"""Entering and editing a questionnaire on the paper-form page (phiếu)."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from indexes.models import IndexResult, Scope
from indexes.services import recompute_round
from surveys.models import AuditEntry, Response, RoundStatus

from .conftest import form_data

pytestmark = pytest.mark.django_db


def create_url(survey_round) -> str:
    return reverse("surveys:response_create", args=[survey_round.code])


def detail_url(response) -> str:
    return reverse("surveys:response_detail", args=[response.round.code, response.pk])


def edit_url(response) -> str:
    return reverse("surveys:response_edit", args=[response.round.code, response.pk])


def post_entry(client, survey_round, **kwargs):
    return client.post(create_url(survey_round), form_data(survey_round, **kwargs))


# --------------------------------------------------------------------------- segregation of duties
def test_entry_officer_is_offered_the_assigned_agencies_but_not_their_own(client, langson_round, entry_officer):
    assert langson_round.segregate_duties
    client.force_login(entry_officer)
    html = client.get(create_url(langson_round)).content.decode()
    assert 'value="STP"' in html
    assert 'value="SNV"' not in html
    assert "Nhập phiếu mới" in html


def test_entry_officer_saves_a_questionnaire_for_an_assigned_agency(client, langson_round, entry_officer):
    client.force_login(entry_officer)
    page = post_entry(client, langson_round, agency="STP", ma_phieu="STP-0001")
    saved = Response.objects.get(round=langson_round, ma_phieu="STP-0001")
    assert page.status_code == 302
    assert page["Location"] == detail_url(saved)
    assert saved.agency.code == "STP"
    assert saved.entered_by == entry_officer
    assert saved.answers.filter(question__code="B1").count() == 2  # “1;3”
    assert saved.answers.get(question__code="D2").text == "Công chức nhiệt tình"
    entry = AuditEntry.objects.get(action="nhập phiếu", target_id=str(saved.pk))
    assert entry.actor == entry_officer
    shown = client.get(page["Location"]).content.decode()
    assert "Đã lưu phiếu STP-0001" in shown


def test_a_forged_post_for_the_officers_own_agency_is_refused(client, langson_round, entry_officer):
    client.force_login(entry_officer)
    before = Response.objects.count()
    page = post_entry(client, langson_round, agency="SNV", ma_phieu="SNV-0001")
    assert page.status_code == 200
    errors = page.context["form"].errors["ma_co_quan"]
    assert any("phân tách nhiệm vụ" in e and "SNV" in e for e in errors), errors
    assert "phân tách nhiệm vụ" in page.content.decode()
    assert Response.objects.count() == before
    assert not AuditEntry.objects.filter(action="nhập phiếu").exists()


def test_a_forged_post_for_an_agency_not_assigned_is_refused(client, langson_round, entry_officer):
    client.force_login(entry_officer)
    before = Response.objects.count()
    page = post_entry(client, langson_round, agency="SCT", ma_phieu="SCT-0001")
    assert page.status_code == 200
    assert "không được giao nhập phiếu" in " ".join(page.context["form"].errors["ma_co_quan"])
    assert Response.objects.count() == before


def test_without_segregation_the_own_agency_is_offered(client, langson_round, entry_officer):
    langson_round.segregate_duties = False
    langson_round.save()
    client.force_login(entry_officer)
    assert 'value="SNV"' in client.get(create_url(langson_round)).content.decode()
    assert post_entry(client, langson_round, agency="SNV", ma_phieu="SNV-0001").status_code == 302


# --------------------------------------------------------------------------- scoping of list, detail, edit
def test_entry_officer_lists_only_the_questionnaires_they_entered(
    client, langson_round, entry_officer, other_officer, record
):
    mine = record(entry_officer, "STP-0001")
    theirs = record(other_officer, "STP-0002")
    client.force_login(entry_officer)
    page = client.get(reverse("surveys:response_list", args=[langson_round.code]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "STP-0001" in html and detail_url(mine) in html
    assert "STP-0002" not in html and detail_url(theirs) not in html
    assert list(page.context["page"].object_list) == [mine]


def test_another_officers_questionnaire_is_404_by_guessing_the_id(
    client, langson_round, entry_officer, other_officer, record
):
    theirs = record(other_officer, "STP-0002")
    client.force_login(entry_officer)
    assert client.get(detail_url(theirs)).status_code == 404
    assert client.get(edit_url(theirs)).status_code == 404
    before = AuditEntry.objects.count()
    response = client.post(edit_url(theirs), form_data(langson_round, ma_phieu="STP-0002", C1_1="5"))
    assert response.status_code == 404
    assert AuditEntry.objects.count() == before
    assert theirs.answers.get(question__code="C1.1").value == 3


def test_entry_officer_edits_their_own_questionnaire(client, langson_round, entry_officer, record):
    mine = record(entry_officer, "STP-0001")
    client.force_login(entry_officer)
    page = client.post(edit_url(mine), form_data(langson_round, ma_phieu="STP-0001", C1_1="4"))
    assert page.status_code == 302
    assert mine.answers.get(question__code="C1.1").value == 4


# --------------------------------------------------------------------------- rules, on the right field
@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"C1_1": "7"}, "C1.1", "Không có phương án 7"),
        ({"C5_2": "4"}, "C5.2", "Chỉ trả lời khi B7 = 1"),  # B7 = 2 in the base answers
        ({"B4": "2", "B5": "1"}, "B5", "Chỉ trả lời khi B4 = 3"),
        ({"C1_1": "ba"}, "C1.1", "không phải là số phương án"),
        ({"B1": "1;x"}, "B1", "cách nhau bởi dấu ;"),
        ({"D1": "1;2;3;4"}, "D1", "chọn tối đa 3"),
        ({"ngay_khao_sat": "31/02/2022"}, "ngay_khao_sat", "không phải ngày dạng dd/mm/yyyy"),
        ({"ma_phieu": ""}, "ma_phieu", "Hãy nhập mã phiếu"),
    ],
)
def test_a_wrong_answer_is_shown_on_its_field_and_nothing_is_saved(
    client, langson_round, entry_officer, answers, field, message
):
    client.force_login(entry_officer)
    before = (Response.objects.count(), AuditEntry.objects.filter(action="nhập phiếu").count())
    page = post_entry(client, langson_round, **answers)
    assert page.status_code == 200
    form = page.context["form"]
    assert field in form.errors, form.errors
    assert any(message.lower() in e.lower() for e in form.errors[field]), form.errors[field]
    html = page.content.decode()
    assert "Phiếu chưa được lưu" in html
    assert "is-invalid" in html
    assert (Response.objects.count(), AuditEntry.objects.filter(action="nhập phiếu").count()) == before


def test_a_reused_serial_is_shown_on_the_serial_field(client, langson_round, entry_officer, record):
    record(entry_officer, "STP-0001")
    client.force_login(entry_officer)
    before = Response.objects.count()
    page = post_entry(client, langson_round, ma_phieu="STP-0001")
    assert page.status_code == 200
    assert any("đã có trong đợt LS-2022" in e for e in page.context["form"].errors["ma_phieu"])
    assert Response.objects.count() == before


def test_a_domain_the_agency_does_not_survey_is_shown_on_the_domain_field(client, langson_round, entry_officer):
    from .conftest import domain_of

    client.force_login(entry_officer)
    data = form_data(langson_round, agency="STP")
    data["ma_linh_vuc"] = domain_of(langson_round, "SNV")
    page = client.post(create_url(langson_round), data)
    assert any("không khảo sát lĩnh vực" in e for e in page.context["form"].errors["ma_linh_vuc"])
    assert not Response.objects.exists()


def test_a_questionnaire_without_satisfaction_answers_is_a_form_error(client, langson_round, entry_officer):
    client.force_login(entry_officer)
    blanks = {code.replace(".", "_"): None for code in form_data(langson_round) if code.startswith("C")}
    page = post_entry(client, langson_round, **blanks)
    assert any("không có câu trả lời nào về mức độ hài lòng" in e for e in page.context["form"].non_field_errors())
    assert not Response.objects.exists()


def test_a_round_that_is_not_collecting_refuses_the_entry_with_a_message(client, langson_round, entry_officer):
    langson_round.status = RoundStatus.CLOSED
    langson_round.save()
    client.force_login(entry_officer)
    assert "Đã đóng" in client.get(create_url(langson_round)).content.decode()
    page = post_entry(client, langson_round)
    assert any("chỉ nhận phiếu khi đợt" in e for e in page.context["form"].non_field_errors())
    assert not Response.objects.exists()


def test_save_and_continue_keeps_the_batch_details(client, langson_round, entry_officer):
    client.force_login(entry_officer)
    data = form_data(langson_round, agency="STP", ma_phieu="STP-0001")
    page = client.post(create_url(langson_round), {**data, "luu_tiep": "1"})
    assert page.status_code == 302
    assert page["Location"].startswith(create_url(langson_round) + "?")
    html = client.get(page["Location"]).content.decode()
    assert "Đã lưu phiếu STP-0001" in html
    assert 'value="05/10/2022"' in html
    # The agency is typed by code (a text input with a type-ahead list), kept for the batch.
    assert re.search(r'<input type="text" name="ma_co_quan" value="STP"', html), html


# --------------------------------------------------------------------------- the form itself
def test_the_form_lists_every_question_in_order_with_its_options(client, langson_round, entry_officer):
    client.force_login(entry_officer)
    html = client.get(create_url(langson_round)).content.decode()
    assert "A. Thông tin chung (về người trả lời)" in html
    assert "1 Nam · 2 Nữ" in html
    positions = [html.index(f'name="{code}"') for code in ("A1", "B7", "C1.1", "C5.4", "D1", "D2")]
    assert positions == sorted(positions)
    assert 'inputmode="numeric"' in html
    assert "<textarea" in html and 'name="D2"' in html
    assert "Chỉ trả lời khi B7 = 1" in html
    assert "<script>" not in html and " style=" not in html  # CSP: no inline script or style


# --------------------------------------------------------------------------- editing by Sở Nội vụ staff
def test_staff_edit_is_audited_shown_to_the_supervisor_and_moves_the_indexes(
    client, langson_round, entry_officer, staff_user, supervisor, record, django_capture_on_commit_callbacks
):
    response = record(entry_officer, "STP-0001")
    record(entry_officer, "STP-0002", C1_1="4")
    recompute_round(round_id=langson_round.pk, force=True)
    province = IndexResult.objects.get(round=langson_round, scope=Scope.PROVINCE)
    assert province.criteria_n["C1.1"] == 2
    assert province.criteria["C1.1"] == pytest.approx(50.0)

    client.force_login(staff_user)
    edit_page = client.get(edit_url(response)).content.decode()
    assert 'name="C1.1" value="3"' in edit_page
    assert 'name="B1" value="1;3"' in edit_page  # B1, multi-choice, pre-filled as typed
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(edit_url(response), form_data(langson_round, ma_phieu="STP-0001", C1_1="5"))
    assert page.status_code == 302 and page["Location"] == detail_url(response)

    entry = AuditEntry.objects.get(action="sửa phiếu", target_id=str(response.pk))
    assert entry.actor == staff_user
    assert entry.actor_name == "Nguyễn Văn Sửa"
    assert entry.round_code == langson_round.code
    assert entry.before["tra_loi"]["C1.1"] == 3
    assert entry.after["tra_loi"]["C1.1"] == 5
    assert entry.before["tra_loi"]["C1.2"] == entry.after["tra_loi"]["C1.2"] == 4

    province = IndexResult.objects.get(round=langson_round, scope=Scope.PROVINCE)
    assert province.criteria_n["C1.1"] == 2
    assert province.criteria["C1.1"] == pytest.approx(100.0)
    langson_round.refresh_from_db()
    assert not langson_round.is_stale

    client.force_login(supervisor)
    audit_page = client.get(reverse("audit:audit_list"), {"hanh_dong": "sửa phiếu"})
    html = audit_page.content.decode()
    assert audit_page.status_code == 200
    assert "C1.1" in html
    assert '<span class="audit-old">3</span> → <span class="audit-new">5</span>' in html
    assert "Nguyễn Văn Sửa" in html
    assert "STP-0001" in html


def test_edit_prefills_the_stored_answers(client, langson_round, staff_user, entry_officer, record):
    response = record(entry_officer, "STP-0001")
    client.force_login(staff_user)
    form = client.get(edit_url(response)).context["form"]
    assert form.initial["C1.1"] == "3"
    assert form.initial["B1"] == "1;3"
    assert form.initial["D2"] == "Công chức nhiệt tình"
    assert form.initial["ngay_khao_sat"] == "05/10/2022"
    assert form.initial["ma_co_quan"] == "STP"
    assert "C5.1" not in form.initial or form.initial["C5.1"] == ""
