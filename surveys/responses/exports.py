"""The questionnaire downloads of a round, each built as a `sipas_portal.downloads.Download`
(no request, no audit: the views scope, record the download and serve it).

Danh sách phiếu (the import workbook's layout), khác biệt and tỷ lệ khớp nhập kép, cảnh báo
chất lượng — and, below them, dữ liệu phiếu ẩn danh:

Dữ liệu phiếu ẩn danh: a round's questionnaires as one row each, for statistical packages.

One row per questionnaire: ma_phieu, the agency (code, name, level in the round's tree), the
domain, the channel and the date, then one column per question — the option number for single
and scale questions, one 0/1 column per option for multi-choice questions (blank when the
question was not answered, so "not chosen" and "not answered" stay apart). Free-text answers
are left out: people write names and phone numbers there, so they cannot be called anonymous.
No sample-frame data is read at all.

Written as XLSX, CSV (UTF-8 with a BOM, so Excel shows Vietnamese correctly) and SPSS `.sav`
(pyreadstat, UTF-8, variable and value labels). Rows are read in keyset-paginated batches with
`.values_list(...).iterator()`, so memory holds one batch of Python objects at a time; the
`.sav` is assembled as compact typed columns (polars) because the writer needs the whole table.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from sipas_portal.downloads import Download
from sipas_portal.formatting import format_number
from sipas_portal.xlsx import HEADER_FILL, HEADER_FONT, new_workbook, safe_cell, workbook_bytes, write_table
from surveys.models import (
    Agency,
    Answer,
    Channel,
    Domain,
    Question,
    Response,
    ResponseFlag,
    RoundAgency,
    SurveyRound,
    Verification,
)
from surveys.questionnaires.definition import QuestionnaireDef
from surveys.responses.answers import read_answers
from surveys.responses.double_entry import Comparison, question_agreement, round_agreement
from surveys.responses.importing import column_codes

BATCH_SIZE = 2000
XLSX_MAX_ROWS = 1_048_576 - 1  # Excel's sheet limit, less the header row
DATE_FORMAT = "%d/%m/%Y"
CSV_BOM = "\ufeff"
# SPSS limits (in bytes of the file's encoding, UTF-8 here).
SPSS_NAME_BYTES = 64
SPSS_LABEL_BYTES = 255
SPSS_VALUE_LABEL_BYTES = 120
SPSS_NOTE_LINE_BYTES = 80  # a .sav document is a list of 80-byte lines
SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}

TEXT_EXCLUDED_NOTE = (
    "Không gồm câu trả lời tự do (câu hỏi tự trả lời) vì người trả lời có thể ghi họ tên, số điện "
    "thoại, địa chỉ; không gồm bất kỳ thông tin cá nhân nào của danh sách chọn mẫu."
)
MULTI_NOTE = (
    "Câu hỏi chọn nhiều: mỗi phương án một cột, 1 = có chọn, 0 = không chọn; để trống khi phiếu không "
    "trả lời câu hỏi đó (hoặc câu hỏi không áp dụng)."
)
CHOSEN_LABELS = {0: "Không chọn", 1: "Có chọn"}
AUTOMATIC_ENTRY = "nhập tự động"  # an entry with no user behind it (double-entry downloads and pages)

FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "sav": ("application/x-spss-sav", "sav"),
}


def person_name(user: AbstractBaseUser | None, *, nobody: str = "") -> str:
    """A user as the downloads name them: full name, else the login; `nobody` without one."""
    if user is None:
        return nobody
    return user.get_full_name() or user.get_username()


def _local_stamp(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M:%S") if moment else None


def _double_entry_cell(response: Response, blind_ids: Collection[int]) -> str:
    if response.pk in blind_ids:
        return "Chờ nhập lần hai: câu trả lời không hiện với người có thể nhập lần hai"
    return "" if response.verification == Verification.NOT_REQUIRED else response.get_verification_display()


def _list_cell(value: object) -> object:
    """Numbers stay numbers; several options as “1;3”, as in the import workbook."""
    return ";".join(str(v) for v in value) if isinstance(value, list) else value


def questionnaire_list(
    *, survey_round: SurveyRound, definition: QuestionnaireDef, responses: QuerySet[Response],
    blind_ids: Collection[int], shown_text: Callable[[str], str],
) -> tuple[Download, int]:
    """Danh sách phiếu, and how many it holds: sheet “Phieu” in the import workbook's layout
    (so it can be checked or re-imported as is) and sheet “Thong_tin” with names and who
    entered each one. `blind_ids` (access.blind_to_first_entry) keep their answers blank; free
    text is as `shown_text` (access.shown_free_text) lets the downloader read it."""
    listed = list(responses.order_by("ma_phieu"))
    answers = read_answers(
        Answer.objects.filter(response__in=responses.order_by().values("pk")).exclude(response_id__in=blind_ids),
        shown_text=shown_text,
    )
    workbook = new_workbook()
    question_codes = [q.code for q in definition.questions]
    sheet = workbook.create_sheet("Phieu")
    write_table(
        sheet,
        column_codes(definition),
        (
            [r.ma_phieu, r.agency.code, r.domain.code, r.channel, r.surveyed_on]
            + [_list_cell(answers.get(r.pk, {}).get(c)) for c in question_codes]
            for r in listed
        ),
        number_format=None,
    )
    for row in sheet.iter_rows(min_row=2, min_col=5, max_col=5):
        row[0].number_format = "DD/MM/YYYY"
    write_table(
        workbook.create_sheet("Thong_tin"),
        ["Mã phiếu", "Mã cơ quan", "Cơ quan", "Mã lĩnh vực", "Lĩnh vực", "Kênh", "Ngày khảo sát",
         "Người nhập", "Nhập lúc", "Sửa lúc", "Nhập kép"],
        (
            [r.ma_phieu, r.agency.code, r.agency.name, r.domain.code, r.domain.name, r.get_channel_display(),
             r.surveyed_on.strftime(DATE_FORMAT) if r.surveyed_on else None,
             person_name(r.entered_by), _local_stamp(r.entered_at), _local_stamp(r.updated_at),
             _double_entry_cell(r, blind_ids)]
            for r in listed
        ),
        number_format=None,
        widths={1: 14, 3: 36, 5: 36, 6: 24, 7: 14, 8: 22, 9: 20, 10: 20, 11: 40},
    )
    return Download(f"phieu-{survey_round.code}.xlsx", workbook_bytes(workbook)), len(listed)


def mismatches(*, survey_round: SurveyRound, comparisons: Iterable[Comparison]) -> tuple[Download, int]:
    """Khác biệt nhập kép — every differing item of the questionnaires waiting for resolution,
    one row each, as the downloader may read them — and how many rows."""
    rows = [
        [result.response.ma_phieu, result.response.agency.code, result.response.domain.code, difference.code,
         difference.first_text, difference.second_text,
         person_name(result.response.entered_by, nobody=AUTOMATIC_ENTRY),
         person_name(result.entry.entered_by, nobody=AUTOMATIC_ENTRY)]
        for result in comparisons
        for difference in result.differences
    ]
    workbook = new_workbook()
    write_table(workbook.create_sheet("Khac_biet"),
                ["Mã phiếu", "Mã cơ quan", "Mã lĩnh vực", "Mục", "Lần nhập đầu", "Lần nhập hai",
                 "Người nhập lần đầu", "Người nhập lần hai"], rows, number_format=None,
                widths={5: 30, 6: 30, 7: 22, 8: 22})
    return Download(f"khac-biet-nhap-kep-{survey_round.code}.xlsx", workbook_bytes(workbook)), len(rows)


def agreement(*, survey_round: SurveyRound, definition: QuestionnaireDef) -> Download:
    """Tỷ lệ khớp nhập kép, by officer and by question."""
    workbook = new_workbook()
    write_table(
        workbook.create_sheet("Theo_can_bo"),
        ["Cán bộ", "Số phiếu nhập kép", "Nhập lần đầu", "Nhập lần hai", "Phiếu khớp hoàn toàn", "Tỷ lệ phiếu khớp (%)",
         "Số mục so sánh", "Số mục khớp", "Tỷ lệ mục khớp (%)"],
        ([r.name, r.forms, r.as_first, r.as_second, r.forms_equal, r.form_rate, r.items, r.items_equal, r.item_rate]
         for r in round_agreement(survey_round)),
        number_format="0.00", number_columns=(6, 9), widths={1: 28},
    )
    write_table(
        workbook.create_sheet("Theo_cau_hoi"),
        ["Mã", "Câu hỏi / mục", "Số phiếu nhập kép", "Số phiếu khác nhau", "Tỷ lệ khớp (%)"],
        ([c, label, total, diff, 100 * (total - diff) / total if total else None]
         for c, label, total, diff in question_agreement(survey_round, definition)),
        number_format="0.00", number_columns=(5,), widths={2: 60},
    )
    return Download(f"ty-le-khop-{survey_round.code}.xlsx", workbook_bytes(workbook))


def _minute(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def quality_flags(*, survey_round: SurveyRound, flags: Iterable[ResponseFlag]) -> Download:
    """Cảnh báo chất lượng phiếu, as listed (filtered) for the downloader."""
    workbook = new_workbook()
    write_table(
        workbook.create_sheet("Canh_bao"),
        ["Mã phiếu", "Mã cơ quan", "Mã lĩnh vực", "Loại cảnh báo", "Chi tiết", "Phiếu liên quan", "Người nhập",
         "Phát hiện lúc", "Đã xem xét", "Người xem xét", "Xem xét lúc", "Kết luận"],
        ([f.response.ma_phieu, f.response.agency.code, f.response.domain.code, f.get_kind_display(), f.detail,
          f.related.ma_phieu if f.related else "", person_name(f.response.entered_by),
          _minute(f.created_at), "có" if f.reviewed_at else "chưa",
          person_name(f.reviewed_by), _minute(f.reviewed_at), f.review_note] for f in flags),
        number_format=None, widths={4: 30, 5: 50, 12: 40},
    )
    return Download(f"canh-bao-phieu-{survey_round.code}.xlsx", workbook_bytes(workbook))


# --------------------------------------------------------------------------- the anonymised data
class ExportTooLarge(Exception):
    """The chosen format cannot hold this many rows; the message says what to do instead."""


# --------------------------------------------------------------------------- layout (pure)
@dataclass(frozen=True)
class Column:
    name: str  # header in XLSX/CSV, variable name in SPSS
    label: str  # variable label
    kind: str  # "string" | "date" | "number"
    value_labels: Mapping[Any, str] | None = None
    measure: str = "nominal"  # SPSS measurement level: nominal | ordinal | scale


META_COLUMNS: tuple[Column, ...] = (
    Column("ma_phieu", "Mã phiếu", "string"),
    Column("ma_co_quan", "Mã cơ quan được đánh giá", "string"),
    Column("ten_co_quan", "Tên cơ quan được đánh giá", "string"),
    Column("cap", "Cấp của cơ quan trong đợt khảo sát", "string"),
    Column("ma_linh_vuc", "Mã lĩnh vực thủ tục hành chính", "string"),
    Column("kenh", "Kênh thu thập phiếu", "string", {c.value: c.label for c in Channel}),
    Column("ngay_khao_sat", "Ngày khảo sát", "date"),
)


@dataclass(frozen=True)
class Layout:
    """The columns of the export and where each answer goes.

    `single[code]` is the column index of a single/scale question; `multi[code]` maps each
    option number of a multi-choice question to its column index.
    """

    columns: tuple[Column, ...]
    single: Mapping[str, int] = field(default_factory=dict)
    multi: Mapping[str, Mapping[int, int]] = field(default_factory=dict)
    excluded: tuple[str, ...] = ()  # text questions left out

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def ascii_name(text: str) -> str:
    """Vietnamese letters without their marks (Đ → D), for variable names."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def spss_name(raw: str, used: set[str]) -> str:
    """A valid SPSS variable name, unique (case-insensitively) among `used`, which it joins.

    Question codes such as C1.1 are valid as they are; anything else is made so.
    """
    name = re.sub(r"[^A-Za-z0-9_.@#$]", "_", ascii_name(raw)).rstrip(".") or "V"
    if not name[0].isalpha():
        name = "V" + name
    if name.upper() in SPSS_RESERVED:
        name += "_"
    name = name[:SPSS_NAME_BYTES]
    candidate, n = name, 1
    while candidate.upper() in used:
        n += 1
        suffix = f"_{n}"
        candidate = name[: SPSS_NAME_BYTES - len(suffix)] + suffix
    used.add(candidate.upper())
    return candidate


