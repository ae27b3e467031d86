"""Draw a sample in the browser as Sở Nội vụ staff, then answer online by the one-time token on a
390-px-wide phone screen (taps and keyboard): gating, the thank-you page, the contact returned.
Screenshots in test-artifacts/screenshots/khung-mau-*.png and truc-tuyen-*.png."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from surveys.accounts import roles
from surveys.models import Agency, Channel, ContactStatus, FrameContact, Response, SurveyRound
from surveys.sampling import frames
from tests.frames.conftest import frame_bytes, people
from tests.security.users import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "langson_2022.json"
CSP_PROBLEMS = ("Content Security Policy", "Refused to", "pageerror")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def collecting(transactional_db, live_server):
    call_command("loaddata", str(FIXTURE), verbosity=0)
    cache.clear()
    survey_round = SurveyRound.objects.get(code="LS-2022")
    staff = make_user("canbo.snv", roles.STAFF, agency="SNV", first_name="Cán bộ", last_name="Sở Nội vụ")
    outcome = frames.upload_frame(
        survey_round=survey_round, agency=Agency.objects.get(code="STP"),
        source=frame_bytes(people(30, "LLTP") + people(8, "CCHUNG", start=100)), filename="stp-quy-3.xlsx",
        uploaded_by=staff,
    )
    assert outcome.ok
    return {"url": live_server.url, "round": survey_round, "staff": staff}


def no_csp_problems(page) -> None:
    problems = [line for line in page.log.take() if any(p in line for p in CSP_PROBLEMS)]
    assert not problems, problems


def test_draw_then_answer_online_by_token_on_a_phone(chromium_browser, browser_page, collecting, screenshot):
    page, base = browser_page, collecting["url"]
    # ---- staff draw a sample with a recorded seed
    page.goto(f"{base}/dang-nhap/?next=/dot/LS-2022/khung-mau/")
    page.fill("#id_username", collecting["staff"].username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url == f"{base}/dot/LS-2022/khung-mau/"
    page.fill("#id_seed", "2022")
    with page.expect_navigation():
        page.press("#id_seed", "Enter")  # the keyboard is enough
    alert = page.locator(".alert-success").inner_text()
    assert "hạt giống 2022: 18 người mới" in alert
    assert "STP/CCHUNG thiếu 2" in page.locator(".alert-warning").inner_text()
    row = page.locator('#bang-ty-le tr[data-agency="STP"] td')
    assert [row.nth(i).inner_text() for i in (1, 2, 3)] == ["20", "38", "18"]  # quota, frame, drawn
    assert page.locator("#lan-chon-mau .draw-seed").first.inner_text() == "2022"
    screenshot(page, "khung-mau-da-chon-mau")
    no_csp_problems(page)
    assert FrameContact.objects.filter(ma_phieu__isnull=False).count() == 18

    page.goto(f"{base}/dot/LS-2022/khung-mau/nguoi-duoc-chon/")
    assert page.locator("#bang-nguoi-duoc-chon tbody tr").count() == 18
    screenshot(page, "khung-mau-nguoi-duoc-chon")

    contact = FrameContact.objects.get(ma_phieu="KM-STP-LLTP-003")
    # ---- the respondent answers on a 390-px-wide phone, no login
    phone = chromium_browser.new_context(locale="vi-VN", viewport=PHONE, device_scale_factor=2,
                                         is_mobile=True, has_touch=True)
    phone.set_default_timeout(15_000)
    mobile = phone.new_page()
    mobile.log = type(page.log)()
    mobile.on("console", mobile.log.console)
    mobile.on("pageerror", mobile.log.page_error)
    try:
        mobile.goto(f"{base}/phieu/t/{contact.token}/")
        assert "KM-STP-LLTP-003" in mobile.content()
        assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
        box = mobile.locator("label[for='q-A1-1']").bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300  # a whole row to tap
        screenshot(mobile, "truc-tuyen-phieu-390px")

        for code, value in (("A1", 2), ("A2", 3), ("A3", 1), ("A4", 4), ("A5", 2), ("A6", 1), ("B2", 1), ("B3", 1),
                            ("B4", 1), ("B6", 2)):
            mobile.tap(f"label[for='q-{code}-{value}']")
        mobile.tap("label[for='q-B1-1']")
        mobile.tap("label[for='q-B1-3']")
        c51 = mobile.locator("#cau-C5-1")
        assert c51.is_hidden()  # C5.* only once B7 = 1
        mobile.tap("label[for='q-B7-1']")
        assert c51.is_visible()
        mobile.tap("label[for='q-C5-1-5']")
        mobile.tap("label[for='q-B7-2']")  # changed mind: C5 hides and its answer is cleared
        assert c51.is_hidden()
        assert not mobile.is_checked("#q-C5-1-5")
        # Sent without any satisfaction answer: refused inline, in Vietnamese, answers kept.
        with mobile.expect_navigation():
            mobile.tap("#gui-phieu")
        assert "Phiếu chưa được gửi" in mobile.locator("#loi-phieu").inner_text()
        assert "chưa đánh giá mức độ hài lòng" in mobile.locator("#loi-phieu").inner_text()
        assert mobile.is_checked("#q-A1-2") and mobile.is_checked("#q-B7-2") and c51.is_hidden()
        assert Response.objects.count() == 0
        screenshot(mobile, "truc-tuyen-loi-390px")
        criteria = [c for c in ("C1.1", "C1.2", "C1.3", "C2.1", "C2.2", "C2.3", "C2.4", "C2.5", "C3.1", "C3.2",
                                "C3.3", "C3.4", "C3.5", "C3.6", "C4.1", "C4.2", "C4.3", "C4.4")]
        for n, code in enumerate(criteria):
            mobile.tap(f"label[for='q-{code.replace('.', '-')}-{4 + n % 2}']")
        # The keyboard works too: focus a radio of D1 and space to tick it.
        mobile.focus("#q-D1-2")
        mobile.keyboard.press("Space")
        mobile.fill("#q-cau-D2", "Thủ tục nhanh, cán bộ hướng dẫn tận tình.")
        screenshot(mobile, "truc-tuyen-da-tra-loi-390px")
        with mobile.expect_navigation():
            mobile.tap("#gui-phieu")
        assert mobile.url == f"{base}/phieu/cam-on/"
        assert "Cảm ơn Ông/Bà đã trả lời phiếu khảo sát" in mobile.content()
        screenshot(mobile, "truc-tuyen-cam-on-390px")
        no_csp_problems(mobile)

        # The token is spent: a second visit says so.
        mobile.goto(f"{base}/phieu/t/{contact.token}/")
        assert "Mã này đã được dùng" in mobile.content()
        screenshot(mobile, "truc-tuyen-ma-da-dung-390px")
    finally:
        phone.close()

    saved = Response.objects.get(ma_phieu="KM-STP-LLTP-003")
    assert saved.channel == Channel.TRUC_TUYEN and saved.entered_by is None
    answers = {a.question.code: a.value for a in saved.answers.select_related("question") if a.value is not None}
    assert answers["A1"] == 2 and answers["B7"] == 2 and "C5.1" not in answers
    assert answers["C1.1"] == 4 and answers["C1.2"] == 5 and answers["D1"] == 2
    contact.refresh_from_db()
    assert contact.status == ContactStatus.RETURNED and contact.response_id == saved.pk

    # ---- staff see the contact returned and the rate
    page.goto(f"{base}/dot/LS-2022/khung-mau/nguoi-duoc-chon/?q=KM-STP-LLTP-003")
    assert page.locator('tr[data-serial="KM-STP-LLTP-003"] .contact-status').inner_text() == "Đã thu về"
    screenshot(page, "khung-mau-da-thu-ve")
    page.goto(f"{base}/dot/LS-2022/khung-mau/")
    assert page.locator('#bang-ty-le tr[data-agency="STP"] td.rate').inner_text() == "5,6%"  # 1 of 18
    no_csp_problems(page)
