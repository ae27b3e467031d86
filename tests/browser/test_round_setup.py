"""Set up a round in a real browser: copy the demo round, edit a quota in the grid with the
keyboard, open collection, download a paper questionnaire PDF. Screenshots in
test-artifacts/screenshots/round-setup-*.png."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from surveys.accounts import roles
from surveys.models import Agency, Domain, RoundAgency, RoundAgencyDomain, RoundStatusChange, SurveyRound
from tests.security.users import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE = REPO_ROOT / "fixtures" / "langson_2022.json"
ARTIFACTS = REPO_ROOT / "test-artifacts"
CSP_PROBLEMS = ("Content Security Policy", "Refused to")


@pytest.fixture
def portal(transactional_db, live_server):
    call_command("loaddata", str(FIXTURE), verbosity=0)
    staff = make_user("canbo.snv", roles.STAFF, agency="SNV", first_name="Cán bộ", last_name="Sở Nội vụ")
    return {"url": live_server.url, "user": staff}


def no_console_problems(page, where: str) -> None:
    problems = [line for line in page.log.take() if any(p in line for p in CSP_PROBLEMS) or line.startswith("pageerror")]
    assert not problems, f"{where}: {problems}"


def test_set_up_a_round_in_the_browser(browser_page, portal, screenshot):
    page, base = browser_page, portal["url"]
    page.goto(f"{base}/dang-nhap/")
    page.fill("#id_username", portal["user"].username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")

    # 1. A new round copied from the demo round LS-2022.
    page.goto(f"{base}/dot/moi/?tu=LS-2022")
    assert page.locator("#id_source_round option:checked").inner_text().startswith("LS-2022")
    page.fill("#id_code", "LS-2026")
    page.fill("#id_name", "Khảo sát SIPAS tỉnh Lạng Sơn năm 2026")
    page.fill("#id_year", "2026")
    page.fill("#id_starts_on", "01/10/2026")
    page.fill("#id_ends_on", "31/12/2026")
    screenshot(page, "round-setup-1-new-round")
    with page.expect_navigation():
        page.click("#tao-dot")
    assert page.url == f"{base}/dot/LS-2026/thiet-lap/"
    assert "Đã tạo đợt LS-2026 (trạng thái Nháp)." in page.inner_text(".site-messages")
    new = SurveyRound.objects.get(code="LS-2026")
    assert RoundAgency.objects.filter(round=new).count() == 86
    no_console_problems(page, "thiet-lap")

    # 2. The quota grid, with the keyboard only: type, Enter to the next cell, type, save.
    page.click("text=Chỉ tiêu, cơ quan, lĩnh vực")
    page.wait_for_url(f"{base}/dot/LS-2026/thiet-lap/chi-tieu/")
    stp, lltp = Agency.objects.get(code="STP"), Domain.objects.get(code="LLTP")
    grand = page.locator("[data-grand-total]").first
    assert grand.inner_text() == "895"
    page.focus(f"#q-a-{stp.pk}")
    page.keyboard.type("1200")  # the whole cell is selected on focus: this replaces 20
    assert grand.inner_text() == "2.075"  # 895 − 20 + 1 200, recomputed as typed, Vietnamese format
    assert page.locator(f'[data-mismatch="{stp.pk}"]').is_visible()  # domains no longer add up
    page.keyboard.press("Enter")
    focused = page.evaluate("document.activeElement.name")
    assert focused.startswith(f"d-{stp.pk}-")
    page.keyboard.press("Enter")
    for _ in range(2):  # back up past the domain cell to STP's own cell
        page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.name") == f"a-{stp.pk}"
    page.keyboard.type("30")
    page.keyboard.press("Enter")  # to the first domain of STP
    first_domain = page.evaluate("document.activeElement.name")
    page.keyboard.type("abc")
    assert page.locator(f'input[name="{first_domain}"]').get_attribute("class").find("is-invalid") >= 0
    screenshot(page, "round-setup-2-quota-grid-typing")
    with page.expect_navigation():
        page.click("#luu-chi-tieu")
    assert "không phải số nguyên không âm" in page.inner_text("#loi-chi-tieu")  # nothing saved
    assert RoundAgency.objects.get(round=new, agency=stp).quota == 20
    screenshot(page, "round-setup-3-quota-error")
    page.focus(f'input[name="{first_domain}"]')
    page.keyboard.type("20")
    with page.expect_navigation():
        page.click("#luu-chi-tieu")
    assert "Đã lưu chỉ tiêu" in page.inner_text(".site-messages")
    assert RoundAgency.objects.get(round=new, agency=stp).quota == 30
    domain_id = int(first_domain.rsplit("-", 1)[1])
    assert RoundAgencyDomain.objects.get(round=new, agency=stp, domain_id=domain_id).quota == 20
    assert page.locator("[data-grand-total]").first.inner_text() == "905"
    no_console_problems(page, "chi-tieu")
    screenshot(page, "round-setup-4-quota-saved")

    # 3. Open collection.
    page.click("text=Thiết lập và trạng thái")
    page.wait_for_url(f"{base}/dot/LS-2026/thiet-lap/")
    page.check("#sang-collecting")
    with page.expect_navigation():
        page.click("#chuyen-trang-thai")
    assert "đã chuyển sang “Đang thu thập”" in page.inner_text(".site-messages")
    assert SurveyRound.objects.get(code="LS-2026").status == "collecting"
    assert RoundStatusChange.objects.filter(round=new, to_status="collecting").count() == 1
    assert "Nháp" in page.inner_text("#lich-su ~ div, #lich-su + *")
    screenshot(page, "round-setup-5-collecting")

    # 4. Paper questionnaires for STP × LLTP.
    page.click("text=In phiếu giấy")
    page.wait_for_url(f"{base}/dot/LS-2026/thiet-lap/phieu-giay/")
    page.select_option("#id_pair", f"STP|{lltp.code}")
    page.fill("#id_count", "2")
    screenshot(page, "round-setup-6-paper")
    with page.expect_download(timeout=180_000) as download_info:  # WeasyPrint on a shared 2-core machine
        page.click("#in-phieu", no_wait_after=True)
    download = download_info.value
    assert download.suggested_filename == "phieu-STP-LLTP-0001-STP-LLTP-0002.pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "round-setup-phieu.pdf"
    download.save_as(str(target))
    assert target.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "STP-LLTP-0001" in text and "STP-LLTP-0002" in text and "Sở Tư pháp" in text
        assert f"/phieu/LS-2026/STP/{lltp.code}/" in text
    no_console_problems(page, "phieu-giay")


def test_questionnaire_builder_in_the_browser(browser_page, portal, screenshot):
    """Copy the reference questionnaire to a new version, add a gated question from the
    keyboard, see it in the preview; the reference one, once answered, is read-only."""
    from surveys.models import Question
    from tests.setup.conftest import add_response

    page, base = browser_page, portal["url"]
    page.goto(f"{base}/dang-nhap/")
    page.fill("#id_username", portal["user"].username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")

    page.goto(f"{base}/bo-cau-hoi/SIPAS-LS-2022/sao-chep/")
    page.fill("#id_new_code", "SIPAS-LS-2026")
    with page.expect_navigation():
        page.press("#id_new_code", "Enter")
    assert page.url == f"{base}/bo-cau-hoi/SIPAS-LS-2026/"
    screenshot(page, "builder-1-detail")

    page.click("text=Thêm câu hỏi")
    page.wait_for_url(f"{base}/bo-cau-hoi/SIPAS-LS-2026/cau-hoi/moi/")
    page.select_option("#id_section", label="B. Quá trình giao dịch")
    page.fill("#id_code", "B8")
    page.fill("#id_text", "Ông/Bà có được hướng dẫn nộp hồ sơ trực tuyến không?")
    page.select_option("#id_kind", "single")
    page.fill("#id_order", "14")
    page.focus("#id_options")
    page.keyboard.type("Có")
    page.keyboard.press("Enter")
    page.keyboard.type("Không")
    page.select_option("#id_condition_question", label="B2 — Ông/Bà nộp hồ sơ bằng hình thức nào?")
    page.fill("#id_condition_values", "3")
    with page.expect_navigation():
        page.click("#luu-cau-hoi")
    assert "Đã lưu câu B8." in page.inner_text(".site-messages")
    question = Question.objects.get(questionnaire__code="SIPAS-LS-2026", code="B8")
    assert list(question.options.values_list("value", "label")) == [(1, "Có"), (2, "Không")]
    assert question.condition_values == [3]

    page.click("text=Xem trước")
    page.wait_for_url(f"{base}/bo-cau-hoi/SIPAS-LS-2026/xem-truoc/")
    assert page.locator("text=Chỉ trả lời nếu chọn 3 ở câu B2.").is_visible()
    assert page.locator("text=Nếu chọn 1 hoặc 2 ở câu B2 thì bỏ qua câu B8.").is_visible()
    screenshot(page, "builder-2-preview")
    no_console_problems(page, "xem-truoc")

    add_response(SurveyRound.objects.get(code="LS-2022"))
    page.goto(f"{base}/bo-cau-hoi/SIPAS-LS-2022/")
    assert "chỉ được xem, không được sửa" in page.inner_text("#khoa")
    assert page.locator("text=Thêm câu hỏi").count() == 0
    screenshot(page, "builder-3-locked")