def clip_utf8(text: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8, never cutting a character (or its diacritic) in two."""
    text = unicodedata.normalize("NFC", text)
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    clipped = data[: limit - 3].decode("utf-8", "ignore")
    return clipped.rstrip() + "…"


def note_lines_80(text: str, limit: int = SPSS_NOTE_LINE_BYTES) -> list[str]:
    """`text` wrapped at spaces into lines of at most `limit` UTF-8 bytes."""
    lines: list[str] = []
    current = ""
    for word in unicodedata.normalize("NFC", text).split():
        candidate = f"{current} {word}" if current else word
        if len(candidate.encode("utf-8")) <= limit:
            current = candidate
        else:
            if current:
                lines.append(current)
            current = clip_utf8(word, limit)
    if current:
        lines.append(current)
    return lines


def build_layout(definition: QuestionnaireDef) -> Layout:
    """The export's columns for a questionnaire definition (text questions left out)."""
    columns = list(META_COLUMNS)
    used = {c.name.upper() for c in columns}
    single: dict[str, int] = {}
    multi: dict[str, dict[int, int]] = {}
    excluded: list[str] = []
    for question in definition.questions:
        if question.kind == "text":
            excluded.append(question.code)
            continue
        if question.kind == "multi":
            slots: dict[int, int] = {}
            for value, option_label in sorted(question.options.items()):
                name = spss_name(f"{question.code}_{value}", used)
                label = f"{question.code} = {value}: {option_label} — {question.text}"
                slots[value] = len(columns)
                columns.append(Column(name, label, "number", CHOSEN_LABELS, "nominal"))
            multi[question.code] = slots
        else:
            name = spss_name(question.code, used)
            single[question.code] = len(columns)
            columns.append(
                Column(
                    name, f"{question.code}. {question.text}", "number", dict(sorted(question.options.items())),
                    "ordinal" if question.kind == "scale" else "nominal",
                )
            )
    return Layout(tuple(columns), single, multi, tuple(excluded))


def answer_cells(layout: Layout, answers: Mapping[str, object]) -> dict[int, int]:
    """Column index → value for one questionnaire's coded answers (surveys.responses.answers:
    an option number, or a list of them for a multi-choice question)."""
    cells: dict[int, int] = {}
    for code, value in answers.items():
        if code in layout.single:
            cells[layout.single[code]] = value
        elif code in layout.multi:
            slots = layout.multi[code]
            for index in slots.values():
                cells.setdefault(index, 0)
            for chosen in value if isinstance(value, list) else [value]:
                if chosen in slots:
                    cells[slots[chosen]] = 1
    return cells


# --------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class ExportSource:
    """What to export: a round's questionnaires that count in its indexes — not those still in
    the double-entry check, whose first entry is not yet confirmed (and is kept from whoever may
    key it the second time) — optionally limited to some agencies (None = all)."""

    survey_round: SurveyRound
    agency_ids: frozenset[int] | None

    def responses(self):
        qs = Response.objects.counted().filter(round=self.survey_round)
        if self.agency_ids is not None:
            qs = qs.filter(agency_id__in=self.agency_ids)
        return qs

    def count(self) -> int:
        return self.responses().count()


def _agency_lookup(survey_round: SurveyRound) -> dict[int, tuple[str, str, str]]:
    """agency id → (code, name, level code in the round's tree)."""
    return {
        agency_id: (code, name, level)
        for agency_id, code, name, level in RoundAgency.objects.filter(round=survey_round).values_list(
            "agency_id", "agency__code", "agency__name", "level__code"
        )
    }


def iter_batches(source: ExportSource, layout: Layout, batch_size: int = BATCH_SIZE) -> Iterator[list[list[Any]]]:
    """Rows of the export, a batch at a time, ordered by ma_phieu (keyset pagination over the
    round's unique (round, ma_phieu) index, so each batch is one short indexed query)."""
    agencies = _agency_lookup(source.survey_round)
    domains = dict(Domain.objects.values_list("id", "code"))
    question_ids = list(
        Question.objects.filter(questionnaire_id=source.survey_round.questionnaire_id)
        .exclude(kind="text")
        .values_list("id", flat=True)
    )
    width = len(layout.columns)
    base = source.responses().order_by("ma_phieu").values_list(
        "pk", "ma_phieu", "agency_id", "domain_id", "channel", "surveyed_on"
    )
    last: str | None = None
    while True:
        page = base if last is None else base.filter(ma_phieu__gt=last)
        heads = list(page[:batch_size])
        if not heads:
            return
        last = heads[-1][1]
        missing = {h[2] for h in heads} - agencies.keys()
        if missing:  # an agency no longer in the round's tree: its current place
            for agency in Agency.objects.filter(pk__in=missing).select_related("level"):
                agencies[agency.pk] = (agency.code, agency.name, agency.level.code)
        answers = read_answers(
            Answer.objects.filter(response_id__in=[h[0] for h in heads], question_id__in=question_ids,
                                  value__isnull=False),
            chunk_size=10_000,
        )
        batch = []
        for pk, ma_phieu, agency_id, domain_id, channel, surveyed_on in heads:
            code, name, level = agencies[agency_id]
            row: list[Any] = [ma_phieu, code, name, level, domains.get(domain_id, ""), channel, surveyed_on]
            row.extend([None] * (width - len(row)))
            for index, value in answer_cells(layout, answers.get(pk, {})).items():
                row[index] = value
            batch.append(row)
        yield batch


# --------------------------------------------------------------------------- writers
def codebook_rows(layout: Layout) -> list[list[str]]:
    """Tên biến, nhãn biến, giá trị — for the XLSX's second sheet and the page."""
    rows = []
    for column in layout.columns:
        values = "; ".join(f"{k} = {v}" for k, v in (column.value_labels or {}).items())
        rows.append([column.name, column.label, values])
    return rows


def _csv_text(rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            [
                v.strftime(DATE_FORMAT) if isinstance(v, dt.date)
                else "" if v is None
                else safe_cell(v)
                for v in row
            ]
        )
    return buffer.getvalue()


def csv_chunks(source: ExportSource, layout: Layout) -> Iterator[bytes]:
    """The CSV as UTF-8 byte chunks (BOM first), one per batch: a streaming response body."""
    yield (CSV_BOM + _csv_text([layout.names])).encode("utf-8")
    for batch in iter_batches(source, layout):
        yield _csv_text(batch).encode("utf-8")


def _header_cells(sheet, values: Sequence[str]) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=safe_cell(value))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cells.append(cell)
    return cells


