"""Every URL of the portal × every role, including anonymous visitors.

The matrix is keyed by the URL pattern; `test_every_url_has_an_entry` fails as soon as a
new URL is added without deciding here who may open it.
"""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from surveys import roles
from surveys.importing import ParsedRow, parse_answer
from surveys.models import Agency, Officer, Questionnaire, Response
from surveys.selectors import load_definition

OK, LOGIN, DENY = "mở được", "về trang đăng nhập", "bị từ chối"
ROLE_NAMES = ("anon", "admin", "staff", "entry", "agency", "leader", "supervisor")


def everyone(outcome: str, **overrides: str) -> dict[str, str]:
    return {role: overrides.get(role, outcome) for role in ROLE_NAMES}


def signed_in(outcome: str, **overrides: str) -> dict[str, str]:
    return everyone(outcome, anon=LOGIN, **overrides)


def only(*allowed: str) -> dict[str, str]:
    return signed_in(DENY, **{role: OK for role in allowed})


# pattern → (method, expected outcome per role)
MATRIX: dict[str, tuple[str, dict[str, str]]] = {
    "": ("get", signed_in(OK)),
    "dang-nhap/": ("get", everyone(OK)),
    "dang-nhap/quen-mat-khau/": ("get", everyone(OK)),
    "dang-nhap/quen-mat-khau/da-gui/": ("get", everyone(OK)),
    "dang-nhap/dat-lai/<uidb64>/<token>/": ("get", everyone(OK)),
    "dang-nhap/dat-lai/xong/": ("get", everyone(OK)),
    "dang-xuat/": ("post", everyone(LOGIN)),
    "tai-khoan/": ("get", signed_in(OK)),
    "tai-khoan/doi-mat-khau/": ("get", signed_in(OK)),
    "tai-khoan/doi-mat-khau/xong/": ("get", signed_in(OK)),
    "tai-khoan/dang-xuat-moi-noi/": ("post", everyone(LOGIN)),
    "tai-khoan/nguoi-dung/": ("get", only("admin")),
    "tai-khoan/nguoi-dung/them/": ("get", only("admin")),
    "tai-khoan/nguoi-dung/<int:pk>/": ("get", only("admin")),
    "tai-khoan/nguoi-dung/<int:pk>/mo-khoa/": ("post", only("admin")),
    "nhat-ky/": ("get", only("admin", "supervisor")),
    "nhat-ky/xlsx/": ("get", only("admin", "supervisor")),
    "quan-tri/login/": ("get", only("admin")),
    "quan-tri/": ("get", only("admin")),
    "dot/": ("get", signed_in(OK)),
    "dot/<str:code>/": ("get", signed_in(OK)),
    "dot/<str:code>/nhap-bang-tinh/": ("get", only("admin", "staff", "entry")),
    "dot/<str:code>/mau-bang-tinh/": ("get", only("admin", "staff", "entry")),
    "dot/<str:code>/tien-do.xlsx": ("get", signed_in(OK)),
    "dot/<str:code>/phieu/": ("get", only("admin", "staff", "entry", "supervisor")),
    "dot/<str:code>/phieu/xlsx/": ("get", only("admin", "staff", "entry", "supervisor")),
    "dot/<str:code>/phieu/moi/": ("get", only("admin", "staff", "entry")),
    "dot/<str:code>/phieu/<int:pk>/": ("get", only("admin", "staff", "entry", "supervisor")),
    "dot/<str:code>/phieu/<int:pk>/sua/": ("get", only("admin", "staff", "entry")),
    "dot/<str:code>/du-lieu-phieu/": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "dot/<str:code>/du-lieu-phieu.xlsx": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "dot/<str:code>/du-lieu-phieu.csv": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "dot/<str:code>/du-lieu-phieu.sav": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "chi-so/<str:code>/": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "chi-so/<str:code>/json/": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "chi-so/<str:code>/xlsx/": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "chi-so/<str:code>/tinh-lai/": ("post", only("admin", "staff")),
    # Dashboards: aggregate pages for readers of every result; an agency officer is sent from
    # the overview to their own agency page, and reads that page only.
    "chi-so/": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "chi-so/<str:code>/tong-quan/": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "chi-so/<str:code>/theo-cap/": ("get", only("admin", "staff", "leader", "supervisor")),
    "chi-so/<str:code>/xep-hang/": ("get", only("admin", "staff", "leader", "supervisor")),
    "chi-so/<str:code>/co-quan/<str:agency_code>/": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "chi-so/<str:code>/theo-linh-vuc/": ("get", only("admin", "staff", "leader", "supervisor")),
    "chi-so/<str:code>/qua-trinh/": ("get", only("admin", "staff", "leader", "supervisor")),
    "chi-so/<str:code>/nguoi-tra-loi/": ("get", only("admin", "staff", "leader", "supervisor")),
    "chi-so/<str:code>/xu-huong/": ("get", only("admin", "staff", "leader", "supervisor")),
    "chi-so/<str:code>/chi-tieu/": ("get", only("admin", "staff", "leader", "supervisor")),
    "chi-so/<str:code>/trang-thai/": ("get", signed_in(OK)),
    "chi-so/<str:code>/cach-tinh/<str:scope>/": ("get", only("admin", "staff", "leader", "supervisor")),
    "chi-so/<str:code>/cach-tinh/<str:scope>/<path:scope_code>/": (
        "get", only("admin", "staff", "agency", "leader", "supervisor"),
    ),
    "cong-khai/": ("get", everyone(OK)),
    # Public results of a published round only: LS-2022 is still collecting here, so a 404 for all.
    "cong-khai/<str:code>/": ("get", everyone(DENY)),
    "cong-khai/<str:code>/bao-cao.pdf": ("get", everyone(DENY)),
    # The annual report: Sở Nội vụ staff write and generate; leadership (download_reports) reads
    # and downloads; the versions here do not exist (404 for those who may open the page).
    "bao-cao/": ("get", only("admin", "staff", "leader")),
    "bao-cao/<str:code>/": ("get", only("admin", "staff", "leader")),
    "bao-cao/<str:code>/noi-dung/": ("post", only("admin", "staff")),
    "bao-cao/<str:code>/ban-nhap/": ("post", only("admin", "staff")),
    "bao-cao/<str:code>/tao/": ("post", only("admin", "staff")),
    "bao-cao/<str:code>/phien-ban/<int:pk>/trang-thai/": ("get", only()),
    "bao-cao/<str:code>/phien-ban/<int:pk>/tai/": ("get", only()),
    # Round set-up and the questionnaire builder (issue 5: 1–2): Sở Nội vụ staff only.
    "dot/moi/": ("get", only("admin", "staff")),
    "dot/<str:code>/thiet-lap/": ("get", only("admin", "staff")),
    "dot/<str:code>/thiet-lap/trang-thai/": ("post", only("admin", "staff")),
    "dot/<str:code>/thiet-lap/chi-tieu/": ("get", only("admin", "staff")),
    "dot/<str:code>/thiet-lap/chi-tieu.xlsx": ("get", only("admin", "staff")),
    "dot/<str:code>/thiet-lap/co-quan/": ("post", only("admin", "staff")),
    "dot/<str:code>/thiet-lap/phieu-giay/": ("get", only("admin", "staff")),
    "bo-cau-hoi/": ("get", only("admin", "staff")),
    "bo-cau-hoi/moi/": ("get", only("admin", "staff")),
    "bo-cau-hoi/<str:qcode>/": ("get", only("admin", "staff")),
    "bo-cau-hoi/<str:qcode>/xem-truoc/": ("get", only("admin", "staff")),
    "bo-cau-hoi/<str:qcode>/sao-chep/": ("get", only("admin", "staff")),
    "bo-cau-hoi/<str:qcode>/phan/": ("post", only("admin", "staff")),
    "bo-cau-hoi/<str:qcode>/yeu-to/": ("post", only("admin", "staff")),
    "bo-cau-hoi/<str:qcode>/cau-hoi/moi/": ("get", only("admin", "staff")),
    "bo-cau-hoi/<str:qcode>/cau-hoi/<int:question_id>/": ("get", only("admin", "staff")),
    # The public online questionnaire: a desk link of the collecting round opens for everyone;
    # an unknown token is a 404 for everyone.
    "phieu/cam-on/": ("get", everyone(OK)),
    "phieu/t/<str:token>/": ("get", everyone(DENY)),
    "phieu/<str:code>/<str:agency_code>/<str:domain_code>/": ("get", everyone(OK)),
    # Khung mẫu (personal data): Sở Nội vụ staff and the agency's own officers only; drawing,
    # lists for the post office and phone, statuses and the purge are for staff.
    "dot/<str:code>/khung-mau/": ("get", only("admin", "staff", "agency")),
    "dot/<str:code>/khung-mau/tai-len/": ("get", only("admin", "staff", "agency")),
    "dot/<str:code>/khung-mau/mau.xlsx": ("get", only("admin", "staff", "agency")),
    "dot/<str:code>/khung-mau/chon-mau/": ("post", only("admin", "staff")),
    "dot/<str:code>/khung-mau/nguoi-duoc-chon/": ("get", only("admin", "staff", "agency")),
    "dot/<str:code>/khung-mau/nguoi-duoc-chon.xlsx": ("get", only("admin", "staff", "agency")),
    "dot/<str:code>/khung-mau/danh-sach-gui-thu.xlsx": ("get", only("admin", "staff")),
    "dot/<str:code>/khung-mau/danh-sach-dien-thoai.xlsx": ("get", only("admin", "staff")),
    "dot/<str:code>/khung-mau/ty-le-thu-ve.xlsx": ("get", only("admin", "staff", "agency")),
    "dot/<str:code>/khung-mau/phieu-giay.pdf": ("get", only("admin", "staff")),
    "dot/<str:code>/khung-mau/xoa-thong-tin-ca-nhan/": ("post", only("admin", "staff")),
    "dot/<str:code>/truc-tuyen/": ("get", only("admin", "staff", "agency")),
    "dot/<str:code>/truc-tuyen.xlsx": ("get", only("admin", "staff", "agency")),
    # No frame in this world: a 404 for everyone signed in (tests/frames checks the real cases).
    "dot/<str:code>/khung-mau/<int:frame_id>/xoa/": ("post", signed_in(DENY)),
    # Kế hoạch cải thiện chỉ số (issue 7: 6). Sở Nội vụ staff manage plans and tasks; whoever reads
    # results reads plans (an agency officer: plans with a task of their agency — the matrix plan has
    # one led by TPLS); only the lead agency's officer gets the progress form (checked in tests/plans).
    "ke-hoach/": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "ke-hoach/moi/": ("get", only("admin", "staff")),
    "ke-hoach/qua-han/": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "ke-hoach/qua-han/xlsx/": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "ke-hoach/<int:plan_id>/": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "ke-hoach/<int:plan_id>/sua/": ("get", only("admin", "staff")),
    "ke-hoach/<int:plan_id>/xoa/": ("get", only("admin", "staff")),
    "ke-hoach/<int:plan_id>/phu-luc.pdf": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "ke-hoach/<int:plan_id>/phu-luc.xlsx": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "ke-hoach/<int:plan_id>/nhiem-vu/moi/": ("get", only("admin", "staff")),
    "ke-hoach/<int:plan_id>/nhiem-vu/<int:task_id>/": ("get", only("admin", "staff", "agency", "leader", "supervisor")),
    "ke-hoach/<int:plan_id>/nhiem-vu/<int:task_id>/sua/": ("get", only("admin", "staff")),
    "ke-hoach/<int:plan_id>/nhiem-vu/<int:task_id>/xoa/": ("get", only("admin", "staff")),
    # Keyboard entry, double entry, quality flags (issue 5: 4, 5, 8). The pages with a pk get a
    # questionnaire that is neither waiting nor differing, nor flagged: a 404 for those who may
    # act, a 403 for the others.
    "dot/<str:code>/phieu/cua-toi/": ("get", only("admin", "staff", "entry")),
    "dot/<str:code>/nhap-lan-hai/": ("get", only("admin", "staff", "entry")),
    "dot/<str:code>/nhap-lan-hai/<int:pk>/": ("get", only()),
    "dot/<str:code>/doi-chieu/": ("get", only("admin", "staff", "supervisor")),
    "dot/<str:code>/doi-chieu.xlsx": ("get", only("admin", "staff", "supervisor")),
    "dot/<str:code>/doi-chieu/<int:pk>/": ("get", only()),
    "dot/<str:code>/ty-le-khop/": ("get", only("admin", "staff", "supervisor")),
    "dot/<str:code>/ty-le-khop.xlsx": ("get", only("admin", "staff", "supervisor")),
    "dot/<str:code>/canh-bao/": ("get", only("admin", "staff", "supervisor")),
    "dot/<str:code>/canh-bao.xlsx": ("get", only("admin", "staff", "supervisor")),
    "dot/<str:code>/canh-bao/<int:pk>/xem-xet/": ("post", only()),
}


