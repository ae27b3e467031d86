"""The results dashboards in a real browser (Debian's Chromium): every page renders with its
charts and no CSP violation or script error, screenshots in test-artifacts/screenshots/, and
the computed-status badge refreshes itself when a recomputation is pending and then done."""
from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import F

from indexes.selectors import index_json
from indexes.services import recompute_round
from sipas_portal.formatting import format_percent
from surveys.accounts import roles
from surveys.models import SurveyRound
from tests.browser.test_pages_in_browser import FIXTURE, check_page, visit
from tests.security.users import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("dash-tong-quan", "tong-quan/"),
    ("dash-theo-cap", "theo-cap/"),
    ("dash-xep-hang", "xep-hang/"),
    ("dash-co-quan-TPLS", "co-quan/TPLS/"),
    ("dash-theo-linh-vuc", "theo-linh-vuc/"),
    ("dash-qua-trinh", "qua-trinh/"),
    ("dash-nguoi-tra-loi", "nguoi-tra-loi/"),
    ("dash-xu-huong", "xu-huong/"),
    ("dash-chi-tieu", "chi-tieu/"),
]


@pytest.fixture
def portal(transactional_db, live_server):
    """LS-2022 with 895 demo questionnaires, its indexes computed, and a leader."""
    cache.clear()  # dashboards cache by round id, which test databases reuse
    call_command("loaddata", str(FIXTURE), verbosity=0)
    survey_round = SurveyRound.objects.get(code="LS-2022")
    call_command("seed_demo", "--round", "LS-2022", "--responses", "895", "--seed", "2022", verbosity=0)
    recompute_round(round_id=survey_round.pk, force=True)
    leader = make_user("lanhdao", roles.LEADER, first_name="Lãnh đạo", last_name="UBND tỉnh")
    return {"url": live_server.url, "round": survey_round, "user": leader}


def sign_in(page, base: str, user) -> None:
    visit(page, f"{base}/dang-nhap/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_dashboards_render_with_charts_and_no_csp_violation(browser_page, portal, screenshot):
    page, base = browser_page, portal["url"]
    sign_in(page, base, portal["user"])
    province = next(r for r in index_json(portal["round"])["results"] if r["scope"] == "province")
    for name, path in PAGES:
        visit(page, f"{base}/chi-so/LS-2022/{path}")
        check_page(page, name, screenshot)
        assert page.locator(".computed-status").first.is_visible(), name
    visit(page, f"{base}/chi-so/LS-2022/tong-quan/")
    assert page.locator("[data-figure=sipas]").inner_text().strip() == format_percent(province["sipas"])
    assert page.locator(".dashboard-chart svg").count() >= 2  # factor profile, weakest criteria
    # The filter form: a channel narrows the figures (recomputed on request).
    page.select_option("#id_kenh", "BUU_DIEN")
    with page.expect_navigation():
        page.click("form.dashboard-filter button[type=submit]")
    assert "kenh=BUU_DIEN" in page.url
    assert page.locator("text=Đang lọc").is_visible()
    check_page(page, "dash-tong-quan-loc-buu-dien", screenshot)
    # Printable: the print stylesheet hides navigation and the filter.
    page.emulate_media(media="print")
    assert not page.locator("form.dashboard-filter").is_visible()
    assert not page.locator("nav.navbar").is_visible()
    page.emulate_media(media="screen")


def test_status_badge_shows_pending_then_offers_the_new_results(browser_page, portal, screenshot):
    page, base = browser_page, portal["url"]
    survey_round = portal["round"]
    sign_in(page, base, portal["user"])
    # A questionnaire arrived after the last computation: the round is stale.
    SurveyRound.objects.filter(pk=survey_round.pk).update(data_version=F("data_version") + 1)
    visit(page, f"{base}/chi-so/LS-2022/tong-quan/")
    pending = page.locator("[data-status-pending]")
    assert pending.is_visible()
    assert "Đang chờ tính lại" in pending.inner_text()
    check_page(page, "dash-dang-cho-tinh-lai", screenshot)
    reload_link = page.locator("[data-status-reload]")
    assert not reload_link.is_visible()

    recompute_round(round_id=survey_round.pk)  # the worker's run
    reload_link.wait_for(state="visible", timeout=15_000)  # the script polls every 5 s while pending
    assert not pending.is_visible()
    survey_round.refresh_from_db()
    shown = page.locator("[data-status-text]").inner_text()
    assert re.search(r"Chỉ số tính lúc \d\d/\d\d/\d{4} \d\d:\d\d", shown)
    check_page(page, "dash-da-co-ket-qua-moi", screenshot)