def write_xlsx(source: ExportSource, layout: Layout, target: IO[bytes]) -> int:
    """Sheets Du_lieu (the rows), Bien (codebook) and Ghi_chu; streamed to `target` by
    openpyxl's write-only mode. Returns the number of rows."""
    count = source.count()
    if count > XLSX_MAX_ROWS:
        raise ExportTooLarge(
            f"Đợt có {format_number(count, 0)} phiếu, vượt quá giới hạn {format_number(XLSX_MAX_ROWS, 0)} dòng của một trang "
            "tính Excel; hãy tải tệp CSV hoặc SPSS (.sav)."
        )
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet("Du_lieu")
    data.freeze_panes = "B2"
    data.column_dimensions["C"].width = 36
    data.append(_header_cells(data, layout.names))
    date_index = layout.names.index("ngay_khao_sat")
    written = 0
    for batch in iter_batches(source, layout):
        for row in batch:
            cells: list[Any] = [safe_cell(v) for v in row]
            if row[date_index] is not None:
                date_cell = WriteOnlyCell(data, value=row[date_index])
                date_cell.number_format = "DD/MM/YYYY"
                cells[date_index] = date_cell
            data.append(cells)
            written += 1

    codebook = workbook.create_sheet("Bien")
    codebook.freeze_panes = "A2"
    for letter, width in (("A", 14), ("B", 80), ("C", 80)):
        codebook.column_dimensions[letter].width = width
    codebook.append(_header_cells(codebook, ["Tên biến", "Nhãn biến (nội dung câu hỏi)", "Giá trị"]))
    for row in codebook_rows(layout):
        codebook.append([safe_cell(v) for v in row])

    notes = workbook.create_sheet("Ghi_chu")
    notes.column_dimensions["A"].width = 120
    title = WriteOnlyCell(notes, value=safe_cell(f"Dữ liệu phiếu ẩn danh — {source.survey_round}"))
    title.font = Font(bold=True)
    notes.append([title])
    for line in note_lines(source, layout, written):
        notes.append([safe_cell(line)])
    workbook.save(target)
    return written