def url_patterns(patterns=None, prefix: str = "") -> list[str]:
    """Every route of the portal; the admin site counts as one entry (its prefix)."""
    found = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                found.append(prefix + str(pattern.pattern))
            else:
                found.extend(url_patterns(pattern.url_patterns, prefix + str(pattern.pattern)))
        elif isinstance(pattern, URLPattern):
            found.append(prefix + str(pattern.pattern))
    return found


def test_every_url_has_an_entry():
    routes = url_patterns()
    missing = sorted(set(routes) - set(MATRIX))
    assert missing == [], f"URL chưa có trong ma trận phân quyền: {missing}"
    assert sorted(set(MATRIX) - set(routes)) == []


def make_user(username: str, role: str | None, *, agency: str | None = None, entry: tuple[str, ...] = ()):
    user = get_user_model().objects.create_user(username, password="Mat-khau-thu-2026", first_name=username)
    if role:
        user.groups.add(Group.objects.get(name=role))
        user.is_staff = role == roles.ADMIN
        user.save()
    officer = Officer.objects.create(user=user, agency=Agency.objects.get(code=agency) if agency else None)
    officer.entry_agencies.set(Agency.objects.filter(code__in=entry))
    return user


@pytest.fixture
def world(langson_round, client):
    from indexes.services import recompute_round
    from surveys.services import record_response
    from tests.surveys.test_import import good_row  # a valid row of SIPAS-LS-2022

    users = {
        "admin": make_user("quantri", roles.ADMIN, agency="SNV"),
        "staff": make_user("canbo.snv", roles.STAFF, agency="SNV"),
        "entry": make_user("buudien", roles.ENTRY, entry=("STP",)),
        "agency": make_user("tpls", roles.AGENCY, agency="TPLS"),
        "leader": make_user("lanhdao", roles.LEADER),
        "supervisor": make_user("mttq", roles.SUPERVISOR),
    }
    rows = {
        "own": _row(good_row("PM-1", ma_co_quan="STP", ma_linh_vuc="LLTP")),
        "other": _row(good_row("PM-2", ma_co_quan="SKHDT", ma_linh_vuc="DKDN")),
    }
    mine = record_response(survey_round=langson_round, row=rows["own"], entered_by=users["entry"])
    theirs = record_response(survey_round=langson_round, row=rows["other"], entered_by=users["staff"])
    recompute_round(round_id=langson_round.pk, force=True)
    return {"users": users, "round": langson_round, "mine": mine, "theirs": theirs}


