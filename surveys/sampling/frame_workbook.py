"""Khung mẫu as a workbook: the template an agency fills in and the reading of an uploaded one
into checked rows ("Dòng N, cột X: …" errors, nothing saved on any). Pure reading: the upload
service (surveys.sampling.frames.upload_frame) stores what this returns."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils import timezone
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from sipas_portal.xlsx import new_workbook, safe_cell, workbook_bytes
from surveys.models import RoundAgencyDomain, SurveyRound
from surveys.responses.importing import RowError, WorkbookUnreadable, parse_date, read_uploaded_workbook

SHEET_NAME = "Khung_mau"
GUIDE_SHEET = "Huong_dan"
MAX_FRAME_ROWS = 50_000
MAX_FRAME_COLUMNS = 50
DATE_FORMAT = "%d/%m/%Y"


@dataclass(frozen=True)
class FrameColumn:
    key: str
    label: str
    aliases: tuple[str, ...]
    max_length: int = 0


FRAME_COLUMNS = (
    FrameColumn("full_name", "Họ và tên", ("họ tên", "ho_ten", "ho va ten"), 255),
    FrameColumn("address", "Địa chỉ", ("dia_chi", "dia chi"), 500),
    FrameColumn("phone", "Điện thoại", ("số điện thoại", "dien_thoai", "dien thoai"), 30),
    FrameColumn("procedure", "Thủ tục", ("thủ tục hành chính", "thu_tuc", "thu tuc"), 500),
    FrameColumn("domain_code", "Mã lĩnh vực", ("ma_linh_vuc", "ma linh vuc"), 30),
    FrameColumn("completed_on", "Ngày trả kết quả", ("ngay_tra_ket_qua", "ngay tra ket qua"), 0),
)
REQUIRED_COLUMNS = ("full_name", "address", "phone", "procedure", "domain_code", "completed_on")


# --------------------------------------------------------------------------- reading a frame
@dataclass
class FrameRow:
    row: int
    full_name: str
    address: str
    phone: str
    procedure: str
    domain_code: str
    completed_on: dt.date


@dataclass
class FrameContext:
    round_code: str
    agency_code: str
    domain_codes: set[str]
    today: dt.date = field(default_factory=timezone.localdate)


def _normalise(text: Any) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(text)).strip().lower())


def _header_keys() -> dict[str, str]:
    keys = {}
    for column in FRAME_COLUMNS:
        for name in (column.label, *column.aliases):
            keys[_normalise(name)] = column.key
    return keys


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"\s+", " ", str(value)).strip()


_PHONE_SEPARATORS = re.compile(r"[\s.\-()/]")
_PHONE = re.compile(r"^\+?\d{8,15}$")


def parse_phone(value: Any) -> tuple[str, str | None]:
    """A phone number as digits (a leading + kept), or a message. Excel drops the leading 0
    of a number typed as a number, so a 9-digit number gets it back (0912… in Việt Nam)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            return "", f"số điện thoại “{value}” không hợp lệ"
        digits = str(int(value))
        return ("0" + digits if len(digits) == 9 else digits), None
    text = _text(value)
    digits = _PHONE_SEPARATORS.sub("", text)
    if not _PHONE.match(digits):
        return "", f"số điện thoại “{text}” không hợp lệ (8–15 chữ số, có thể có dấu + ở đầu)"
    return digits, None


def read_frame_workbook(source: IO[bytes] | str, context: FrameContext) -> tuple[list[FrameRow], list[RowError]]:
    """Parse and check every row of an uploaded frame; nothing is written."""
    return read_uploaded_workbook(source, lambda workbook: _read_frame_rows(workbook, context))