def note_lines(source: ExportSource, layout: Layout, count: int) -> list[str]:
    scope = "toàn bộ các cơ quan của đợt" if source.agency_ids is None else "các cơ quan bạn được xem kết quả"
    lines = [
        f"Số phiếu: {count} ({scope}).",
        TEXT_EXCLUDED_NOTE,
        MULTI_NOTE,
        "Câu hỏi chọn một và thang hài lòng: số phương án; để trống khi không trả lời hoặc không áp dụng.",
    ]
    if layout.excluded:
        lines.append("Câu hỏi tự trả lời không có trong tệp: " + ", ".join(layout.excluded) + ".")
    return lines


def _polars_schema(layout: Layout) -> dict[str, Any]:
    import polars as pl

    def dtype(column: Column):
        if column.kind == "string":
            return pl.String
        if column.kind == "date":
            return pl.Date
        # The smallest integer type that holds every option number: one byte a cell as a rule.
        largest = max((int(k) for k in column.value_labels or ()), default=0)
        return pl.Int8 if largest <= 127 else pl.Int16 if largest <= 32767 else pl.Int32

    return {c.name: dtype(c) for c in layout.columns}


def sav_frame(source: ExportSource, layout: Layout):
    """The whole table as a polars DataFrame: typed columns (Int16 answers, Arrow strings), so
    a million questionnaires take bytes per cell rather than a Python object per cell."""
    import polars as pl

    schema = _polars_schema(layout)
    frames = [
        pl.DataFrame(batch, schema=schema, orient="row")
        for batch in iter_batches(source, layout)
    ]
    if not frames:
        return pl.DataFrame(schema=schema)
    # No rechunk: that would copy the whole table once more; the writer reads it row by row anyway.
    return pl.concat(frames, rechunk=False)


