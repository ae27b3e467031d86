"""Reading the import workbook of interfaces.md §2 into plain, checked rows.

Nothing here writes to the database: `read_workbook` turns a file into `ParsedRow`s and
`ImportError`s (Vietnamese, naming row and column); `surveys.responses.services.import_responses`
saves the rows only when there is no error at all.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

from django.conf import settings
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from surveys.models import Channel
from surveys.questionnaires.definition import (
    AnswerValue,
    QuestionDef,
    QuestionnaireDef,
    check_consistency,
    check_values,
)

T = TypeVar("T")

SHEET_NAME = "Phieu"
META_COLUMNS = ("ma_phieu", "ma_co_quan", "ma_linh_vuc", "kenh", "ngay_khao_sat")
MAX_ROWS = 200_000  # questionnaires (data rows) in one file
MAX_COLUMNS = 500

# A .xlsx is a zip of XML parts. Before openpyxl opens one, its zip directory is checked so that
# a small upload cannot expand into gigabytes ("zip bomb") or thousands of parts.
DEFAULT_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 1_000
MAX_COMPRESSION_RATIO = 200  # a part this compressed …
RATIO_CHECK_MIN_BYTES = 10 * 1024 * 1024  # … and this large is not something Excel writes

NOT_A_WORKBOOK = "Tệp không phải là bảng tính Excel (.xlsx) đọc được; hãy lưu lại bằng Excel dạng .xlsx."
ABNORMAL_WORKBOOK = (
    "Tệp bảng tính bất thường (dung lượng giải nén quá lớn); hãy lưu lại tệp bằng Excel rồi tải lên lại."
)

MACRO_WORKBOOK = (
    "Tệp có chứa macro ({parts}); cổng không nhận bảng tính có macro. Hãy mở tệp bằng Excel, chọn "
    "Lưu thành (Save As) kiểu «Sổ làm việc Excel (*.xlsx)» — loại không có macro — rồi tải tệp mới lên."
)
LINKED_WORKBOOK = (
    "Tệp có liên kết lấy dữ liệu từ tệp hoặc nguồn bên ngoài ({parts}); cổng chỉ nhận bảng tính tự chứa "
    "số liệu. Trong Excel, chọn Dữ liệu → Sửa liên kết → Ngắt liên kết (Data → Edit Links → Break Link) "
    "và xóa các kết nối dữ liệu (Dữ liệu → Truy vấn và kết nối), lưu lại rồi tải tệp lên."
)


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
    # Agency codes the person importing may key questionnaires for; None = any agency of the
    # round (Sở Nội vụ staff, the command line).
    allowed_agencies: set[str] | None = None


class WorkbookUnreadable(Exception):
    """The file is not a workbook we can read at all."""


def column_codes(definition: QuestionnaireDef) -> tuple[str, ...]:
    return META_COLUMNS + tuple(q.code for q in definition.questions)


def _damaged(exc: Exception) -> WorkbookUnreadable:
    return WorkbookUnreadable(f"Không đọc được bảng tính: tệp bị hỏng hoặc sai định dạng ({type(exc).__name__}).")


def read_uploaded_workbook(source: IO[bytes] | str, read_rows: Callable[[Workbook], T]) -> T:
    """Open an uploaded workbook guarded against hostile archives and let `read_rows` read it;
    whatever openpyxl raises on a damaged or hostile file becomes one Vietnamese message."""
    check_archive(source)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise WorkbookUnreadable(NOT_A_WORKBOOK) from exc
    except Exception as exc:  # openpyxl raises many kinds of errors on hostile XML
        raise _damaged(exc) from exc
    try:
        return read_rows(workbook)
    except WorkbookUnreadable:
        raise
    except Exception as exc:
        raise _damaged(exc) from exc
    finally:
        workbook.close()


def read_workbook(source: IO[bytes] | str, context: ImportContext) -> tuple[list[ParsedRow], list[RowError]]:
    """Parse and check every row. Returns the good rows and every error found."""
    return read_uploaded_workbook(source, lambda workbook: _read_rows(workbook, context))


def check_archive(source: IO[bytes] | str) -> None:
    """Refuse, from the zip directory alone, what is not a workbook or would expand absurdly.

    Python's zipfile never inflates a member past the size its directory declares, so checking
    the declared sizes bounds what openpyxl can ever read."""
    limit = getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES)
    try:
        if not zipfile.is_zipfile(source):
            raise WorkbookUnreadable(NOT_A_WORKBOOK)
        _rewind(source)
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except WorkbookUnreadable:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise WorkbookUnreadable(NOT_A_WORKBOOK) from exc
    finally:
        _rewind(source)
    if len(members) > MAX_MEMBERS:
        raise WorkbookUnreadable(ABNORMAL_WORKBOOK)
    check_active_content(member.filename for member in members)
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if total > limit or (member.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO):
            raise WorkbookUnreadable(ABNORMAL_WORKBOOK)


def _is_macro_part(name: str) -> bool:
    return name.endswith("vbaProject.bin") or "/macrosheets/" in name or "/activeX/" in name


def _is_external_link_part(name: str) -> bool:
    return "/externalLinks/" in name or name.endswith("/connections.xml")


def check_active_content(part_names: Iterable[str]) -> None:
    """Refuse a workbook that carries macros or pulls data from other files or sources.

    Nothing in such a part is ever run or followed here; but a workbook whose cells may be
    recalculated from another file is not the paper batch the officer checked, and a macro
    workbook renamed .xlsx hides what it is. Refused by the part's name, before it is opened."""
    names = [name.replace("\\", "/") for name in part_names]
    macros = sorted(name for name in names if _is_macro_part(name))
    if macros:
        raise WorkbookUnreadable(MACRO_WORKBOOK.format(parts=", ".join(macros[:3])))
    links = sorted(name for name in names if _is_external_link_part(name))
    if links:
        raise WorkbookUnreadable(LINKED_WORKBOOK.format(parts=", ".join(links[:3])))


