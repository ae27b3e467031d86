"""Downloads of a round's indexes, each a `sipas_portal.downloads.Download`: the stored results
as the JSON of interfaces.md §3 and as an XLSX table, and each results page's tables
(indexes.sheets) as a workbook."""
from __future__ import annotations

import json
from collections.abc import Iterable

from django.utils import timezone

from sipas_portal.downloads import Download
from sipas_portal.xlsx import new_workbook, workbook_bytes, write_table
from surveys.models import SurveyRound
from surveys.selectors import load_definition

from .figures import ResultFilter
from .models import Scope
from .selectors import index_json, round_results
from .sheets import SheetTable

SCOPE_LABELS = dict(Scope.choices)


def index_workbook(survey_round: SurveyRound, *, agency_ids: set[int] | None = None) -> bytes:
    """Sheet “Chỉ số”: one row per stored result (every scope, or only the rows about
    `agency_ids` — see indexes.selectors.round_results), unrounded values as numbers shown
    with two decimals; sheet “Chú giải”: what each column code means."""
    definition = load_definition(survey_round.questionnaire)
    factor_codes = definition.factor_codes
    criterion_codes = definition.criterion_codes
    headers = ["Phạm vi", "Mã", "Tên", "Số phiếu", "SIPAS", "SIPAS cận dưới (95%)", "SIPAS cận trên (95%)",
               *factor_codes, *criterion_codes]
    first_value_column = 5  # SIPAS

    rows = (
        [
            SCOPE_LABELS.get(r.scope, r.scope),
            r.code,
            r.name,
            r.n,
            r.sipas,
            *((r.intervals or {}).get("sipas") or (None, None)),
            *[(r.factors or {}).get(code) for code in factor_codes],
            *[(r.criteria or {}).get(code) for code in criterion_codes],
        ]
        for r in round_results(survey_round, agency_ids=agency_ids)
    )
    workbook = new_workbook()
    write_table(
        workbook.create_sheet("Chỉ số"),
        headers,
        rows,
        number_columns=range(first_value_column, len(headers) + 1),
        widths={1: 18, 2: 16, 3: 48, 4: 10},
    )

    computed_at = survey_round.computed_at
    legend = [
        ["Đợt", survey_round.code, survey_round.name],
        [
            "Tính lúc",
            timezone.localtime(computed_at).strftime("%d/%m/%Y %H:%M") if computed_at else "chưa tính",
            "Giá trị là tỷ lệ phần trăm (%), chưa làm tròn; ô trống là không có người trả lời.",
        ],
        ["SIPAS", "", "Chỉ số hài lòng về sự phục vụ hành chính"],
        *[[f.code, "Yếu tố", f.name] for f in definition.factors],
        *[[q.code, f"Tiêu chí ({q.factor})", q.text] for q in definition.criteria],
    ]
    write_table(workbook.create_sheet("Chú giải"), ["Mã", "Loại", "Nội dung"], legend, widths={1: 12, 2: 18, 3: 100})
    return workbook_bytes(workbook)


def index_xlsx(survey_round: SurveyRound, *, agency_ids: set[int] | None = None) -> Download:
    return Download(f"chi-so-{survey_round.code}.xlsx", index_workbook(survey_round, agency_ids=agency_ids))


def index_json_file(survey_round: SurveyRound, *, agency_ids: set[int] | None = None) -> Download:
    text = json.dumps(index_json(survey_round, agency_ids=agency_ids), ensure_ascii=False, indent=1)
    return Download(f"chi-so-{survey_round.code}.json", text, "application/json; charset=utf-8")


def dashboard_workbook(
    *, survey_round: SurveyRound, page_name: str, title: str, tables: Iterable[SheetTable], result_filter: ResultFilter
) -> Download:
    """A results page as a workbook: sheet “Thông tin” (round, table, when computed, filter,
    how to read it), then one sheet per table of the page — the very data the screen shows."""
    workbook = new_workbook()
    computed_at = survey_round.computed_at
    about = [
        ["Đợt", f"{survey_round.code} — {survey_round.name}"],
        ["Bảng", title],
        ["Chỉ số tính lúc", timezone.localtime(computed_at).strftime("%d/%m/%Y %H:%M") if computed_at else "chưa tính"],
        ["Bộ lọc", result_filter.describe()],
        ["Ghi chú", "Giá trị là tỷ lệ phần trăm (%), chưa làm tròn; ô trống là không có người trả lời. "
                    "“mẫu nhỏ”: dưới 30 phiếu. Cận dưới/cận trên: khoảng tin cậy 95%."],
        ["Tải lúc", timezone.localtime().strftime("%d/%m/%Y %H:%M")],
    ]
    write_table(workbook.create_sheet("Thông tin"), ["Mục", "Nội dung"], about, number_format=None,
                widths={1: 18, 2: 100})
    used: set[str] = set()
    for table in tables:
        write_table(workbook.create_sheet(_sheet_name(table.title, used)), table.headers, table.rows,
                    number_columns=table.number_columns, widths={1: 14, 2: 40})
    return Download(f"{page_name}-{survey_round.code}.xlsx", workbook_bytes(workbook))


def _sheet_name(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts (≤ 31 characters, none of []:*?/\\), unique in the workbook."""
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Bảng"
    name, i = base, 2
    while name in used:
        suffix = f" ({i})"
        name, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(name)
    return name
