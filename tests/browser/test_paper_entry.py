"""Paper entry with the keyboard only, then the blind second entry with one difference, then the
resolution against the paper — in Chromium. Keystrokes of the first entry are counted and
printed. Screenshots: test-artifacts/screenshots/nhap-phieu-*.png."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from surveys.accounts import roles
from surveys.models import Response, SecondEntry, SurveyRound, Verification
from surveys.responses import services
from tests.security.users import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "langson_2022.json"
CSP_PROBLEMS = ("Content Security Policy", "Refused to", "pageerror")

# The paper form: on time (B4 = 2, so B5 skips itself), no feedback (B7 = 2, so C5.1–C5.4 skip).
SINGLE_A = ["1", "3", "2", "5", "3", "1"]  # A1–A6
CRITERIA = ["3", "4", "4", "4", "4", "4", "4", "4", "5", "4", "4", "4", "4", "4", "4", "4", "4", "4"]  # C1.1–C4.4
CRITERION_CODES = ["C1.1", "C1.2", "C1.3", "C2.1", "C2.2", "C2.3", "C2.4", "C2.5", "C3.1", "C3.2", "C3.3",
                   "C3.4", "C3.5", "C3.6", "C4.1", "C4.2", "C4.3", "C4.4"]


class Keyboard:
    """The officer's keyboard: every key pressed goes through here and is counted."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += len(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1


@pytest.fixture
def desk(transactional_db, live_server):
    call_command("loaddata", str(FIXTURE), verbosity=0)
    survey_round = SurveyRound.objects.get(code="LS-2022")
    survey_round.double_entry_percent = 100  # every paper questionnaire is keyed twice
    survey_round.save(update_fields=["double_entry_percent"])
    return {
        "url": live_server.url,
        "round": survey_round,
        "first": make_user("nhaplieu.mot", roles.ENTRY, agency="SNV", entry=("STP",), first_name="Trần Thị",
                           last_name="Một"),
        "second": make_user("nhaplieu.hai", roles.ENTRY, agency="SNV", entry=("STP",), first_name="Lê Văn",
                            last_name="Hai"),
        "staff": make_user("canbo.snv", roles.STAFF, agency="SCT", first_name="Nguyễn Văn", last_name="Đối Chiếu"),
    }


