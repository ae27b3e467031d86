"""Each results page as the sheets of its XLSX download (sipas_portal.xlsx writes them), built
from the very page data the screen shows, so the page and the file show the same numbers."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from surveys.questionnaires.definition import QuestionnaireDef

from .dashboards import (
    AgencyPage,
    CriterionLine,
    Distribution,
    DomainsPage,
    FactorLine,
    Indicator,
    IndicatorRow,
    LevelsPage,
    Overview,
    SharesPage,
    TrendsPage,
)
from .figures import Figure, ScopeFigures
from .ranking import RankedLevel


# ---------------------------------------------------------------------------------------------
# XLSX: each page as sheets (sipas_portal.xlsx writes them)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SheetTable:
    title: str  # ≤ 31 characters, no []:*?/\
    headers: list[str]
    rows: list[list[Any]]
    number_columns: tuple[int, ...] = ()


FIGURE_HEADERS = ("n", "cận dưới 95%", "cận trên 95%")


def figure_cells(figure: Figure) -> list[Any]:
    return [figure.value, figure.n, figure.low, figure.high]


def _percent_columns(headers: Sequence[str]) -> tuple[int, ...]:
    """1-based columns holding percentages (every header but names, codes and counts)."""
    return tuple(
        i for i, h in enumerate(headers, start=1)
        if h not in ("Mã", "Tên", "Phạm vi", "Cơ quan", "Lĩnh vực", "Tiêu chí", "Yếu tố", "Cấp", "Thuộc", "Nhóm",
                     "Hạng (khoảng)", "Năm", "Nguồn", "Xếp hạng", "Phương án", "Câu hỏi", "Mẫu nhỏ", "Dưới chỉ tiêu",
                     "Ngày khảo sát", "Ý kiến", "Số phiếu")
        and not h.startswith("n ") and h != "n"
    )


def scope_row_table(title: str, rows: Sequence[ScopeFigures], definition: QuestionnaireDef, first: str = "Tên") -> SheetTable:
    headers = ["Mã", first, "Số phiếu", "Mẫu nhỏ", "SIPAS", "SIPAS cận dưới 95%", "SIPAS cận trên 95%", "Chỉ tiêu",
               "Dưới chỉ tiêu", *definition.factor_codes]
    body = [
        [r.code, r.name, r.n, "mẫu nhỏ" if r.small_sample else "", r.sipas.value, r.sipas.low, r.sipas.high,
         r.sipas.target, "dưới chỉ tiêu" if r.sipas.below_target else "",
         *[r.factors[f].value for f in definition.factor_codes]]
        for r in rows
    ]
    return SheetTable(title, headers, body, _percent_columns(headers))


def criteria_table(title: str, lines: Sequence[CriterionLine]) -> SheetTable:
    headers = ["Mã", "Tiêu chí", "Yếu tố", "Chỉ số", "n", "cận dưới 95%", "cận trên 95%", "Mẫu nhỏ"]
    body = [[c.code, c.text, c.factor, *figure_cells(c.figure), "mẫu nhỏ" if c.figure.small_sample else ""] for c in lines]
    return SheetTable(title, headers, body, (4, 6, 7))


def factors_table(title: str, lines: Sequence[FactorLine]) -> SheetTable:
    headers = ["Mã", "Yếu tố", "Chỉ số", "n", "cận dưới 95%", "cận trên 95%", "Mẫu nhỏ"]
    body = [[f.code, f.name, *figure_cells(f.figure), "mẫu nhỏ" if f.figure.small_sample else ""] for f in lines]
    return SheetTable(title, headers, body, (3, 5, 6))


def distribution_table(title: str, items: Sequence[Distribution]) -> SheetTable:
    columns = items[0].columns if items else []
    headers = ["Câu hỏi", "Phương án", *[h for c in columns for h in (c, f"n {c}")]]
    body = []
    for d in items:
        for label, figures in d.options:
            body.append([f"{d.code}. {d.text}", label, *[x for f in figures for x in (f.value, f.n)]])
    return SheetTable(title, headers, body, tuple(range(3, len(headers) + 1, 2)))


def indicator_table(title: str, indicators: Sequence[Indicator], rows: Sequence[IndicatorRow]) -> SheetTable:
    headers = ["Phạm vi", "Số phiếu", *[h for i in indicators for h in (f"{i.question}: {i.label}", f"n {i.question}")]]
    body = [[r.name, r.n, *[x for f in r.figures for x in (f.value, f.n)]] for r in rows]
    return SheetTable(title, headers, body, tuple(range(3, len(headers) + 1, 2)))


def overview_tables(page: Overview, definition: QuestionnaireDef) -> list[SheetTable]:
    tables = []
    if page.province:
        tables.append(scope_row_table("Toàn tỉnh", [page.province], definition, "Phạm vi"))
        tables.append(factors_table("Yếu tố", page.factors))
        tables.append(criteria_table("Tiêu chí (thấp nhất trước)", page.criteria))
    tables.append(scope_row_table("Theo cấp", page.levels, definition, "Cấp"))
    tables.append(scope_row_table("Lĩnh vực trọng điểm", page.target_domains, definition, "Lĩnh vực"))
    return tables


def levels_tables(page: LevelsPage, definition: QuestionnaireDef) -> list[SheetTable]:
    grid = page.grid
    headers = ["Mã", "Tiêu chí", *[h for c in grid.columns for h in (c, f"n {c}")]]
    body = [[f.code, f.name, *[x for fig in figs for x in (fig.value, fig.n)]] for f, figs in grid.factor_rows]
    body += [[c.code, c.text, *[x for fig in figs for x in (fig.value, fig.n)]] for c, figs in grid.rows]
    return [
        scope_row_table("Theo cấp", page.levels, definition, "Cấp"),
        scope_row_table("Địa bàn huyện", page.district_areas, definition, "Phạm vi"),
        SheetTable("Tiêu chí theo cấp", headers, body, tuple(range(3, len(headers) + 1, 2))),
    ]


def ranking_tables(levels: Sequence[RankedLevel], definition: QuestionnaireDef) -> list[SheetTable]:
    headers = ["Cấp", "Nhóm", "Hạng (khoảng)", "Mã", "Cơ quan", "Thuộc", "Số phiếu", "Mẫu nhỏ", "SIPAS",
               "SIPAS cận dưới 95%", "SIPAS cận trên 95%", "Chỉ tiêu", "Dưới chỉ tiêu", *definition.factor_codes]
    body = []
    for level in levels:
        for row in level.rows:
            f = row.figures
            body.append([
                level.name, row.group, row.rank_text, f.code, f.name, row.parent, f.n,
                "mẫu nhỏ" if f.small_sample else "", f.sipas.value, f.sipas.low, f.sipas.high, f.sipas.target,
                "dưới chỉ tiêu" if f.sipas.below_target else "", *[f.factors[c].value for c in definition.factor_codes],
            ])
    return [SheetTable("Xếp hạng", headers, body, _percent_columns(headers))]


def domains_tables(page: DomainsPage, definition: QuestionnaireDef) -> list[SheetTable]:
    return [scope_row_table("Theo lĩnh vực", page.rows, definition, "Lĩnh vực")]


def process_tables(page: SharesPage) -> list[SheetTable]:
    return [
        indicator_table("Chỉ số quy trình", page.indicators, page.indicator_rows),
        distribution_table("Phân bố câu trả lời", page.distributions),
    ]


def demographics_tables(page: SharesPage) -> list[SheetTable]:
    return [distribution_table("Người trả lời", page.distributions)]


def agency_tables(page: AgencyPage, definition: QuestionnaireDef) -> list[SheetTable]:
    tables = [
        scope_row_table("Cơ quan", [page.agency], definition, "Cơ quan"),
        factors_table("Yếu tố", page.factors),
        criteria_table("Tiêu chí (thấp nhất trước)", page.criteria),
        scope_row_table("Theo lĩnh vực", page.domains, definition, "Lĩnh vực"),
    ]
    if page.communes or page.district_area:
        rows = ([page.district_area] if page.district_area else []) + page.communes
        tables.append(scope_row_table("Địa bàn và các xã", rows, definition, "Phạm vi"))
    if page.indicator_row:
        tables.append(indicator_table("Chỉ số quy trình", page.indicators, [page.indicator_row]))
    tables.append(distribution_table("Mong đợi cải thiện (D1)", page.improvements))
    tables.append(SheetTable(
        "Ý kiến khác (D2)", ["Ngày khảo sát", "Lĩnh vực", "Ý kiến"],
        [[c.surveyed_on.strftime("%d/%m/%Y"), c.domain, c.text] for c in page.comments],
    ))
    return tables


def trends_tables(page: TrendsPage) -> list[SheetTable]:
    headers = ["Năm", "Nguồn", "SIPAS", "n", "cận dưới 95%", "cận trên 95%", "Xếp hạng", *page.factor_codes]
    body = [[r.year, r.source, *figure_cells(r.sipas), r.rank, *[None for _ in page.factor_codes]] for r in page.published]
    body += [
        [r.year, r.source, *figure_cells(r.sipas), "",
         *[(r.factors.get(c).value if r.factors.get(c) else None) for c in page.factor_codes]]
        for r in page.surveyed
    ]
    body.sort(key=lambda row: (row[0], row[1]))
    return [SheetTable("Xu hướng", headers, body, (3, 5, 6, *range(8, len(headers) + 1)))]
