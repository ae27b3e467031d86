"""Who may see and do what (phân quyền), end to end through the pages: every decision comes
from surveys.accounts.access, and the index page and both downloads show the same rows."""
from __future__ import annotations

import functools
import io
import json
from urllib.parse import unquote

import openpyxl
import pytest
from django.urls import reverse

from indexes.exports import SCOPE_LABELS
from indexes.models import IndexResult, Scope
from sipas_portal.formatting import format_percent
from surveys.accounts import roles
from surveys.models import Response, RoundStatus, SurveyRound

from .conftest import sample_path
from .users import make_user

pytestmark = pytest.mark.django_db

TPLS_AGENCIES = {"TPLS", "TPLS-01", "TPLS-02", "TPLS-03", "TPLS-04", "TPLS-05"}


def login(client, user):
    client.force_login(user)
    return client


def expected_rows(survey_round: SurveyRound, agencies: set[str], districts: set[str]) -> set[tuple[str, str]]:
    """(scope, code) of the stored results about these agencies, worked out independently."""
    rows = set()
    for scope, code in IndexResult.objects.filter(round=survey_round).values_list("scope", "code"):
        if (
            (scope == Scope.AGENCY and code in agencies)
            or (scope == Scope.AGENCY_DOMAIN and code.split("/", 1)[0] in agencies)
            or (scope == Scope.DISTRICT_AREA and code in districts)
        ):
            rows.add((scope, code))
    return rows


def json_rows(client, survey_round) -> set[tuple[str, str]]:
    response = client.get(reverse("indexes:round_indexes_json", args=[survey_round.code]))
    assert response.status_code == 200
    data = json.loads(response.content.decode("utf-8"))
    assert data["round"] == survey_round.code
    return {(r["scope"], r["code"] or "") for r in data["results"]}


