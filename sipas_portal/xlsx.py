"""Small helpers for every XLSX the portal writes (index exports, response data, the report).

Cells that come from people (agency names, free-text answers, staff prose) may begin with a
character a spreadsheet reads as the start of a formula. `safe_cell` neutralises them so that
opening an export can never run one (CSV/formula injection, OWASP).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PERCENT_FORMAT = "0.00"
HEADER_FONT = Font(bold=True, color="1F3B6E")
HEADER_FILL = PatternFill("solid", fgColor="E8EDF5")


def safe_cell(value: Any) -> Any:
    """The value to write into a cell: text that would start a formula gets a leading '.

    Numbers, dates and None pass through unchanged (a negative number is not text).
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_table(
    sheet: Worksheet,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    number_format: str | None = PERCENT_FORMAT,
    number_columns: Iterable[int] = (),
    widths: dict[int, float] | None = None,
) -> None:
    """Header row (bold, frozen, filtered) then the rows, every value through `safe_cell`,
    into an empty sheet.

    `number_columns` (1-based) get `number_format`; numbers stay numbers.
    """
    sheet.append([safe_cell(h) for h in headers])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    formatted = sorted(set(number_columns)) if number_format else []
    last_row = 1  # counted here: Worksheet.max_row scans every cell, once per call
    for values in rows:
        last_row += 1
        sheet.append([safe_cell(v) for v in values])
        for column in formatted:
            cell = sheet.cell(row=last_row, column=column)
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    if last_row > 1:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{last_row}"
    for column, width in (widths or {}).items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def new_workbook() -> Workbook:
    """An empty workbook without its default sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
