"""Nhập kép pages: the queue, the blind second entry, the side-by-side resolution, rates."""
from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from surveys.models import Response, SecondEntry, Verification
from surveys.responses import double_entry
from tests.responses.conftest import form_data, parsed_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(langson_round, entry_officer, record):
    langson_round.double_entry_percent = 100
    langson_round.save(update_fields=["double_entry_percent"])
    return record(entry_officer, "STP-0001")


def url(name, survey_round, *args):
    return reverse(f"surveys:{name}", args=[survey_round.code, *args])


def test_the_queue_lists_it_for_another_officer_but_not_the_first(client, langson_round, pending, entry_officer,
                                                                   other_officer):
    client.force_login(other_officer)
    assert "STP-0001" in client.get(url("second_entry_queue", langson_round)).content.decode()
    client.force_login(entry_officer)
    page = client.get(url("second_entry_queue", langson_round)).content.decode()
    assert "STP-0001" not in page and "1 phiếu bạn nhập lần đầu đang chờ" in page
    assert client.get(url("second_entry", langson_round, pending.pk)).status_code == 403


def test_the_second_entry_form_is_blind_and_an_equal_entry_verifies(client, langson_round, pending, other_officer):
    client.force_login(other_officer)
    page = client.get(url("second_entry", langson_round, pending.pk))
    body = page.content.decode()
    assert "Công chức nhiệt tình" not in body  # nothing of the first entry is shown
    assert 'name="ma_phieu"' in body and "disabled" in body
    data = form_data(langson_round, ma_phieu="GIẢ-MẠO")  # the serial is not taken from the post
    done = client.post(url("second_entry", langson_round, pending.pk), data, follow=True)
    assert "khớp với lần đầu" in done.content.decode()
    assert Response.objects.get(pk=pending.pk).verification == Verification.VERIFIED
    assert not Response.objects.filter(ma_phieu="GIẢ-MẠO").exists()


def test_a_difference_is_shown_side_by_side_and_resolved_by_staff(
    client, langson_round, pending, other_officer, staff_user, supervisor
):
    client.force_login(other_officer)
    client.post(url("second_entry", langson_round, pending.pk), form_data(langson_round, C3_2="2"))
    assert Response.objects.get(pk=pending.pk).verification == Verification.MISMATCH

    client.force_login(supervisor)  # reads, cannot resolve
    view = client.get(url("mismatch_resolve", langson_round, pending.pk)).content.decode()
    assert "4 — Hài lòng" in view and "2 — Không hài lòng" in view and 'type="radio"' not in view
    assert client.post(url("mismatch_resolve", langson_round, pending.pk), {"chon_C3.2": "1"}).status_code == 403

    client.force_login(staff_user)
    assert "STP-0001" in client.get(url("mismatch_list", langson_round)).content.decode()
    missing = client.post(url("mismatch_resolve", langson_round, pending.pk), {})
    assert "Hãy chọn giá trị đúng theo phiếu giấy cho: C3.2." in missing.content.decode()
    done = client.post(url("mismatch_resolve", langson_round, pending.pk), {"chon_C3.2": "1", "ghi_chu": "Giấy ghi 4"})
    assert done.status_code == 302
    resolved = Response.objects.get(pk=pending.pk)
    assert resolved.verification == Verification.VERIFIED
    assert resolved.answers.get(question__code="C3.2").value == 4
    export = load_workbook(BytesIO(client.get(url("agreement_xlsx", langson_round)).content))
    rows = list(export["Theo_can_bo"].iter_rows(min_row=2, values_only=True))
    assert {r[0]: (r[1], r[4]) for r in rows} == {"Trần Thị Nhập": (1, 0), "Lê Văn Khác": (1, 0)}
    per_question = {r[0]: r[3] for r in export["Theo_cau_hoi"].iter_rows(min_row=2, values_only=True)}
    assert per_question["C3.2"] == 1 and per_question["C3.1"] == 0


def test_rates_page_and_mismatch_export(client, langson_round, pending, other_officer, staff_user):
    double_entry.record_second_entry(response=pending, row=parsed_row(langson_round, agency="STP",
                                     ma_phieu="STP-0001", A2="4"), entered_by=other_officer)
    client.force_login(staff_user)
    page = client.get(url("agreement", langson_round)).content.decode()
    assert "Lê Văn Khác" in page and "0,00%" in page
    sheet = load_workbook(BytesIO(client.get(url("mismatch_list_xlsx", langson_round)).content))["Khac_biet"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows == [("STP-0001", "STP", rows[0][2], "A2", "3 — Từ 35 đến 44", "4 — Từ 45 đến 54",
                     "Trần Thị Nhập", "Lê Văn Khác")]
    assert SecondEntry.objects.count() == 1


def test_the_round_page_counts_waiting_and_differing_questionnaires(client, langson_round, pending, other_officer,
                                                                    staff_user, record, entry_officer):
    record(entry_officer, "STP-0002", C1_1="5")  # also drawn: waits
    double_entry.record_second_entry(response=pending, row=parsed_row(langson_round, agency="STP",
                                     ma_phieu="STP-0001", A2="4"), entered_by=other_officer)
    client.force_login(staff_user)
    page = client.get(reverse("surveys:round_overview", args=[langson_round.code])).content.decode()
    assert "Chờ nhập lần hai (cả đợt): <strong>1</strong>" in page
    assert "Khác biệt chờ đối chiếu: <strong>1</strong>" in page
    client.force_login(other_officer)
    page = client.get(reverse("surveys:round_overview", args=[langson_round.code])).content.decode()
    assert "Chờ tôi nhập lần hai: <strong>1</strong>" in page  # STP-0002, keyed by someone else


def test_staff_who_may_key_it_again_do_not_see_the_first_entry(client, langson_round, pending, staff_user,
                                                                entry_officer):
    detail = reverse("surveys:response_detail", args=[langson_round.code, pending.pk])
    client.force_login(staff_user)  # may key STP questionnaires: a possible second officer
    page = client.get(detail).content.decode()
    assert "câu trả lời của lần nhập đầu được ẩn" in page and "Công chức nhiệt tình" not in page
    client.force_login(entry_officer)  # the first officer sees what they keyed
    page = client.get(detail).content.decode()
    assert "Công chức nhiệt tình" in page and "được ẩn" not in page
