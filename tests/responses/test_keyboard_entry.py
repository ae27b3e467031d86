"""The keyboard-first entry page: its data for the script, typed codes, quota count and
enforcement, the officer's own list."""
from __future__ import annotations

import html
import json
import re

import pytest
from django.urls import reverse

from surveys.models import AuditEntry, Response, RoundAgencyDomain, Verification

from .conftest import domain_of, form_data

pytestmark = pytest.mark.django_db


def create_url(survey_round) -> str:
    return reverse("surveys:response_create", args=[survey_round.code])


def entry_json(page) -> dict:
    match = re.search(r'data-entry="([^"]*)"', page.content.decode())
    assert match, "the form carries the questionnaire for paper-entry.js"
    return json.loads(html.unescape(match.group(1)))


def test_the_form_carries_the_definition_gates_and_quota_counts(client, langson_round, entry_officer, record):
    record(entry_officer, "STP-0001")
    client.force_login(entry_officer)
    page = client.get(create_url(langson_round))
    body = page.content.decode()
    data = entry_json(page)
    questions = {q["code"]: q for q in data["questions"]}
    assert questions["C5.1"]["gate"] == "B7" and questions["C5.1"]["gateValues"] == [1]
    assert questions["B5"]["gate"] == "B4" and questions["B5"]["gateValues"] == [3]
    assert questions["B1"]["kind"] == "multi" and questions["B1"]["max"] == 6
    assert questions["C1.1"]["criterion"] is True and questions["C1.1"]["options"] == [1, 2, 3, 4, 5]
    assert list(data["agencyDomains"]) == ["STP"]  # SNV is the officer's own agency
    domain = domain_of(langson_round, "STP")
    quota = RoundAgencyDomain.objects.get(round=langson_round, agency__code="STP", domain__code=domain).quota
    assert data["quotas"][f"STP/{domain}"] == [1, quota]
    assert data["enforceQuota"] is False
    assert 'src="/static/js/paper-entry.js"' in body
    assert 'list="ds-co-quan"' in body and '<option value="STP">' in body
    assert 'name="kenh"' in body and '<option value="TRUC_TIEP" selected>' in body


def test_codes_typed_in_lower_case_and_options_separated_by_spaces_are_read(client, langson_round, entry_officer):
    client.force_login(entry_officer)
    data = form_data(langson_round, ma_phieu="STP-0100", B1="1 3", D1="2,3")
    data["ma_co_quan"] = "stp"
    data["ma_linh_vuc"] = data["ma_linh_vuc"].lower()
    page = client.post(create_url(langson_round), {**data, "luu_tiep": "1"})
    saved = Response.objects.get(ma_phieu="STP-0100")
    assert sorted(saved.answers.filter(question__code="B1").values_list("value", flat=True)) == [1, 3]
    assert sorted(saved.answers.filter(question__code="D1").values_list("value", flat=True)) == [2, 3]
    # “Lưu và nhập phiếu tiếp” (the script's Enter on the last field) returns to a new form
    # keeping the batch's details, the cursor on the serial.
    assert page.status_code == 302 and page["Location"].startswith(create_url(langson_round) + "?")
    again = client.get(page["Location"])
    assert 'value="STP"' in again.content.decode()
    assert re.search(r'name="ma_phieu"[^>]*autofocus', again.content.decode())
    assert "Đã lưu phiếu STP-0100." in again.content.decode()


def test_an_invalid_option_is_named_and_nothing_is_saved(client, langson_round, entry_officer):
    client.force_login(entry_officer)
    page = client.post(create_url(langson_round), form_data(langson_round, ma_phieu="STP-0101", C2_3="7"))
    assert page.status_code == 200
    assert "Không có phương án 7 (chỉ có 1–5)" in page.content.decode()
    assert not Response.objects.filter(ma_phieu="STP-0101").exists()


def test_quota_enforced_refuses_the_questionnaire_over_quota(client, langson_round, entry_officer, record):
    domain = domain_of(langson_round, "STP")
    RoundAgencyDomain.objects.filter(round=langson_round, agency__code="STP", domain__code=domain).update(quota=1)
    langson_round.enforce_quota = True
    langson_round.save(update_fields=["enforce_quota"])
    record(entry_officer, "STP-0001")
    client.force_login(entry_officer)
    page = client.post(create_url(langson_round), form_data(langson_round, ma_phieu="STP-0002"))
    assert page.status_code == 200
    expected = (f"Cơ quan STP, lĩnh vực {domain} đã đủ chỉ tiêu (1/1 phiếu); đợt LS-2022 không nhận phiếu "
                "vượt chỉ tiêu")
    assert expected in page.content.decode()
    assert not Response.objects.filter(ma_phieu="STP-0002").exists()
    assert not AuditEntry.objects.filter(action="nhập phiếu", target_repr="STP-0002").exists()


def test_quota_not_enforced_accepts_beyond_quota(client, langson_round, entry_officer, record):
    domain = domain_of(langson_round, "STP")
    RoundAgencyDomain.objects.filter(round=langson_round, agency__code="STP", domain__code=domain).update(quota=1)
    record(entry_officer, "STP-0001")
    record(entry_officer, "STP-0002", C1_1="5")
    assert Response.objects.filter(agency__code="STP").count() == 2


def test_an_edit_in_the_same_agency_and_domain_is_not_refused_by_the_quota(
    client, langson_round, entry_officer, record
):
    domain = domain_of(langson_round, "STP")
    RoundAgencyDomain.objects.filter(round=langson_round, agency__code="STP", domain__code=domain).update(quota=1)
    langson_round.enforce_quota = True
    langson_round.save(update_fields=["enforce_quota"])
    saved = record(entry_officer, "STP-0001")
    client.force_login(entry_officer)
    page = client.post(reverse("surveys:response_edit", args=[langson_round.code, saved.pk]),
                       form_data(langson_round, ma_phieu="STP-0001", C1_1="5"))
    assert page.status_code == 302
    assert Response.objects.get(pk=saved.pk).answers.get(question__code="C1.1").value == 5


def test_my_list_shows_only_my_questionnaires_with_edit_while_open(
    client, langson_round, entry_officer, other_officer, record
):
    mine = record(entry_officer, "STP-0001")
    record(other_officer, "STP-0002", C1_1="5")
    client.force_login(entry_officer)
    page = client.get(reverse("surveys:my_responses", args=[langson_round.code]))
    body = page.content.decode()
    assert "STP-0001" in body and "STP-0002" not in body
    assert reverse("surveys:response_edit", args=[langson_round.code, mine.pk]) in body
    export = client.get(reverse("surveys:response_list_xlsx", args=[langson_round.code]) + "?cua_toi=1")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(export.content)).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["STP-0001"]
    langson_round.status = "closed"
    langson_round.save(update_fields=["status"])
    closed = client.get(reverse("surveys:my_responses", args=[langson_round.code])).content.decode()
    assert reverse("surveys:response_edit", args=[langson_round.code, mine.pk]) not in closed


def test_a_drawn_questionnaire_says_so_after_saving(client, langson_round, entry_officer):
    langson_round.double_entry_percent = 100
    langson_round.save(update_fields=["double_entry_percent"])
    client.force_login(entry_officer)
    page = client.post(create_url(langson_round), form_data(langson_round, ma_phieu="STP-0300"), follow=True)
    assert "Phiếu được chọn để nhập lần hai" in page.content.decode()
    assert Response.objects.get(ma_phieu="STP-0300").verification == Verification.PENDING