def _row(cells: dict):
    """A ParsedRow from the import test's cell dictionary."""
    definition = load_definition(Questionnaire.objects.get(code="SIPAS-LS-2022"))
    answers = {}
    for question in definition.questions:
        raw = cells.get(question.code)
        if raw not in (None, ""):
            answers[question.code] = parse_answer(question, raw)[0]
    return ParsedRow(
        row=0, ma_phieu=cells["ma_phieu"], agency_code=cells["ma_co_quan"], domain_code=cells["ma_linh_vuc"],
        channel=cells["kenh"], surveyed_on=dt.date(2022, 11, 2), answers=answers,
    )


def concrete_url(pattern: str, world) -> str:
    if "<int:plan_id>" in pattern:  # kế hoạch cải thiện: the matrix plan, created on first use
        from tests.plans.matrix import plan_url

        pattern = plan_url(pattern, world)
    user_id = world["users"]["entry"].pk
    return "/" + (
        pattern.replace("<str:code>", world["round"].code)
        .replace("phieu/<int:pk>", f"phieu/{world['mine'].pk}")
        .replace("<int:pk>", str(user_id))
        .replace("<uidb64>/<token>", "MQ/sai-ma")
        .replace("<str:qcode>", "SIPAS-LS-2022")
        .replace("<int:question_id>", "1")
        .replace("<str:agency_code>", "TPLS")
        .replace("<str:domain_code>", "DKKD")
        .replace("<str:token>", "ma-khong-co")
        .replace("<int:frame_id>", "999999")
        .replace("<str:scope>/<path:scope_code>", "agency/TPLS")
        .replace("<str:scope>", "province")
    )


