"""The plan's appendix as a printable PDF (WeasyPrint, A4 landscape) and as XLSX.

Both are built from the same rows (appendix.py) so that the paper and the spreadsheet never
disagree. The PDF follows the provinces' plans: "PHỤ LỤC", the appendix title, "(Kèm theo Kế
hoạch số …/KH-UBND ngày … của …)", then the table STT | Nhiệm vụ, giải pháp | … grouped under
headings I, II, III…, in Liberation Serif (every Vietnamese diacritic), page numbers at the top.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sipas_portal.xlsx import HEADER_FILL, HEADER_FONT, new_workbook, safe_cell, workbook_bytes, write_table

from .appendix import APPENDIX_COLUMNS, AppendixGroup
from .models import ImprovementPlan, PlanTask, TaskProgress

PLANS_CSS = "css/plans.css"
XLSX_WIDTHS = (7, 60, 18, 26, 30, 14, 26, 30)
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TOP_WRAP = Alignment(vertical="top", wrap_text=True)


def long_date(day: dt.date) -> str:
    """“ngày 06 tháng 7 năm 2022”: the day below 10 and the months 1 and 2 take a leading zero
    (Nghị định 30/2020/NĐ-CP on administrative documents)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def attached_to(plan: ImprovementPlan) -> str:
    """“(Kèm theo Kế hoạch số 156/KH-UBND ngày 06 tháng 7 năm 2022 của Ủy ban nhân dân tỉnh Lạng Sơn)”."""
    return f"(Kèm theo Kế hoạch số {plan.number} {long_date(plan.issued_on)} của {plan.issuer})"


def appendix_context(plan: ImprovementPlan, groups: Sequence[AppendixGroup]) -> dict:
    return {
        "plan": plan,
        "groups": groups,
        "columns": APPENDIX_COLUMNS,
        "heading": plan.appendix_heading.upper(),
        "attached_to": attached_to(plan),
    }


def _stylesheet_path() -> Path:
    found = finders.find(PLANS_CSS)
    if not found:
        raise FileNotFoundError(f"Không tìm thấy tệp kiểu {PLANS_CSS} trong static/.")
    return Path(found)


def appendix_pdf(plan: ImprovementPlan, groups: Sequence[AppendixGroup]) -> bytes:
    from weasyprint import CSS, HTML  # imported late: Pango loads only when a PDF is made

    html = render_to_string("plans/appendix_pdf.html", appendix_context(plan, groups))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(filename=str(_stylesheet_path()))]
    )


