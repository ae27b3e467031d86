"""The annual report in a real browser: staff draft the prose from the data, generate the PDF
(the worker's task, in-process here), watch a version's progress bar move, download it; then the
round is published and an anonymous visitor on a 390-px-wide phone reads the public page and
downloads the published PDF. Screenshots in test-artifacts/screenshots/."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from indexes.selectors import index_json
from reporting.models import ReportStatus, ReportVersion
from sipas_portal.formatting import format_percent
from surveys.accounts import roles
from surveys.models import RoundStatus, SurveyRound
from tests.security.users import PASSWORD, make_user

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE = REPO_ROOT / "fixtures" / "langson_2022.json"
DOWNLOADS = REPO_ROOT / "test-artifacts" / "report"
CSP_PROBLEMS = ("Content Security Policy", "Refused to")
PDF_TIMEOUT_MS = 600_000  # the form post waits for the in-process task: a whole PDF on a busy machine


@pytest.fixture
def portal(transactional_db, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("loaddata", str(FIXTURE), verbosity=0)
    call_command("seed_demo", "--round", "LS-2022", "--responses", "300", "--seed", "11", verbosity=0)
    call_command("recompute_indexes", "--round", "LS-2022", verbosity=0)
    staff = make_user("canbo.snv", roles.STAFF, agency="SNV", first_name="Cán bộ", last_name="Sở Nội vụ")
    return {"url": live_server.url, "round": SurveyRound.objects.get(code="LS-2022"), "user": staff}


def no_csp_problem(page, name: str) -> None:
    problems = [line for line in page.log.take() if any(p in line for p in CSP_PROBLEMS) or line.startswith("pageerror")]
    assert not problems, f"{name}: {problems}"


def sign_in(page, base: str, username: str, next_path: str) -> None:
    page.goto(f"{base}/dang-nhap/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url == base + next_path


def test_generate_the_report_and_publish_it(browser_page, chromium_browser, portal, screenshot):
    page, base = browser_page, portal["url"]
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    sign_in(page, base, portal["user"].username, "/bao-cao/LS-2022/")
    assert page.locator("text=Chưa có phiên bản nào.").is_visible()

    # Draft the prose from the data, then edit one section and save.
    with page.expect_navigation():
        page.click("#tao-ban-nhap")
    assert "Đã tạo bản nháp từ số liệu cho 8 phần" in page.content()
    assert "Chỉ số SIPAS toàn tỉnh năm 2022 đạt" in page.input_value("#id_phan_tich")
    page.fill("#id_uu_diem", "Người dân đánh giá cao thái độ phục vụ của công chức.")
    with page.expect_navigation():
        page.click("#luu-noi-dung")
    assert "Đã lưu nội dung báo cáo (1 phần thay đổi)" in page.content()
    screenshot(page, "bao-cao-noi-dung")
    no_csp_problem(page, "bao-cao-noi-dung")

    # Generate the PDF: the post returns once the task has run (eager), the version is listed.
    with page.expect_navigation(timeout=PDF_TIMEOUT_MS):
        page.click("#tao-pdf", timeout=PDF_TIMEOUT_MS)
    version = ReportVersion.objects.get(format="pdf")
    assert version.status == ReportStatus.DONE and version.progress == 100
    link = page.locator(f"#phien-ban-{version.pk} a", has_text="Tải")
    with page.expect_download() as download_info:
        link.click()
    saved = DOWNLOADS / "trinh-duyet-bao-cao.pdf"
    download_info.value.save_as(saved)
    assert saved.read_bytes()[:5] == b"%PDF-" and saved.stat().st_size == version.size
    screenshot(page, "bao-cao-phien-ban")

    # A version the worker is still building: its bar follows the status endpoint, then the page
    # reloads with the download link.
    pending = ReportVersion.objects.create(round=portal["round"], format="xlsx", created_by=portal["user"])
    page.reload()
    bar = page.locator(f"#phien-ban-{pending.pk} progress")
    assert bar.get_attribute("value") == "0"
    ReportVersion.objects.filter(pk=pending.pk).update(status=ReportStatus.RUNNING, progress=40)
    # (the page's strict CSP forbids Playwright's string predicates: wait on the attribute)
    expect(bar).to_have_attribute("value", "40", timeout=10_000)
    assert "Đang tạo (40%)" in page.locator(f"#phien-ban-{pending.pk}").inner_text()
    screenshot(page, "bao-cao-dang-tao")
    pending.file.save("thu.xlsx", ContentFile(b"PK"), save=False)
    ReportVersion.objects.filter(pk=pending.pk).update(status=ReportStatus.DONE, progress=100, file=pending.file.name,
                                                       size=2)
    page.wait_for_selector(f"#phien-ban-{pending.pk} a:has-text('Tải')", timeout=15_000)
    no_csp_problem(page, "bao-cao-phien-ban")

    # Publish; an anonymous visitor on a phone.
    SurveyRound.objects.filter(pk=portal["round"].pk).update(status=RoundStatus.PUBLISHED)
    data = index_json(portal["round"])
    province = next(r for r in data["results"] if r["scope"] == "province")
    phone = chromium_browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844}, accept_downloads=True)
    try:
        public = phone.new_page()
        messages: list[str] = []
        public.on("console", lambda m: messages.append(m.text))
        public.goto(f"{base}/cong-khai/")
        assert format_percent(province["sipas"]) in public.content()
        assert public.locator("svg[role=img]").first.is_visible()
        assert public.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(public, "cong-khai-dien-thoai")
        with public.expect_navigation():
            public.click("text=Kết quả theo cơ quan, đơn vị")
        assert public.url == f"{base}/cong-khai/LS-2022/"
        for result in data["results"]:
            if result["scope"] == "agency":
                assert public.locator(f'tr[data-agency="{result["code"]}"]').count() == 1
        assert public.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(public, "cong-khai-dot-dien-thoai")
        with public.expect_download() as download_info:
            public.click("text=Tải báo cáo (PDF)")
        published = DOWNLOADS / "cong-khai-bao-cao.pdf"
        download_info.value.save_as(published)
        assert published.read_bytes() == saved.read_bytes()  # the latest finished PDF
        assert not [m for m in messages if any(p in m for p in CSP_PROBLEMS)]
    finally:
        phone.close()
