"""The post office's batch in Chromium: download the round's template from the portal, fill it,
upload it with errors (every error listed by row and column, nothing saved), fix it and upload
it again. Screenshots: test-artifacts/screenshots/nhap-bang-tinh-*.png."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from surveys.accounts import roles
from surveys.models import Response, SurveyRound
from tests.security.users import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "langson_2022.json"

GOOD = {
    "ma_co_quan": "STP", "ma_linh_vuc": "LLTP", "kenh": "BUU_DIEN", "ngay_khao_sat": dt.datetime(2022, 11, 3),
    "A1": "2", "A2": "3", "B1": "1;3", "B4": "2", "B7": "2", "C1.1": "5", "C2.3": "4", "D1": "2;7",
    "D2": "Cán bộ tận tình",
}


def filled(template: Path, rows: list[dict], out: Path) -> Path:
    workbook = load_workbook(template)
    sheet = workbook["Phieu"]
    header = [cell.value for cell in sheet[1]]
    for row in rows:
        sheet.append([row.get(code) for code in header])
    workbook.save(out)
    return out


def upload(page, path: Path) -> None:
    page.set_input_files("input[type=file]", str(path))
    with page.expect_navigation():
        page.locator("form:has(input[type=file]) [type=submit]").click()


def test_upload_a_workbook_with_errors_then_a_good_one(chromium_browser, live_server, screenshot, tmp_path):
    call_command("loaddata", str(FIXTURE), verbosity=0)
    survey_round = SurveyRound.objects.get(code="LS-2022")
    clerk = make_user("buudien.nhap", roles.ENTRY, agency="SNV", entry=("STP",))
    context = chromium_browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900},
                                           accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/dang-nhap/?next=/dot/LS-2022/nhap-bang-tinh/")
    page.fill("#id_username", clerk.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")

    with page.expect_download() as download:
        page.click("text=Tải mẫu bảng tính của đợt (.xlsx)")
    template = tmp_path / "mau.xlsx"
    download.value.save_as(template)

    wrong = [
        {**GOOD, "ma_phieu": "BD-0001", "A1": "9"},  # no option 9
        {**GOOD, "ma_phieu": "BD-0002", "C5.1": "4"},  # C5.1 only when B7 = 1
    ]
    upload(page, filled(template, wrong, tmp_path / "loi.xlsx"))
    errors = page.locator(".error-table tbody tr")
    assert errors.count() == 2
    first, second = errors.nth(0).inner_text(), errors.nth(1).inner_text()
    assert first.split("\t")[:2] == ["2", "A1"] and "9" in first
    assert second.split("\t")[:2] == ["3", "C5.1"]
    assert page.locator("text=Không phiếu nào được nhập").is_visible()
    screenshot(page, "nhap-bang-tinh-1-co-loi")
    assert Response.objects.filter(round=survey_round).count() == 0  # nothing half-saved

    right = [{**GOOD, "ma_phieu": "BD-0001"}, {**GOOD, "ma_phieu": "BD-0002", "B7": "1", "C5.1": "4"}]
    upload(page, filled(template, right, tmp_path / "dung.xlsx"))
    assert page.locator("text=Đã nhập 2 phiếu.").is_visible()
    screenshot(page, "nhap-bang-tinh-2-da-nhap")
    saved = Response.objects.filter(round=survey_round).order_by("ma_phieu")
    assert list(saved.values_list("ma_phieu", "agency__code", "channel")) == [
        ("BD-0001", "STP", "BUU_DIEN"), ("BD-0002", "STP", "BUU_DIEN"),
    ]
    assert problems == []
    context.close()