def xlsx_rows(client, survey_round) -> set[tuple[str, str]]:
    response = client.get(reverse("indexes:round_indexes_xlsx", args=[survey_round.code]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    scope_of = {label: scope for scope, label in SCOPE_LABELS.items()}
    return {(scope_of[row[0]], row[1] or "") for row in list(sheet.iter_rows(values_only=True))[1:]}


def province_sipas(survey_round) -> str:
    return format_percent(IndexResult.objects.get(round=survey_round, scope=Scope.PROVINCE).sipas)


# --------------------------------------------------------------------------- index page and downloads
def test_a_district_officer_sees_only_the_district_its_communes_and_their_domains(client, computed_round):
    officer = make_user("can-bo-tpls", roles.AGENCY, agency="TPLS")
    login(client, officer)
    expected = expected_rows(computed_round, TPLS_AGENCIES, {"TPLS"})
    assert {code for scope, code in expected if scope == Scope.AGENCY} == TPLS_AGENCIES
    assert (Scope.DISTRICT_AREA, "TPLS") in expected
    assert any(scope == Scope.AGENCY_DOMAIN for scope, _ in expected)

    assert json_rows(client, computed_round) == expected
    assert xlsx_rows(client, computed_round) == expected

    html = client.get(reverse("indexes:round_indexes", args=[computed_round.code])).content.decode()
    for name in ("Thành phố Lạng Sơn", "Phường Chi Lăng", "Phường Đông Kinh"):
        assert name in html
    for hidden in ("Huyện Chi Lăng", "Sở Tư pháp", "Sở Tài chính", "Tỉnh Lạng Sơn", "Toàn tỉnh", "Theo cấp",
                   "Theo lĩnh vực", "UBND xã, phường, thị trấn"):
        assert hidden not in html, hidden
    assert province_sipas(computed_round) not in html
    assert "Chỉ số theo tiêu chí" in html  # per agency, instead of per level


def test_a_department_officer_sees_only_the_department(client, computed_round):
    login(client, make_user("can-bo-snv", roles.AGENCY, agency="SNV"))
    expected = expected_rows(computed_round, {"SNV"}, set())
    assert (Scope.AGENCY, "SNV") in expected
    assert json_rows(client, computed_round) == expected
    assert xlsx_rows(client, computed_round) == expected
    assert all(code == "SNV" or code.startswith("SNV/") for _, code in expected)
    html = client.get(reverse("indexes:round_indexes", args=[computed_round.code])).content.decode()
    assert "Thành phố Lạng Sơn" not in html and "Toàn tỉnh" not in html


@pytest.mark.parametrize("role", [roles.STAFF, roles.LEADER, roles.SUPERVISOR, roles.ADMIN])
def test_whole_province_roles_see_every_result(client, computed_round, role):
    login(client, make_user("toan-tinh", role))
    everything = set(IndexResult.objects.filter(round=computed_round).values_list("scope", "code"))
    assert json_rows(client, computed_round) == everything
    assert xlsx_rows(client, computed_round) == everything
    html = client.get(reverse("indexes:round_indexes", args=[computed_round.code])).content.decode()
    assert province_sipas(computed_round) in html and "Huyện Chi Lăng" in html


def test_a_user_without_results_permission_gets_403(client, langson_round):
    login(client, make_user("nhap-lieu", roles.ENTRY, agency="SNV", entry=("CLANG",)))
    for name in ("round_indexes", "round_indexes_json", "round_indexes_xlsx"):
        assert client.get(reverse(f"indexes:{name}", args=[langson_round.code])).status_code == 403, name


def test_a_user_with_no_role_gets_403_on_results_and_sees_no_round(client, langson_round):
    login(client, make_user("khong-vai-tro"))
    assert client.get(reverse("indexes:round_indexes", args=[langson_round.code])).status_code == 403
    assert langson_round.code not in client.get(reverse("surveys:round_list")).content.decode()
    assert client.get(reverse("surveys:round_overview", args=[langson_round.code])).status_code == 404


# --------------------------------------------------------------------------- round list and overview
def test_overview_rows_follow_what_the_user_may_see(client, langson_round):
    login(client, make_user("can-bo-tpls", roles.AGENCY, agency="TPLS"))
    html = client.get(reverse("surveys:round_overview", args=[langson_round.code])).content.decode()
    assert "Phường Đông Kinh" in html and "Huyện Chi Lăng" not in html and "Sở Tư pháp" not in html
    assert "Cộng các cơ quan bạn được xem" in html
    assert reverse("surveys:round_import", args=[langson_round.code]) not in html  # no entry right

    client.logout()
    login(client, make_user("nhap-lieu", roles.ENTRY, agency="SNV", entry=("CLANG", "STP")))
    html = client.get(reverse("surveys:round_overview", args=[langson_round.code])).content.decode()
    assert "Huyện Chi Lăng" in html and "Sở Tư pháp" in html
    assert "Thành phố Lạng Sơn" not in html and "Sở Tài chính" not in html
    assert reverse("indexes:round_indexes", args=[langson_round.code]) not in html  # no results right
    assert langson_round.code in client.get(reverse("surveys:round_list")).content.decode()


def test_staff_see_every_agency_on_the_overview(client, langson_round):
    login(client, make_user("canbo", roles.STAFF))
    html = client.get(reverse("surveys:round_overview", args=[langson_round.code])).content.decode()
    assert "Toàn tỉnh" in html and "Huyện Chi Lăng" in html and "Sở Tài chính" in html


# --------------------------------------------------------------------------- import
@functools.cache
def workbook_of(agencies: frozenset[str]) -> bytes:
    """The sample workbook keeping only the rows about `agencies`."""
    source = openpyxl.load_workbook(sample_path(), read_only=True).worksheets[0]
    rows = source.iter_rows(values_only=True)
    header = next(rows)
    column = header.index("ma_co_quan")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Phieu"
    sheet.append(header)
    for row in rows:
        if row[column] in agencies:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def post_workbook(client, survey_round, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("surveys:round_import", args=[survey_round.code]),
        {"workbook": SimpleUploadedFile("phieu.xlsx", content)},
    )


def test_an_entry_officer_cannot_import_rows_for_an_agency_not_assigned(client, langson_round):
    login(client, make_user("nhap-lieu", roles.ENTRY, agency="SNV", entry=("CLANG",)))
    response = post_workbook(client, langson_round, workbook_of(frozenset({"CLANG", "STP"})))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không phiếu nào được nhập" in html
    assert "cột ma_co_quan: bạn không được giao nhập phiếu cho cơ quan STP" in html
    assert "cơ quan CLANG" not in html
    assert Response.objects.count() == 0  # all or nothing

    response = post_workbook(client, langson_round, workbook_of(frozenset({"CLANG"})))
    assert response.status_code == 302
    assert set(Response.objects.values_list("agency__code", flat=True)) == {"CLANG"}


def test_segregation_of_duties_applies_to_the_import(client, langson_round):
    login(client, make_user("nhap-lieu-clang", roles.ENTRY, agency="CLANG", entry=("CLANG", "STP")))
    html = post_workbook(client, langson_round, workbook_of(frozenset({"CLANG"}))).content.decode()
    assert "bạn không được giao nhập phiếu cho cơ quan CLANG" in html
    assert Response.objects.count() == 0


def test_the_import_page_needs_an_entry_right(client, langson_round):
    login(client, make_user("lanh-dao", roles.LEADER))
    url = reverse("surveys:round_import", args=[langson_round.code])
    assert client.get(url).status_code == 403
    assert post_workbook(client, langson_round, workbook_of(frozenset({"SNV"}))).status_code == 403
    assert Response.objects.count() == 0


def test_staff_import_any_agency_and_the_command_path_is_unrestricted(client, langson_round):
    from surveys.responses import services

    login(client, make_user("canbo", roles.STAFF, agency="SNV"))
    assert post_workbook(client, langson_round, workbook_of(frozenset({"SNV", "CLANG"}))).status_code == 302
    outcome = services.import_responses(survey_round=langson_round, source=str(sample_path()), entered_by=None)
    assert not outcome.ok  # the rows already imported are duplicates, not refused agencies
    assert not any("không được giao" in str(e) for e in outcome.errors)


# --------------------------------------------------------------------------- recompute
def test_only_recompute_holders_may_post_the_recompute(client, computed_round):
    url = reverse("indexes:round_recompute", args=[computed_round.code])
    for username, role, agency in [
        ("co-quan", roles.AGENCY, "TPLS"), ("nhap-lieu", roles.ENTRY, "SNV"),
        ("lanh-dao", roles.LEADER, None), ("giam-sat", roles.SUPERVISOR, None),
    ]:
        login(client, make_user(username, role, agency=agency))
        assert client.post(url).status_code == 403, role
        client.logout()

    before = SurveyRound.objects.get(pk=computed_round.pk).computed_at
    login(client, make_user("canbo", roles.STAFF))
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert response.redirect_chain[0] == (reverse("indexes:round_indexes", args=[computed_round.code]), 302)
    assert "Đã tính lại chỉ số của đợt LS-2022." in response.content.decode()
    assert SurveyRound.objects.get(pk=computed_round.pk).computed_at > before
    assert f'action="{url}"' in response.content.decode()  # the button, for this user


def test_the_recompute_button_is_not_offered_without_the_right(client, langson_round):
    login(client, make_user("lanh-dao", roles.LEADER))
    html = client.get(reverse("indexes:round_indexes", args=[langson_round.code])).content.decode()
    assert reverse("indexes:round_recompute", args=[langson_round.code]) not in html


# --------------------------------------------------------------------------- anonymous visitors
@pytest.mark.parametrize("url", ["/", "/dot/", "/chi-so/LS-2022/", "/quan-tri/", "/chi-so/LS-2022/json/"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, langson_round, url):
    response = client.get(url, follow=True)
    assert response.redirect_chain, url
    final = response.redirect_chain[-1][0]  # /quan-tri/ goes through the admin's own login URL
    assert final.startswith("/dang-nhap/?next="), response.redirect_chain
    assert unquote(final.split("next=", 1)[1]) == url
    assert response.status_code == 200 and response.request["PATH_INFO"] == "/dang-nhap/"


@pytest.mark.parametrize("url", ["/cong-khai/", "/dang-nhap/"])
def test_an_anonymous_visitor_reaches_the_public_pages(client, langson_round, url):
    assert client.get(url).status_code == 200


def test_an_anonymous_recompute_is_sent_to_the_login_page(client, langson_round):
    response = client.post(reverse("indexes:round_recompute", args=[langson_round.code]))
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


# --------------------------------------------------------------------------- public page
def test_only_published_rounds_appear_on_the_public_page(client, computed_round):
    sipas = province_sipas(computed_round)
    for status in (RoundStatus.DRAFT, RoundStatus.COLLECTING, RoundStatus.CLOSED):
        SurveyRound.objects.filter(pk=computed_round.pk).update(status=status)
        html = client.get(reverse("reporting:public_home")).content.decode()
        assert computed_round.name not in html and sipas not in html, status
        assert "Chưa có đợt khảo sát nào được công bố" in html

    SurveyRound.objects.filter(pk=computed_round.pk).update(status=RoundStatus.PUBLISHED)
    html = client.get(reverse("reporting:public_home")).content.decode()
    assert computed_round.name in html and sipas in html
    province = IndexResult.objects.get(round=computed_round, scope=Scope.PROVINCE)
    for code, value in province.factors.items():
        assert f"{code}." in html and format_percent(value) in html
    assert "Phường Chi Lăng" not in html  # the province only, for now
    assert " style=" not in html and "<script>" not in html
