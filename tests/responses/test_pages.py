"""Who may open which phiếu page, and what the list, the detail and the download show."""
from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from surveys.accounts import roles
from surveys.models import AuditEntry, Channel
from surveys.responses import services
from surveys.responses.importing import column_codes, read_workbook
from surveys.selectors import load_definition

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def urls(survey_round, response) -> dict[str, str]:
    code = survey_round.code
    return {
        "list": reverse("surveys:response_list", args=[code]),
        "xlsx": reverse("surveys:response_list_xlsx", args=[code]),
        "create": reverse("surveys:response_create", args=[code]),
        "detail": reverse("surveys:response_detail", args=[code, response.pk]),
        "edit": reverse("surveys:response_edit", args=[code, response.pk]),
    }


@pytest.fixture
def saved(langson_round, entry_officer, record):
    return record(entry_officer, "STP-0001")


def test_anonymous_visitors_are_sent_to_the_login_page(client, langson_round, saved):
    for name, url in urls(langson_round, saved).items():
        page = client.get(url)
        assert page.status_code == 302, name
        assert page["Location"].startswith("/dang-nhap/"), name
    assert client.post(urls(langson_round, saved)["create"], {})["Location"].startswith("/dang-nhap/")


def test_a_supervisor_reads_but_cannot_enter_or_edit(client, langson_round, saved, supervisor):
    client.force_login(supervisor)
    pages = urls(langson_round, saved)
    list_html = client.get(pages["list"]).content.decode()
    assert "STP-0001" in list_html
    assert "Nhập phiếu mới" not in list_html
    detail = client.get(pages["detail"])
    assert detail.status_code == 200
    assert pages["edit"] not in detail.content.decode()
    assert client.get(pages["xlsx"]).status_code == 200
    assert client.get(pages["create"]).status_code == 403
    assert client.get(pages["edit"]).status_code == 403
    assert client.post(pages["create"], {}).status_code == 403
    assert client.post(pages["edit"], {}).status_code == 403


@pytest.mark.parametrize("role", [roles.AGENCY, roles.LEADER])
def test_agency_and_leader_users_have_no_questionnaire_pages(client, langson_round, saved, make_user, role):
    user = make_user("nguoidung", role, agency="STP")
    client.force_login(user)
    for name, url in urls(langson_round, saved).items():
        assert client.get(url).status_code in (403, 404), name
    assert client.post(urls(langson_round, saved)["create"], {}).status_code == 403


def test_an_entry_officer_without_an_agency_left_to_enter_gets_403_on_create(client, langson_round, make_user):
    user = make_user("chinhminh", roles.ENTRY, agency="SNV", entry_agencies=["SNV"])  # only their own
    client.force_login(user)
    assert client.get(reverse("surveys:response_create", args=[langson_round.code])).status_code == 403
    list_html = client.get(reverse("surveys:response_list", args=[langson_round.code])).content.decode()
    assert "Nhập phiếu mới" not in list_html


def test_an_unknown_round_or_questionnaire_is_404(client, langson_round, saved, staff_user):
    client.force_login(staff_user)
    assert client.get(reverse("surveys:response_list", args=["KHONG-CO"])).status_code == 404
    assert client.get(reverse("surveys:response_detail", args=[langson_round.code, saved.pk + 1000])).status_code == 404


def test_the_list_shows_the_columns_and_filters(client, langson_round, entry_officer, staff_user, record):
    record(entry_officer, "STP-0001")
    record(entry_officer, "STP-0002")
    record(staff_user, "SNV-0001", agency="SNV")
    client.force_login(staff_user)
    url = reverse("surveys:response_list", args=[langson_round.code])
    page = client.get(url)
    html = page.content.decode()
    for heading in ("Mã phiếu", "Cơ quan", "Lĩnh vực", "Kênh", "Ngày khảo sát", "Người nhập", "Nhập lúc"):
        assert f">{heading}</th>" in html, heading
    assert "05/10/2022" in html
    assert "Trần Thị Nhập" in html
    assert "Sở Tư pháp" in html
    assert Channel.TRUC_TIEP.label in html
    assert "Nhập phiếu mới" in html
    assert page.context["page"].paginator.count == 3
    assert client.get(url, {"co_quan": "SNV"}).context["page"].paginator.count == 1
    assert client.get(url, {"q": "stp-000"}).context["page"].paginator.count == 2
    assert client.get(url, {"kenh": "EMAIL"}).context["page"].paginator.count == 0
    assert client.get(url, {"co_quan": "KHONG-CO", "page": "x"}).status_code == 200  # bad filters ignored