def write_sav(source: ExportSource, layout: Layout, path: str | os.PathLike) -> int:
    """SPSS system file (UTF-8) with variable labels (question text) and value labels (options)."""
    import pyreadstat

    frame = sav_frame(source, layout)
    value_labels = {}
    for column in layout.columns:
        if column.value_labels and column.kind == "number":
            value_labels[column.name] = {
                int(k): clip_utf8(v, SPSS_VALUE_LABEL_BYTES) for k, v in column.value_labels.items()
            }
        elif column.value_labels and column.kind == "string" and frame.height:
            value_labels[column.name] = {
                str(k): clip_utf8(v, SPSS_VALUE_LABEL_BYTES) for k, v in column.value_labels.items()
            }
    pyreadstat.write_sav(
        frame,
        os.fspath(path),
        file_label=clip_utf8(f"Dữ liệu phiếu ẩn danh {source.survey_round.code}", 64),
        column_labels={c.name: clip_utf8(c.label, SPSS_LABEL_BYTES) for c in layout.columns},
        note=note_lines_80(TEXT_EXCLUDED_NOTE) + note_lines_80(MULTI_NOTE),
        variable_value_labels=value_labels,
        variable_format={"ngay_khao_sat": "EDATE10"},
        variable_measure={c.name: c.measure for c in layout.columns},
    )
    return frame.height


