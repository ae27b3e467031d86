"""Reading the import workbook of interfaces.md §2 into plain, checked rows.

Nothing here writes to the database: `read_workbook` turns a file into `ParsedRow`s and
`ImportError`s (Vietnamese, naming row and column); `surveys.services.import_responses`
saves the rows only when there is no error at all.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from .definition import AnswerValue, QuestionDef, QuestionnaireDef, check_consistency, check_values
from .models import Channel

SHEET_NAME = "Phieu"
META_COLUMNS = ("ma_phieu", "ma_co_quan", "ma_linh_vuc", "kenh", "ngay_khao_sat")
MAX_ROWS = 200_000
MAX_COLUMNS = 500


@dataclass(frozen=True)
class RowError:
    """Lỗi của một ô (hoặc một dòng khi `column` rỗng)."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"Dòng {self.row}")
        if self.column:
            where.append(f"cột {self.column}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass
class ParsedRow:
    row: int
    ma_phieu: str
    agency_code: str
    domain_code: str
    channel: str
    surveyed_on: dt.date | None
    answers: dict[str, AnswerValue] = field(default_factory=dict)


@dataclass
class ImportContext:
    """What the rows are checked against, gathered from the round beforehand."""

    definition: QuestionnaireDef
    round_code: str
    agency_domains: set[tuple[str, str]]
    agencies: set[str]
    existing_serials: set[str]


class WorkbookUnreadable(Exception):
    """The file is not a workbook we can read at all."""


def column_codes(definition: QuestionnaireDef) -> tuple[str, ...]:
    return META_COLUMNS + tuple(q.code for q in definition.questions)


def read_workbook(source: IO[bytes] | str, context: ImportContext) -> tuple[list[ParsedRow], list[RowError]]:
    """Parse and check every row. Returns the good rows and every error found."""
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise WorkbookUnreadable(
            "Tệp không phải là bảng tính Excel (.xlsx) đọc được; hãy lưu lại bằng Excel dạng .xlsx."
        ) from exc
    except Exception as exc:  # openpyxl raises many kinds of errors on hostile XML
        raise WorkbookUnreadable(f"Không đọc được bảng tính: tệp bị hỏng hoặc sai định dạng ({type(exc).__name__}).") from exc
    try:
        return _read_rows(workbook, context)
    except WorkbookUnreadable:
        raise
    except Exception as exc:
        raise WorkbookUnreadable(f"Không đọc được bảng tính: tệp bị hỏng hoặc sai định dạng ({type(exc).__name__}).") from exc
    finally:
        workbook.close()


def _read_rows(workbook, context: ImportContext) -> tuple[list[ParsedRow], list[RowError]]:
    if not workbook.worksheets:
        raise WorkbookUnreadable("Bảng tính không có trang nào.")
    sheet = workbook.worksheets[0]
    if sheet.title != SHEET_NAME:
        return [], [RowError(None, None, f"Trang đầu tiên phải tên là “{SHEET_NAME}” (đang là “{sheet.title}”).")]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return [], [RowError(1, None, "bảng tính trống, thiếu dòng tiêu đề mã cột")]
    if len(header) > MAX_COLUMNS:
        return [], [RowError(1, None, f"bảng tính có {len(header)} cột, vượt quá {MAX_COLUMNS}")]
    positions, errors = _read_header(header, column_codes(context.definition))
    if errors:
        return [], errors
    parsed: list[ParsedRow] = []
    first_row_of: dict[str, int] = {}
    for row_number, values in enumerate(rows, start=2):
        if row_number > MAX_ROWS + 1:
            errors.append(RowError(None, None, f"bảng tính có hơn {MAX_ROWS:,} dòng; hãy chia thành nhiều tệp"))
            break
        cells = {code: _cell(values, index) for code, index in positions.items()}
        if all(_is_blank(v) for v in cells.values()):
            continue
        row, row_errors = _parse_row(row_number, cells, context)
        if row is not None and not row_errors:
            earlier = first_row_of.setdefault(row.ma_phieu, row_number)
            if earlier != row_number:
                row_errors.append(RowError(row_number, "ma_phieu", f"mã phiếu {row.ma_phieu} trùng với dòng {earlier}"))
        errors.extend(row_errors)
        if row is not None and not row_errors:
            parsed.append(row)
    if not parsed and not errors:
        errors.append(RowError(None, None, "bảng tính không có phiếu nào (từ dòng 2)"))
    return parsed, errors


def _cell(values: tuple, index: int) -> Any:
    return values[index] if index < len(values) else None


def _read_header(header: tuple, expected: tuple[str, ...]) -> tuple[dict[str, int], list[RowError]]:
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for index, raw in enumerate(header):
        if _is_blank(raw):
            continue
        code = str(raw).strip()
        if code not in expected:
            errors.append(RowError(1, code, "cột không có trong mẫu phiếu của đợt"))
        elif code in positions:
            errors.append(RowError(1, code, "cột bị lặp lại"))
        else:
            positions[code] = index
    for code in expected:
        if code not in positions:
            errors.append(RowError(1, code, "thiếu cột bắt buộc"))
    return positions, errors


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_row(row_number: int, cells: dict[str, Any], context: ImportContext) -> tuple[ParsedRow | None, list[RowError]]:
    answers: dict[str, AnswerValue] = {}
    errors: list[RowError] = []
    for question in context.definition.questions:
        raw = cells[question.code]
        if _is_blank(raw):
            continue
        value, message = parse_answer(question, raw)
        if message:
            errors.append(RowError(row_number, question.code, message))
        else:
            answers[question.code] = value
    row = ParsedRow(
        row=row_number,
        ma_phieu=_text(cells["ma_phieu"]),
        agency_code=_text(cells["ma_co_quan"]).upper(),
        domain_code=_text(cells["ma_linh_vuc"]).upper(),
        channel=_text(cells["kenh"]).upper(),
        surveyed_on=parse_date(cells["ngay_khao_sat"]),
        answers=answers,
    )
    # Rules across questions need every answer read: with an unreadable one they would mislead.
    errors += check_row(row, context, answers_complete=not errors)
    order = {code: i for i, code in enumerate(column_codes(context.definition))}
    errors.sort(key=lambda e: order.get(e.column or "", len(order)))
    return (None, errors) if errors else (row, [])


def check_row(row: ParsedRow, context: ImportContext, *, answers_complete: bool = True) -> list[RowError]:
    """Every rule a questionnaire must meet in its round (methodology §4, interfaces §2)."""
    errors: list[RowError] = []

    def error(column: str | None, message: str) -> None:
        errors.append(RowError(row.row, column, message))

    round_code = context.round_code
    if not row.ma_phieu:
        error("ma_phieu", "thiếu mã phiếu")
    elif row.ma_phieu in context.existing_serials:
        error("ma_phieu", f"mã phiếu {row.ma_phieu} đã có trong đợt {round_code}")
    if not row.agency_code:
        error("ma_co_quan", "thiếu mã cơ quan")
    elif row.agency_code not in context.agencies:
        error("ma_co_quan", f"cơ quan {row.agency_code} không tham gia đợt {round_code}")
    if not row.domain_code:
        error("ma_linh_vuc", "thiếu mã lĩnh vực")
    elif row.agency_code in context.agencies and (row.agency_code, row.domain_code) not in context.agency_domains:
        error("ma_linh_vuc", f"cơ quan {row.agency_code} không khảo sát lĩnh vực {row.domain_code} trong đợt {round_code}")
    if row.channel not in Channel.values:
        error("kenh", f"kênh {row.channel or '(trống)'} không hợp lệ; dùng một trong {', '.join(Channel.values)}")
    if row.surveyed_on is None:
        error("ngay_khao_sat", "ngày khảo sát phải là ngày Excel, YYYY-MM-DD hoặc dd/mm/yyyy")
    problems = check_values(context.definition, row.answers)
    if answers_complete:
        problems += check_consistency(context.definition, row.answers)
    for problem in problems:
        error(problem.question or _criteria_span(context.definition), problem.message)
    return errors


def _criteria_span(definition: QuestionnaireDef) -> str:
    codes = definition.criterion_codes
    return f"{codes[0]}…{codes[-1]}" if codes else "C"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_INTEGER = re.compile(r"^\s*(\d+)(?:[.,]0+)?\s*$")


def parse_option_number(value: Any) -> int | None:
    """4, 4.0, "4", " 4.0 " → 4; anything else → None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        match = _INTEGER.match(value)
        return int(match.group(1)) if match else None
    return None


def parse_answer(question: QuestionDef, raw: Any) -> tuple[AnswerValue | None, str | None]:
    """A cell as an answer to `question`, or a Vietnamese message saying what is wrong."""
    if question.kind == "text":
        return _text(raw), None
    if question.kind == "multi":
        parts = [p for p in re.split(r"[;,]", _text(raw)) if p.strip()]
        numbers = [parse_option_number(p) for p in parts]
        if not numbers or any(n is None for n in numbers):
            return None, f"“{_text(raw)}” không phải các số phương án cách nhau bởi dấu ; (ví dụ 1;3)"
        return frozenset(numbers), None
    number = parse_option_number(raw)
    if number is None:
        return None, f"“{_text(raw)}” không phải là số phương án"
    return number, None


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            converted = from_excel(value)
        except (ValueError, OverflowError, TypeError):
            return None
        return converted.date() if isinstance(converted, dt.datetime) else None
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    return None