def _read_frame_rows(workbook, context: FrameContext) -> tuple[list[FrameRow], list[RowError]]:
    if not workbook.worksheets:
        raise WorkbookUnreadable("Bảng tính không có trang nào.")
    sheet = workbook.worksheets[0]
    rows_declared, columns_declared = sheet.max_row, sheet.max_column
    if (rows_declared or 0) > MAX_FRAME_ROWS + 1 or (columns_declared or 0) > MAX_FRAME_COLUMNS:
        raise WorkbookUnreadable(
            f"Bảng tính khai báo {rows_declared} dòng × {columns_declared} cột, vượt quá giới hạn "
            f"{MAX_FRAME_ROWS} người và {MAX_FRAME_COLUMNS} cột; hãy xóa dòng, cột thừa hoặc chia thành nhiều tệp."
        )
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return [], [RowError(1, None, "bảng tính trống, thiếu dòng tiêu đề")]
    positions, errors = _read_frame_header(tuple(header)[:MAX_FRAME_COLUMNS + 1])
    if errors:
        return [], errors
    parsed: list[FrameRow] = []
    first_row_of: dict[tuple, int] = {}
    for row_number, values in enumerate(rows, start=2):
        if row_number > MAX_FRAME_ROWS + 1:
            errors.append(RowError(None, None, f"bảng tính có hơn {MAX_FRAME_ROWS} người; hãy chia thành nhiều tệp"))
            break
        cells = {key: (values[i] if i < len(values) else None) for key, (i, _) in positions.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        row, row_errors = _parse_frame_row(row_number, cells, positions, context)
        if row is not None:
            identity = (_normalise(row.full_name), row.phone, _normalise(row.address), _normalise(row.procedure),
                        row.domain_code, row.completed_on)
            earlier = first_row_of.setdefault(identity, row_number)
            if earlier != row_number:
                row_errors.append(RowError(row_number, None, f"trùng hoàn toàn với dòng {earlier}"))
        errors.extend(row_errors)
        if row is not None and not row_errors:
            parsed.append(row)
    if not parsed and not errors:
        errors.append(RowError(None, None, "bảng tính không có người nào (từ dòng 2)"))
    return parsed, errors


def _read_frame_header(header: tuple) -> tuple[dict[str, tuple[int, str]], list[RowError]]:
    """Column key → (index, “C (Điện thoại)”) from row 1."""
    known = _header_keys()
    labels = {c.key: c.label for c in FRAME_COLUMNS}
    positions: dict[str, tuple[int, str]] = {}
    errors: list[RowError] = []
    if len(header) > MAX_FRAME_COLUMNS:
        return {}, [RowError(1, None, f"bảng tính có hơn {MAX_FRAME_COLUMNS} cột")]
    for index, raw in enumerate(header):
        if _text(raw) == "":
            continue
        letter = get_column_letter(index + 1)
        key = known.get(_normalise(raw))
        if key is None:
            continue  # an extra column (số thứ tự, ghi chú…) is allowed and ignored
        if key in positions:
            errors.append(RowError(1, f"{letter} ({_text(raw)})", f"cột “{labels[key]}” bị lặp lại"))
        else:
            positions[key] = (index, f"{letter} ({labels[key]})")
    for key in REQUIRED_COLUMNS:
        if key not in positions:
            errors.append(RowError(1, None, f"thiếu cột “{labels[key]}” (dòng 1 phải có tiêu đề các cột: "
                                            + ", ".join(c.label for c in FRAME_COLUMNS) + ")"))
    return positions, errors


def _parse_frame_row(
    row_number: int, cells: dict[str, Any], positions: dict[str, tuple[int, str]], context: FrameContext
) -> tuple[FrameRow | None, list[RowError]]:
    errors: list[RowError] = []

    def error(key: str | None, message: str) -> None:
        errors.append(RowError(row_number, positions[key][1] if key else None, message))

    values: dict[str, str] = {}
    for column in FRAME_COLUMNS:
        if column.key in ("phone", "completed_on"):
            continue
        values[column.key] = _text(cells[column.key])
        if column.max_length and len(values[column.key]) > column.max_length:
            error(column.key, f"dài {len(values[column.key])} ký tự, tối đa {column.max_length}")
    if not values["full_name"]:
        error("full_name", "thiếu họ và tên")
    phone = ""
    if _text(cells["phone"]):
        phone, message = parse_phone(cells["phone"])
        if message:
            error("phone", message)
    if not values["address"] and not _text(cells["phone"]):
        error(None, "cần ít nhất địa chỉ (để gửi phiếu qua bưu điện) hoặc số điện thoại")
    domain = values["domain_code"].upper()
    if not domain:
        error("domain_code", "thiếu mã lĩnh vực")
    elif domain not in context.domain_codes:
        allowed = ", ".join(sorted(context.domain_codes)) or "không có lĩnh vực nào"
        error("domain_code", f"cơ quan {context.agency_code} không khảo sát lĩnh vực {domain} trong đợt "
                             f"{context.round_code} (các lĩnh vực của cơ quan: {allowed})")
    raw_date = cells["completed_on"]
    completed_on = parse_date(raw_date)
    if _text(raw_date) == "":
        error("completed_on", "thiếu ngày trả kết quả")
    elif completed_on is None:
        error("completed_on", f"“{_text(raw_date)}” không phải ngày dd/mm/yyyy")
    elif completed_on > context.today:
        error("completed_on", f"ngày trả kết quả {completed_on:%d/%m/%Y} ở tương lai")
    if errors:
        return None, errors
    return FrameRow(
        row=row_number, full_name=values["full_name"], address=values["address"], phone=phone,
        procedure=values["procedure"], domain_code=domain, completed_on=completed_on,
    ), []


# --------------------------------------------------------------------------- template
def frame_template_bytes(survey_round: SurveyRound, agency_ids: set[int] | None) -> bytes:
    """Mẫu khung mẫu: sheet Khung_mau with the six headed columns (typed as text so that a
    phone keeps its leading 0) and sheet Huong_dan with the rules and the domains per agency."""
    workbook = new_workbook()
    sheet = workbook.create_sheet(SHEET_NAME)
    sheet.append([c.label for c in FRAME_COLUMNS])
    for column, width in zip("ABCDEF", (28, 48, 16, 48, 14, 18), strict=True):
        sheet.column_dimensions[column].width = width
        sheet[f"{column}1"].font = Font(bold=True)
        if column != "F":
            for row in range(2, 502):
                sheet[f"{column}{row}"].number_format = "@"
    for row in range(2, 502):
        sheet[f"F{row}"].number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.append([f"Khung mẫu đợt {survey_round.code}: danh sách người đã giải quyết xong thủ tục trong kỳ"])
    guide["A1"].font = Font(bold=True, size=13)
    for line in (
        "Trang đầu tiên: dòng 1 là tiêu đề cột (giữ nguyên), mỗi dòng tiếp theo là một người; dòng trống bỏ qua.",
        "Họ và tên: bắt buộc. Cần ít nhất địa chỉ hoặc điện thoại.",
        "Điện thoại: 8–15 chữ số, có thể có dấu cách, dấu chấm, dấu + ở đầu.",
        "Mã lĩnh vực: một mã lĩnh vực của cơ quan trong đợt (bảng dưới).",
        "Ngày trả kết quả: dd/mm/yyyy (ví dụ 05/10/2022), không ở tương lai.",
        "Tệp có lỗi thì không dòng nào được lưu: sửa các dòng được báo lỗi rồi tải lên lại.",
    ):
        guide.append([line])
    guide.append([])
    guide.append(["Mã cơ quan", "Tên cơ quan", "Mã lĩnh vực", "Tên lĩnh vực", "Chỉ tiêu phiếu"])
    pairs = RoundAgencyDomain.objects.filter(round=survey_round).select_related("agency", "domain")
    if agency_ids is not None:
        pairs = pairs.filter(agency_id__in=agency_ids)
    for pair in pairs.order_by("agency__code", "domain__code"):
        guide.append([safe_cell(v) for v in (pair.agency.code, pair.agency.name, pair.domain.code,
                                             pair.domain.name, pair.quota)])
    for letter, width in zip("ABCDE", (90, 48, 14, 48, 14), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return workbook_bytes(workbook)