def export_file(source: ExportSource, layout: Layout, fmt: str) -> tuple[IO[bytes], int]:
    """The XLSX or .sav in an anonymous temporary file (deleted when closed), rewound, and its
    row count. Written to disk, not memory: a large round's file can be hundreds of MB."""
    if fmt == "xlsx":
        handle = tempfile.TemporaryFile()
        try:
            count = write_xlsx(source, layout, handle)
        except BaseException:
            handle.close()
            raise
    elif fmt == "sav":
        with tempfile.TemporaryDirectory(prefix="sipas-sav-") as folder:
            path = os.path.join(folder, "du-lieu.sav")
            count = write_sav(source, layout, path)
            # Opened before the folder goes: on POSIX the open file outlives its name; the
            # response closes it.
            handle = open(path, "rb")
    else:
        raise ValueError(fmt)
    handle.seek(0)
    return handle, count


# --------------------------------------------------------------------------- the data download
ANONYMOUS_NOTE = "Dữ liệu ẩn danh: không gồm câu trả lời tự do, không gồm thông tin cá nhân."


@dataclass(frozen=True)
class DataExport:
    """The anonymised data as a download, and what its audit row records about it."""

    download: Download
    summary: dict[str, Any]


def response_data_export(
    *, survey_round: SurveyRound, agency_ids: Iterable[int] | None, fmt: str, definition: QuestionnaireDef,
) -> DataExport:
    """Dữ liệu phiếu ẩn danh in `fmt` (xlsx, csv, sav): the CSV streamed, the others in a
    temporary file.

    `agency_ids` comes from `surveys.accounts.access.response_data_agency_ids` (None = every agency).
    Raises ExportTooLarge (nothing written) when the format cannot hold the rows.
    """
    if fmt not in FORMATS:
        raise ValueError(fmt)
    source = ExportSource(survey_round, None if agency_ids is None else frozenset(agency_ids))
    layout = build_layout(definition)
    content_type, extension = FORMATS[fmt]
    filename = f"du-lieu-phieu-{survey_round.code}.{extension}"
    if fmt == "csv":
        count = source.count()
        download = Download(filename, csv_chunks(source, layout), content_type)
    else:
        handle, count = export_file(source, layout, fmt)
        download = Download(filename, handle, content_type)
    agencies = (
        "tất cả"
        if source.agency_ids is None
        else sorted(Agency.objects.filter(pk__in=source.agency_ids).values_list("code", flat=True))
    )
    return DataExport(download, {"dinh_dang": fmt, "so_phieu": count, "co_quan": agencies,
                                 "bo_cau_tu_do": list(layout.excluded)})
