"""Downloads of a round's stored indexes: the JSON of interfaces.md §3 and an XLSX table."""
from __future__ import annotations

from django.utils import timezone

from sipas_portal.xlsx import new_workbook, workbook_bytes, write_table
from surveys.models import SurveyRound
from surveys.selectors import load_definition

from .models import Scope
from .selectors import round_results

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