def _landscape(sheet: Worksheet, *, title_rows: str = "1:1") -> None:
    """A4 landscape, one page wide, the header row(s) repeated on every printed page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows


def _appendix_sheet(sheet: Worksheet, plan: ImprovementPlan, groups: Sequence[AppendixGroup]) -> None:
    width = len(APPENDIX_COLUMNS)
    last = get_column_letter(width)
    for row, (text, font) in enumerate(
        [("PHỤ LỤC", Font(name="Times New Roman", bold=True, size=13)),
         (plan.appendix_heading.upper(), Font(name="Times New Roman", bold=True, size=13)),
         (attached_to(plan), Font(name="Times New Roman", italic=True, size=12))],
        start=1,
    ):
        sheet.merge_cells(f"A{row}:{last}{row}")
        cell = sheet.cell(row=row, column=1, value=safe_cell(text))
        cell.font = font
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[2].height = 34
    header_row = 5
    for column, title in enumerate(APPENDIX_COLUMNS, start=1):
        cell = sheet.cell(row=header_row, column=column, value=title)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    row = header_row
    for group in groups:
        row += 1
        sheet.cell(row=row, column=1, value=group.numeral)
        sheet.cell(row=row, column=2, value=safe_cell(group.title))
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=width)
        for column in range(1, width + 1):
            cell = sheet.cell(row=row, column=column)
            cell.font, cell.border, cell.alignment = Font(bold=True), BORDER, TOP_WRAP
        for task in group.rows:
            row += 1
            for column, value in enumerate(task.cells(), start=1):
                cell = sheet.cell(row=row, column=column, value=safe_cell(value))
                cell.border, cell.alignment = BORDER, TOP_WRAP
            sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center", vertical="top")
    for column, column_width in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = column_width
    sheet.freeze_panes = f"A{header_row + 1}"
    _landscape(sheet, title_rows=f"{header_row}:{header_row}")
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.6
    sheet.page_margins.top = sheet.page_margins.bottom = 0.7
    sheet.oddFooter.center.text = "Trang &P/&N"




def appendix_xlsx(
    plan: ImprovementPlan,
    groups: Sequence[AppendixGroup],
    tasks: Sequence[PlanTask],
    progress: Sequence[TaskProgress],
    *,
    today: dt.date,
) -> bytes:
    """Sheets: Phu_luc (the appendix as printed), Nhiem_vu (one row per task, with status and
    due day as real dates and numbers, for filtering), Tien_do (every progress report)."""
    workbook = new_workbook()
    _appendix_sheet(workbook.create_sheet("Phu_luc"), plan, groups)

    numbers = {row.task_id: f"{group.numeral}.{row.number}" for group in groups for row in group.rows}
    tasks_sheet = workbook.create_sheet("Nhiem_vu")
    write_table(
        tasks_sheet,
        ["STT", "Đề mục", "Nhiệm vụ, giải pháp", "Yếu tố", "Tiêu chí", "Cơ quan chủ trì", "Cơ quan phối hợp",
         "Thời gian hoàn thành", "Hạn hoàn thành", "Tình trạng", "Tỷ lệ hoàn thành (%)", "Báo cáo gần nhất",
         "Quá hạn"],
        (
            [numbers.get(t.pk, ""), t.group, t.content, ", ".join(t.factor_codes), ", ".join(t.criterion_codes),
             t.lead_agency.name,
             "; ".join([*(a.name for a in t.cooperating_agencies.all()), *([t.cooperating_other] if t.cooperating_other else [])]),
             t.deadline_label, t.deadline_date, t.get_status_display(), t.percent, t.last_reported_on,
             "Quá hạn" if t.is_overdue(today) else ""]
            for t in tasks
        ),
        number_format="0", number_columns=[11],
        widths={1: 8, 2: 28, 3: 60, 4: 10, 5: 16, 6: 28, 7: 32, 8: 16, 9: 14, 10: 16, 11: 12, 12: 14, 13: 10},
    )
    for row in tasks_sheet.iter_rows(min_row=2, min_col=9, max_col=12):
        for cell in (row[0], row[3]):
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
    _landscape(tasks_sheet)

    progress_sheet = workbook.create_sheet("Tien_do")
    write_table(
        progress_sheet,
        ["STT nhiệm vụ", "Nhiệm vụ, giải pháp", "Ngày báo cáo", "Cơ quan báo cáo", "Người báo cáo", "Tình trạng",
         "Tỷ lệ hoàn thành (%)", "Kết quả, khó khăn, kiến nghị"],
        (
            [numbers.get(p.task_id, ""), p.task.content, p.reported_on, p.agency.name, p.reporter_name,
             p.get_status_display(), p.percent, p.note]
            for p in progress
        ),
        number_format="0", number_columns=[7], widths={1: 10, 2: 50, 3: 14, 4: 28, 5: 22, 6: 16, 7: 12, 8: 60},
    )
    for (cell,) in progress_sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        cell.number_format = "DD/MM/YYYY"
    _landscape(progress_sheet)
    return workbook_bytes(workbook)


def overdue_xlsx(tasks: Sequence[PlanTask], *, today: dt.date) -> bytes:
    workbook = new_workbook()
    sheet = workbook.create_sheet("Qua_han")
    write_table(
        sheet,
        ["Đợt", "Kế hoạch số", "Thứ tự", "Nhiệm vụ, giải pháp", "Cơ quan chủ trì", "Thời gian hoàn thành",
         "Hạn hoàn thành", "Số ngày quá hạn", "Tình trạng", "Tỷ lệ hoàn thành (%)", "Báo cáo gần nhất"],
        (
            [t.plan.round.code, t.plan.number, t.order, t.content, t.lead_agency.name, t.deadline_label,
             t.deadline_date, (today - t.deadline_date).days, t.get_status_display(), t.percent, t.last_reported_on]
            for t in tasks
        ),
        number_format="0", number_columns=[8, 10],
        widths={1: 10, 2: 16, 3: 8, 4: 60, 5: 30, 6: 16, 7: 14, 8: 10, 9: 16, 10: 12, 11: 14},
    )
    for row in sheet.iter_rows(min_row=2, min_col=7, max_col=11):
        for cell in (row[0], row[4]):
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
    _landscape(sheet)
    return workbook_bytes(workbook)