def test_the_list_is_paginated_by_50(client, langson_round, staff_user, record):
    for i in range(51):
        record(staff_user, f"STP-{i:04d}")
    client.force_login(staff_user)
    url = reverse("surveys:response_list", args=[langson_round.code])
    first = client.get(url, {"q": "STP"})
    assert len(first.context["page"].object_list) == 50
    assert "q=STP&amp;page=2" in first.content.decode()
    assert len(client.get(url, {"q": "STP", "page": 2}).context["page"].object_list) == 1


def test_the_detail_shows_every_question_with_its_option_labels(client, langson_round, saved, supervisor):
    client.force_login(supervisor)
    html = client.get(reverse("surveys:response_detail", args=[langson_round.code, saved.pk])).content.decode()
    assert "STP-0001" in html
    assert "Sở Tư pháp" in html
    assert "05/10/2022" in html
    assert "Trụ sở cơ quan/Bộ phận tiếp nhận và trả kết quả gọn gàng" in html  # C1.1 text
    assert "3 — Bình thường" in html  # C1.1 = 3
    assert "1 — Trực tiếp tại trụ sở cơ quan" in html and "3 — Người thân, bạn bè" in html  # B1 = 1;3
    assert "Công chức nhiệt tình" in html  # D2
    assert html.count("không áp dụng") == 5  # B5 (B4 = 2) and C5.1–C5.4 (B7 = 2)
    assert "Nhật ký của phiếu" in html


def test_the_detail_has_an_edit_button_for_those_who_may_edit(client, langson_round, saved, entry_officer, staff_user):
    edit = reverse("surveys:response_edit", args=[langson_round.code, saved.pk])
    detail = reverse("surveys:response_detail", args=[langson_round.code, saved.pk])
    for user in (entry_officer, staff_user):
        client.force_login(user)
        assert edit in client.get(detail).content.decode()


def test_the_download_has_the_import_columns_and_only_the_visible_questionnaires(
    client, langson_round, entry_officer, other_officer, record
):
    record(entry_officer, "STP-0001", D2="=HYPERLINK(\"http://x\")")
    record(other_officer, "STP-0002")
    client.force_login(entry_officer)
    page = client.get(reverse("surveys:response_list_xlsx", args=[langson_round.code]))
    assert page.status_code == 200
    assert page["Content-Type"] == XLSX
    assert 'filename="phieu-LS-2022.xlsx"' in page["Content-Disposition"]
    workbook = openpyxl.load_workbook(BytesIO(page.content))
    assert workbook.sheetnames == ["Phieu", "Thong_tin"]
    rows = list(workbook["Phieu"].iter_rows(values_only=True))
    header = rows[0]
    assert header == column_codes(load_definition(langson_round.questionnaire))
    assert [r[0] for r in rows[1:]] == ["STP-0001"]
    row = dict(zip(header, rows[1], strict=True))
    assert row["ma_co_quan"] == "STP"
    assert row["C1.1"] == 3
    assert row["B1"] == "1;3"
    assert row["C5.1"] is None
    assert row["D2"].startswith("'=")  # formula neutralised
    assert row["ngay_khao_sat"].strftime("%d/%m/%Y") == "05/10/2022"
    # The “Phieu” sheet is an import workbook as it stands (here checked as if for an empty round).
    context = services.build_import_context(langson_round, load_definition(langson_round.questionnaire))
    context.existing_serials.clear()
    parsed, errors = read_workbook(BytesIO(page.content), context)
    assert not errors, [str(e) for e in errors]
    assert parsed[0].answers["B1"] == frozenset({1, 3}) and parsed[0].answers["C1.1"] == 3
    info = list(workbook["Thong_tin"].iter_rows(values_only=True))
    assert info[1][0] == "STP-0001" and "Trần Thị Nhập" in info[1]
    assert AuditEntry.objects.filter(action="tải danh sách phiếu", actor=entry_officer).exists()


def test_the_download_follows_the_filters(client, langson_round, staff_user, record):
    record(staff_user, "STP-0001")
    record(staff_user, "SNV-0001", agency="SNV")
    client.force_login(staff_user)
    page = client.get(reverse("surveys:response_list_xlsx", args=[langson_round.code]), {"co_quan": "SNV"})
    rows = list(openpyxl.load_workbook(BytesIO(page.content))["Phieu"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["SNV-0001"]


def test_the_pages_keep_to_the_content_security_policy(client, langson_round, saved, staff_user):
    client.force_login(staff_user)
    for name in ("list", "detail", "create", "edit"):
        html = client.get(urls(langson_round, saved)[name]).content.decode()
        assert "<script>" not in html and " style=" not in html and "onclick" not in html, name