def outcome_of(client, method: str, url: str) -> str:
    response = getattr(client, method)(url, follow=True)
    final = response.request["PATH_INFO"]
    if final.startswith("/dang-nhap/") and not url.startswith("/dang-nhap/"):
        return LOGIN
    if response.status_code == 200:
        return OK
    if response.status_code in (403, 404):
        return DENY
    return f"mã {response.status_code}"


@pytest.mark.parametrize("pattern", sorted(MATRIX))
def test_permission_matrix(pattern, world, client):
    method, expected = MATRIX[pattern]
    url = concrete_url(pattern, world)
    got = {}
    for role in ROLE_NAMES:
        client.logout()
        if role != "anon":
            client.force_login(world["users"][role])
        got[role] = outcome_of(client, method, url)
    assert got == expected, url


def test_an_officer_cannot_reach_another_agencys_data(world, client):
    """The post-office clerk keys STP only; guessing ids or URLs never shows SKHDT's data."""
    code, theirs = world["round"].code, world["theirs"]
    client.force_login(world["users"]["entry"])
    listing = client.get(f"/dot/{code}/phieu/")
    assert "PM-1" in listing.content.decode() and "PM-2" not in listing.content.decode()
    assert client.get(f"/dot/{code}/phieu/{theirs.pk}/").status_code == 404
    assert client.get(f"/dot/{code}/phieu/{theirs.pk}/sua/").status_code in (403, 404)
    assert client.post(f"/dot/{code}/phieu/{theirs.pk}/sua/", {"ma_phieu": "PM-2"}).status_code in (403, 404)
    export = load_workbook(io.BytesIO(client.get(f"/dot/{code}/phieu/xlsx/").content))
    serials = {row[0] for row in export.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert serials == {"PM-1"}
    assert client.post(f"/chi-so/{code}/tinh-lai/").status_code == 403
    assert client.get(f"/chi-so/{code}/json/").status_code == 403
    assert Response.objects.get(pk=theirs.pk).ma_phieu == "PM-2"

    client.force_login(world["users"]["agency"])  # UBND Thành phố Lạng Sơn
    results = client.get(f"/chi-so/{code}/json/").json()["results"]
    codes = {(r["scope"], r["code"]) for r in results}
    assert ("agency", "TPLS") in codes and ("agency", "TPLS-03") in codes
    assert not {c for c in codes if c[1] and (c[1].startswith(("SKHDT", "STP", "CLANG")))}
    assert ("province", None) not in codes
    assert client.get(f"/dot/{code}/phieu/{theirs.pk}/").status_code in (403, 404)
