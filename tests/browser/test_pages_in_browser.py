"""Every main page in a real browser: no Content-Security-Policy violation or script error in
the console, <html lang="vi">, and a screenshot in test-artifacts/screenshots/."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from indexes.services import recompute_round
from surveys.accounts import roles
from surveys.models import RoundStatus, SurveyRound
from surveys.responses import services
from tests.security.users import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE = REPO_ROOT / "fixtures" / "langson_2022.json"
SAMPLE_XLSX = REPO_ROOT.parent / "shared" / "samples" / "langson-2022-sample.xlsx"
CSP_PROBLEMS = ("Content Security Policy", "Refused to")

# (screenshot name, path) of the pages an administrator opens
SIGNED_IN_PAGES = [
    ("dot", "/dot/"),
    ("dot-LS-2022", "/dot/LS-2022/"),
    ("chi-so-LS-2022", "/chi-so/LS-2022/"),
    ("nhap-bang-tinh", "/dot/LS-2022/nhap-bang-tinh/"),
    ("quan-tri", "/quan-tri/"),
]


@pytest.fixture
def portal(transactional_db, live_server):
    """LS-2022 with the sample imported and its indexes computed, and an administrator."""
    call_command("loaddata", str(FIXTURE), verbosity=0)
    survey_round = SurveyRound.objects.get(code="LS-2022")
    if SAMPLE_XLSX.is_file():
        outcome = services.import_responses(survey_round=survey_round, source=str(SAMPLE_XLSX), entered_by=None)
        assert outcome.ok
        recompute_round(round_id=survey_round.pk, force=True)
    admin = make_user("quantri", roles.ADMIN, agency="SNV", is_staff=True, first_name="Quản trị", last_name="Sở Nội vụ")
    return {"url": live_server.url, "round": survey_round, "user": admin}


def check_page(page, name: str, screenshot) -> None:
    assert page.locator("html").get_attribute("lang") == "vi", name
    screenshot(page, name)
    problems = [line for line in page.log.take() if any(p in line for p in CSP_PROBLEMS) or line.startswith("pageerror")]
    assert not problems, f"{name}: {problems}"


def visit(page, url: str):
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, f"{url}: {response.status if response else None}"
    return response


def test_main_pages_have_no_csp_violation_and_are_in_vietnamese(browser_page, portal, screenshot):
    page, base = browser_page, portal["url"]

    visit(page, f"{base}/dang-nhap/")
    check_page(page, "dang-nhap", screenshot)

    # Sign in through the real form (CSRF token, django-axes, the login redirect).
    page.fill("#id_username", portal["user"].username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url == f"{base}/dot/"

    for name, path in SIGNED_IN_PAGES:
        visit(page, base + path)
        if name == "chi-so-LS-2022" and SAMPLE_XLSX.is_file():
            assert page.locator("text=Toàn tỉnh").first.is_visible()
        check_page(page, name, screenshot)

    SurveyRound.objects.filter(pk=portal["round"].pk).update(status=RoundStatus.PUBLISHED)
    visit(page, f"{base}/cong-khai/")
    check_page(page, "cong-khai", screenshot)


def test_the_public_page_for_an_anonymous_visitor(browser_page, portal, screenshot):
    page = browser_page
    visit(page, f"{portal['url']}/cong-khai/")
    assert "Chưa có đợt khảo sát nào được công bố" in page.content()  # LS-2022 is still collecting
    check_page(page, "cong-khai-an-danh", screenshot)

    page.goto(f"{portal['url']}/chi-so/LS-2022/")
    assert page.url.startswith(f"{portal['url']}/dang-nhap/?next=")


def test_an_agency_officer_sees_the_scoped_pages(browser_page, portal, screenshot):
    page, base = browser_page, portal["url"]
    officer = make_user("canbo-tpls", roles.AGENCY, agency="TPLS")
    visit(page, f"{base}/dang-nhap/?next=/chi-so/LS-2022/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url == f"{base}/chi-so/LS-2022/"
    html = page.content()
    assert "Huyện Chi Lăng" not in html and "Toàn tỉnh" not in html
    if SAMPLE_XLSX.is_file():
        assert "Phường Đông Kinh" in html
    check_page(page, "chi-so-LS-2022-co-quan-TPLS", screenshot)
    visit(page, f"{base}/dot/LS-2022/")
    check_page(page, "dot-LS-2022-co-quan-TPLS", screenshot)