def _rewind(source: IO[bytes] | str) -> None:
    if not isinstance(source, (str, bytes)) and hasattr(source, "seek"):
        source.seek(0)


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _check_declared_size(sheet) -> None:
    """The sheet's declared <dimension ref>: a file claiming a million rows or sixteen thousand
    columns would make every row read as that wide, so it is refused before any row is read."""
    rows, columns = sheet.max_row, sheet.max_column
    if rows is None or columns is None:  # no <dimension>: the row loop still enforces the limits
        return
    if rows > MAX_ROWS + 1 or columns > MAX_COLUMNS:
        try:
            declared = f"{get_column_letter(sheet.min_column)}{sheet.min_row}:{get_column_letter(columns)}{rows} "
        except ValueError:
            declared = ""
        raise WorkbookUnreadable(
            f"Bảng tính khai báo vùng dữ liệu {declared}({_thousands(rows)} dòng × {_thousands(columns)} cột), "
            f"vượt quá giới hạn {_thousands(MAX_ROWS)} phiếu và {_thousands(MAX_COLUMNS)} cột; "
            "hãy xóa các dòng, cột thừa (hoặc chia thành nhiều tệp), lưu lại bằng Excel rồi tải lên lại."
        )


def _read_rows(workbook, context: ImportContext) -> tuple[list[ParsedRow], list[RowError]]:
    if not workbook.worksheets:
        raise WorkbookUnreadable("Bảng tính không có trang nào.")
    sheet = workbook.worksheets[0]
    _check_declared_size(sheet)
    # Past the check, read the rows actually there: a writer that declares too small a range
    # would otherwise lose rows silently, and rows need not be padded to the declared width.
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    if sheet.title != SHEET_NAME:
        return [], [RowError(None, None, f"Trang đầu tiên phải tên là “{SHEET_NAME}” (đang là “{sheet.title}”).")]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return [], [RowError(1, None, "bảng tính trống, thiếu dòng tiêu đề mã cột")]
    if len(header) > MAX_COLUMNS:
        return [], [RowError(1, None, f"bảng tính có {_thousands(len(header))} cột, vượt quá {_thousands(MAX_COLUMNS)}")]
    positions, errors = _read_header(header, column_codes(context.definition))
    if errors:
        return [], errors
    parsed: list[ParsedRow] = []
    first_row_of: dict[str, int] = {}
    for row_number, values in enumerate(rows, start=2):
        if row_number > MAX_ROWS + 1:
            errors.append(RowError(None, None, f"bảng tính có hơn {_thousands(MAX_ROWS)} phiếu; hãy chia thành nhiều tệp"))
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
    elif context.allowed_agencies is not None and row.agency_code not in context.allowed_agencies:
        error("ma_co_quan", f"bạn không được giao nhập phiếu cho cơ quan {row.agency_code}")
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