def sign_in(browser, base: str, user, path: str):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    log: list[str] = []
    page.on("console", lambda m: log.append(f"console.{m.type}: {m.text}"))
    page.on("pageerror", lambda e: log.append(f"pageerror: {e}"))
    page.goto(f"{base}/dang-nhap/?next={path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url == f"{base}{path}"
    return context, page, log


def focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name") or ""


def key_answers(keys: Keyboard, page, *, criteria: list[str], comment: str, wrong_first: dict[str, str] | None = None):
    """A1 … D2 as on paper: one digit per question (it moves on by itself), several options
    separated by a space then Enter, the comment then Enter (saves: it is the last field)."""
    for digit in SINGLE_A:
        keys.type(digit)
    assert focused(page) == "B1"
    keys.type("1 3")
    keys.press("Enter")
    for digit in ("1", "2", "2"):  # B2, B3, B4 = 2 (on time)
        keys.type(digit)
    assert focused(page) == "B6", "B5 applies only when B4 = 3: it skipped itself"
    assert page.locator('[name="B5"]').is_disabled()
    keys.type("2")  # B6
    keys.type("2")  # B7 = 2: no feedback
    for code, digit in zip(CRITERION_CODES, criteria, strict=True):
        assert focused(page) == code
        if wrong_first and code in wrong_first:
            keys.type(wrong_first[code])
            error = page.locator(f'[id="id_{code}_client_error"]')
            assert error.inner_text() == f"Câu {code}: không có phương án {wrong_first[code]} (chỉ có 1–5)"
            assert focused(page) == code, "an invalid digit keeps the cursor on the question"
        keys.type(digit)
    assert focused(page) == "D1", "C5.1–C5.4 apply only when B7 = 1: they skipped themselves"
    assert all(page.locator(f'[name="C5.{i}"]').is_disabled() for i in range(1, 5))
    keys.type("2 3")
    keys.press("Enter")
    assert focused(page) == "D2"
    keys.type(comment)


def test_key_in_double_key_with_a_difference_and_resolve(chromium_browser, desk, screenshot):
    base, survey_round = desk["url"], desk["round"]

    # ---- 1. first entry, keyboard only --------------------------------------------------------
    context, page, log = sign_in(chromium_browser, base, desk["first"], "/dot/LS-2022/phieu/moi/")
    keys = Keyboard(page)
    assert focused(page) == "ma_phieu", "the cursor starts on the serial"
    keys.type("STP-0001")  # typed, or a scanner's characters …
    keys.press("Enter")  # … and its Enter
    assert focused(page) == "ma_co_quan"
    keys.type("stp")
    keys.press("Enter")
    assert page.locator('[name="ma_co_quan"]').input_value() == "STP"
    assert page.locator("#ten-co-quan").inner_text() == "Sở Tư pháp"
    assert focused(page) == "ma_linh_vuc"
    keys.type("l")  # the one domain of STP beginning with L: LLTP
    keys.press("Enter")
    assert page.locator('[name="ma_linh_vuc"]').input_value() == "LLTP"
    assert page.locator("#chi-tieu").inner_text().startswith("Đã nhận 0/")
    assert focused(page) == "ngay_khao_sat", "the channel is already “Phát phiếu trực tiếp”: skipped"
    keys.type("05102022")
    keys.press("Enter")
    assert page.locator('[name="ngay_khao_sat"]').input_value() == "05/10/2022"
    assert focused(page) == "A1"
    details_keys = keys.count
    key_answers(keys, page, criteria=CRITERIA, comment="Tốt")
    screenshot(page, "nhap-phieu-1-truoc-khi-luu")
    with page.expect_navigation():
        keys.press("Enter")  # Enter on the last field saves
    total_keys = keys.count
    answer_keys = total_keys - details_keys
    print(f"\nkeystrokes: total={total_keys} details={details_keys} answers={answer_keys} "
          f"(29 single digits + 2 × (3 + Enter) for B1, D1 + 3 letters of D2 + Enter to save)")
    assert answer_keys == 29 + 8 + len("Tốt") + 1
    assert details_keys == 9 + 4 + 2 + 9

    assert "Đã lưu phiếu STP-0001. Phiếu được chọn để nhập lần hai" in page.locator(".site-messages").inner_text()
    assert focused(page) == "ma_phieu", "after saving, the cursor is back on the serial for the next form"
    assert page.locator('[name="ma_co_quan"]').input_value() == "STP"  # the batch's details are kept
    assert page.locator("#chi-tieu").inner_text().startswith("Đã nhận 1/")
    screenshot(page, "nhap-phieu-2-sau-khi-luu")
    saved = Response.objects.get(round=survey_round, ma_phieu="STP-0001")
    snapshot = services.answers_snapshot(saved)
    assert saved.verification == Verification.PENDING
    assert snapshot["B1"] == [1, 3] and snapshot["D1"] == [2, 3] and snapshot["C3.1"] == 5
    assert "B5" not in snapshot and "C5.1" not in snapshot and snapshot["D2"] == "Tốt"
    assert not [line for line in log if any(p in line for p in CSP_PROBLEMS)], log
    context.close()

    # ---- 2. second entry by another officer, blind, one difference (C3.2: 2 instead of 4) ------
    context, page, log = sign_in(chromium_browser, base, desk["second"], "/dot/LS-2022/nhap-lan-hai/")
    assert "STP-0001" in page.locator("#hang-cho-nhap-lan-hai").inner_text()
    with page.expect_navigation():
        page.click("#hang-cho-nhap-lan-hai a")
    assert "Tốt" not in page.content()  # nothing of the first entry is shown
    assert focused(page) == "ma_co_quan"
    keys = Keyboard(page)
    keys.type("STP")
    keys.press("Enter")
    keys.type("LLTP")
    keys.press("Enter")
    keys.type("05/10/2022")
    keys.press("Enter")
    second = list(CRITERIA)
    second[CRITERION_CODES.index("C3.2")] = "2"
    key_answers(keys, page, criteria=second, comment="Tốt", wrong_first={"C2.3": "7"})
    screenshot(page, "nhap-phieu-3-nhap-lan-hai")
    with page.expect_navigation():
        keys.press("Control+Enter")
    assert "có 1 mục khác lần đầu" in page.locator(".site-messages").inner_text()
    screenshot(page, "nhap-phieu-4-sau-nhap-lan-hai")
    saved.refresh_from_db()
    assert saved.verification == Verification.MISMATCH
    assert SecondEntry.objects.get(response=saved).meta["khac_nhau"] == ["C3.2"]
    assert not [line for line in log if any(p in line for p in CSP_PROBLEMS)], log
    context.close()

    # ---- 3. staff resolve against the paper: C3.2 is 4 on paper (the first entry) -------------
    context, page, log = sign_in(chromium_browser, base, desk["staff"], "/dot/LS-2022/doi-chieu/")
    assert "STP-0001" in page.locator("#danh-sach-khac-biet").inner_text()
    with page.expect_navigation():
        page.click("#danh-sach-khac-biet a")
    row = page.locator('#bang-doi-chieu tr[data-item="C3.2"]')
    assert "4 — Hài lòng" in row.inner_text() and "2 — Không hài lòng" in row.inner_text()
    assert page.locator("#bang-doi-chieu tbody tr").count() == 1
    row.locator('input[value="1"]').check()
    page.fill("#ghi-chu", "Phiếu giấy ghi 4 ở câu C3.2.")
    screenshot(page, "nhap-phieu-5-doi-chieu")
    with page.expect_navigation():
        page.click('form[aria-label="Đối chiếu hai lần nhập"] button[type=submit]')
    assert "Đã đối chiếu phiếu STP-0001" in page.locator(".site-messages").inner_text()
    saved.refresh_from_db()
    assert saved.verification == Verification.VERIFIED
    assert services.answers_snapshot(saved)["C3.2"] == 4
    page.goto(f"{base}/dot/LS-2022/ty-le-khop/")
    assert "Lê Văn Hai" in page.locator("#ty-le-can-bo").inner_text()
    screenshot(page, "nhap-phieu-6-ty-le-khop")
    assert not [line for line in log if any(p in line for p in CSP_PROBLEMS)], log
    context.close()

    # ---- 4. the first officer edits the verified form (C1.2: 4 → 1): it waits again ----------
    context, page, log = sign_in(chromium_browser, base, desk["first"], f"/dot/LS-2022/phieu/{saved.pk}/sua/")
    page.fill('[name="C1.2"]', "1")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    message = page.locator(".site-messages").inner_text()
    assert "phải được cán bộ Sở Nội vụ đối chiếu lại với phiếu giấy" in message
    assert page.locator("#trang-thai-nhap-kep").inner_text() == "Có khác biệt, chờ đối chiếu (chưa tính vào chỉ số)"
    screenshot(page, "nhap-phieu-7-sua-sau-doi-chieu")
    saved.refresh_from_db()
    assert saved.verification == Verification.MISMATCH
    assert not Response.objects.counted().filter(pk=saved.pk).exists()
    context.close()
    context, page, log = sign_in(chromium_browser, base, desk["staff"], "/dot/LS-2022/doi-chieu/")
    assert "STP-0001" in page.locator("#danh-sach-khac-biet").inner_text()
    with page.expect_navigation():
        page.click("#danh-sach-khac-biet a")
    row = page.locator('#bang-doi-chieu tr[data-item="C1.2"]')
    assert "1 — Rất không hài lòng" in row.inner_text() and "4 — Hài lòng" in row.inner_text()
    context.close()
