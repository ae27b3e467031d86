"""The appendix as PDF and XLSX, read back: the Vietnamese text extracts with every diacritic
(pdftotext), the pages render to PNG (pdftoppm, kept in test-artifacts/plans/ to look at), and
the workbook holds the same rows, with a frozen header and landscape print set-up."""
from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reporting.plans import deadlines, services
from reporting.plans.models import TaskStatus

from .conftest import TASK_TEXT, agency, task_fields

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "plans"
SECOND_TASK = "Tổ chức đối thoại với người dân, doanh nghiệp về thủ tục hành chính; tiếp nhận, xử lý góp ý, phản ánh"


@pytest.fixture
def full_plan(plan, task, people):
    services.add_task(plan=plan, fields=task_fields(
        content=SECOND_TASK, group="Yếu tố: Tiếp nhận, giải quyết góp ý, phản ánh, kiến nghị", factor_codes=("F5",),
        criterion_codes=("C5.1", "C5.4"), lead_agency=agency("SNV"), cooperating_agencies=(agency("TTRA"),),
        cooperating_other="", deadline=deadlines.Deadline(deadlines.ONGOING), funding="",
        expected_output="Biên bản đối thoại",
    ), actor=people["staff"])
    for number in range(1, 15):  # enough rows for a second page, to check the repeated header
        services.add_task(plan=plan, fields=task_fields(
            content=f"Nhiệm vụ số {number}: ứng dụng chữ ký số, số hóa hồ sơ, giải quyết thủ tục hành chính theo "
                    "nguyên tắc “5 tại chỗ”, rút ngắn tối đa thời gian đi lại của người dân",
            group="Yếu tố: Kết quả cung ứng dịch vụ hành chính công", factor_codes=("F4",), criterion_codes=(),
            deadline=deadlines.Deadline(deadlines.DATE, date=dt.date(2023, 11, 15)),
        ), actor=people["staff"])
    services.report_progress(task=task, status=TaskStatus.IN_PROGRESS, percent=30, note="Đã niêm yết 30% thủ tục.",
                             reported_on=dt.date(2023, 4, 20), actor=people["lead"])
    return plan


def _needs(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"thiếu {tool} (gói poppler-utils)")
    return path


def test_appendix_pdf_reads_back_in_vietnamese_and_renders(client, people, full_plan):
    client.force_login(people["leader"])
    response = client.get(f"/ke-hoach/{full_plan.pk}/phu-luc.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="phu-luc-ke-hoach-156-KH-UBND.pdf"' in response["Content-Disposition"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "phu-luc.pdf"
    pdf.write_bytes(response.content)

    text = subprocess.run([_needs("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    assert "PHỤ LỤC" in text
    assert "NHIỆM VỤ, GIẢI PHÁP NÂNG CAO CHỈ SỐ SIPAS NĂM 2023" in text
    assert "(Kèm theo Kế hoạch số 156/KH-UBND ngày 06 tháng 3 năm 2023 của Ủy ban nhân dân tỉnh Lạng Sơn)" in flat
    for heading in ("STT", "Nhiệm vụ, giải pháp", "Cơ quan phối hợp", "Kinh phí", "Sản phẩm"):
        assert heading in text, heading
    # Every word of the task text, diacritics included, is in the layout text (the cell wraps it) …
    words = set(flat.split())
    assert [w for w in TASK_TEXT.replace(";", " ").replace(",", " ").split() if w.strip("—") and w not in words
            and w not in flat] == []
    # … and in reading order (-raw) each cell reads back whole.
    raw = " ".join(subprocess.run([_needs("pdftotext"), "-raw", str(pdf), "-"], capture_output=True, text=True,
                                  check=True).stdout.split())
    for phrase in (TASK_TEXT, SECOND_TASK, "Cơ quan chủ trì", "I Yếu tố: Tiếp cận dịch vụ hành chính công",
                   "II Yếu tố: Tiếp nhận, giải quyết góp ý, phản ánh, kiến nghị",
                   "III Yếu tố: Kết quả cung ứng dịch vụ hành chính công", "Quý II/2023", "Thường xuyên",
                   "15/11/2023", "Thành phố Lạng Sơn", "Thanh tra tỉnh", "Biên bản đối thoại"):
        assert phrase in raw, phrase
    pages = text.count("\f")
    assert pages >= 2
    assert text.split("\f")[1].count("Nhiệm vụ, giải pháp") >= 1  # header repeated on page 2

    png = subprocess.run([_needs("pdftoppm"), "-r", "60", "-png", str(pdf), str(ARTIFACTS / "phu-luc")],
                         capture_output=True, check=True)
    assert png.returncode == 0
    rendered = sorted(ARTIFACTS.glob("phu-luc-*.png"))
    assert len(rendered) == pages
    from PIL import Image

    with Image.open(rendered[0]) as image:
        width, height = image.size
    assert width > height  # A4 landscape
    assert abs(width / height - 297 / 210) < 0.02


def test_appendix_xlsx_reads_back(client, people, full_plan):
    client.force_login(people["supervisor"])
    response = client.get(f"/ke-hoach/{full_plan.pk}/phu-luc.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Phu_luc", "Nhiem_vu", "Tien_do"]

    sheet = workbook["Phu_luc"]
    assert sheet["A1"].value == "PHỤ LỤC"
    assert sheet["A3"].value == (
        "(Kèm theo Kế hoạch số 156/KH-UBND ngày 06 tháng 3 năm 2023 của Ủy ban nhân dân tỉnh Lạng Sơn)"
    )
    assert [c.value for c in sheet[5]][:2] == ["STT", "Nhiệm vụ, giải pháp"]
    assert sheet.freeze_panes == "A6"
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$5:$5"
    assert sheet.column_dimensions["B"].width == 60
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=6)]
    assert rows[0][:2] == ["I", "Yếu tố: Tiếp cận dịch vụ hành chính công"]
    assert rows[1] == ["1", TASK_TEXT, "F1, C1.1, C1.2", "Thành phố Lạng Sơn",
                       "Sở Nội vụ; Sở Thông tin và Truyền thông; Các cơ quan, đơn vị có liên quan", "Quý II/2023",
                       "Kinh phí hoạt động theo dự toán được phê duyệt năm 2023", "Báo cáo kết quả thực hiện"]
    assert rows[2][:2] == ["II", "Yếu tố: Tiếp nhận, giải quyết góp ý, phản ánh, kiến nghị"]
    assert rows[3][1] == SECOND_TASK and rows[3][5] == "Thường xuyên" and rows[3][4] == "Thanh tra tỉnh"

    tasks = workbook["Nhiem_vu"]
    header = [c.value for c in tasks[1]]
    first = dict(zip(header, [c.value for c in tasks[2]], strict=True))
    assert first["STT"] == "I.1" and first["Tình trạng"] == "Đang thực hiện"
    assert first["Tỷ lệ hoàn thành (%)"] == 30  # a number, not text
    assert first["Hạn hoàn thành"].date() == dt.date(2023, 6, 30)
    assert first["Quá hạn"] == "Quá hạn"
    assert tasks.max_row == 1 + 16

    progress = workbook["Tien_do"]
    assert [c.value for c in progress[2]][3:7] == ["Thành phố Lạng Sơn", "Hoàng Thị Lụa", "Đang thực hiện", 30]
    assert progress["C2"].value.date() == dt.date(2023, 4, 20)


def test_text_that_looks_like_a_formula_stays_text(client, people, plan):
    services.add_task(plan=plan, fields=task_fields(content="=HYPERLINK(\"http://x\")", group="+SUM(A1)"),
                      actor=people["staff"])
    client.force_login(people["staff"])
    workbook = load_workbook(io.BytesIO(client.get(f"/ke-hoach/{plan.pk}/phu-luc.xlsx").content))
    sheet = workbook["Phu_luc"]
    assert sheet["B6"].value == "'+SUM(A1)"
    assert sheet["B7"].value == "'=HYPERLINK(\"http://x\")"


def test_overdue_list_downloads(client, people, plan, task):
    client.force_login(people["staff"])
    response = client.get("/ke-hoach/qua-han/xlsx/")
    sheet = load_workbook(io.BytesIO(response.content))["Qua_han"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Kế hoạch số"] == "156/KH-UBND" and row["Thời gian hoàn thành"] == "Quý II/2023"
    assert row["Số ngày quá hạn"] == (dt.date.today() - dt.date(2023, 6, 30)).days
    assert sheet.max_row == 2
