"""What the annual report says, assembled from plain data (no ORM here).

Every index value comes from the round's index export (`indexes.selectors.index_json`): the
report, its XLSX and the JSON download therefore cannot disagree. Round facts that are not
indexes (quotas, channels, the agency tree, earlier years) arrive in `RoundFacts`, read by
`reporting.selectors.round_facts`. The PDF templates and the XLSX writer both read the
`ReportContent` built here.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from indexes.statistics import is_small_sample
from indexes.targets import Targets
from sipas_portal import charts
from sipas_portal.formatting import format_number, format_percent
from surveys.questionnaires.definition import (
    DEMOGRAPHIC_SECTION,
    EXPECTATION_SECTION,
    PROCESS_SECTION,
    QuestionnaireDef,
)

SMALL = "mẫu nhỏ"
CHART_ROWS = 30  # bars per chart: one chart fits one A4 page


@dataclass(frozen=True)
class AgencyFact:
    code: str
    name: str
    level_code: str
    level_name: str
    depth: int
    quota: int


@dataclass(frozen=True)
class LevelFact:
    code: str
    name: str


@dataclass(frozen=True)
class YearFigure:
    year: int
    sipas: float | None
    source: str  # "published" (Bộ Nội vụ) or "round" (this portal)
    label: str = ""
    rank: str = ""


@dataclass
class RoundFacts:
    """The round's facts beside its indexes (read by reporting.selectors.round_facts)."""

    code: str
    name: str
    year: int
    province_name: str
    starts_on: str  # dd/mm/yyyy
    ends_on: str
    computed_at: str  # dd/mm/yyyy HH:MM or ""
    levels: list[LevelFact]
    agencies: list[AgencyFact]  # tree order
    domain_quota: dict[str, int]  # domain code → quota
    channels: list[tuple[str, int]]  # (label, questionnaires)
    history: list[YearFigure]
    previous: dict | None  # index JSON of the previous round (same province), if any
    targets: Targets
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def province_in_sentence(self) -> str:
        """"tỉnh Lạng Sơn" for "Tỉnh Lạng Sơn": only the administrative word loses its capital."""
        return self.province_name[:1].lower() + self.province_name[1:]


@dataclass(frozen=True)
class IndexRow:
    """One scope's indexes, raw values (for XLSX and checks) plus what the PDF prints."""

    scope: str
    code: str
    name: str
    n: int
    sipas: float | None
    low: float | None
    high: float | None
    factors: tuple[float | None, ...]
    factors_n: tuple[int, ...]
    small: bool
    factor_intervals: tuple[tuple[float, float] | None, ...] = ()
    rank: str = ""
    depth: int = 0
    level: str = ""
    target: float | None = None

    @property
    def below_target(self) -> bool:
        return self.target is not None and self.sipas is not None and self.sipas < self.target

    @property
    def interval_text(self) -> str:
        if self.low is None or self.high is None:
            return "—"
        return f"{format_number(self.low)}–{format_number(self.high)}"


@dataclass(frozen=True)
class SampleRow:
    code: str
    name: str
    quota: int
    n: int
    depth: int = 0
    count: int = 0  # agencies (for a level)

    @property
    def rate(self) -> float | None:
        return 100 * self.n / self.quota if self.quota else None


@dataclass(frozen=True)
class CriterionRow:
    code: str
    text: str
    factor: str
    value: float | None
    n: int
    low: float | None
    high: float | None
    by_column: tuple[float | None, ...] = ()

    @property
    def small(self) -> bool:
        return is_small_sample(self.n)


@dataclass(frozen=True)
class ShareOption:
    value: int
    label: str
    share: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class ShareTable:
    code: str
    text: str
    kind: str
    n: int
    options: tuple[ShareOption, ...]


@dataclass(frozen=True)
class CriterionMatrix:
    """Appendix: a factor's criteria (columns) for every agency (rows)."""

    factor_code: str
    factor_name: str
    criteria: tuple[tuple[str, str], ...]  # (code, text)
    rows: tuple[tuple[str, str, int, tuple[float | None, ...]], ...]  # (code, name, n, values)


@dataclass(frozen=True)
class Change:
    code: str
    name: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


@dataclass
class ReportContent:
    facts: RoundFacts
    factor_codes: tuple[str, ...]
    factor_names: tuple[str, ...]
    province: IndexRow | None
    levels: list[IndexRow]
    agencies: list[IndexRow]
    domains: list[IndexRow]
    agency_domains: list[IndexRow]
    district_areas: list[IndexRow]
    criteria: list[CriterionRow]
    criterion_columns: list[str]
    criterion_matrices: list[CriterionMatrix]
    process_shares: list[ShareTable]
    expectation_shares: list[ShareTable]
    respondent_shares: list[ShareTable]
    sample_levels: list[SampleRow]
    sample_agencies: list[SampleRow]
    sample_domains: list[SampleRow]
    changes: list[Change]
    factor_changes: list[Change]
    charts: dict[str, str] = field(default_factory=dict)

    @property
    def criterion_rows(self) -> list[tuple[str, str, int, tuple[float | None, ...]]]:
        """Each agency with every criterion index, in questionnaire order (the matrices joined)."""
        joined: dict[str, list] = {}
        for matrix in self.criterion_matrices:
            for code, name, n, values in matrix.rows:
                joined.setdefault(code, [code, name, n, ()])[3] += values
        return [tuple(row) for row in joined.values()]

    @property
    def agency_charts(self) -> list[str]:
        return [svg for key, svg in self.charts.items() if key.startswith("agencies_")]

    @property
    def total_n(self) -> int:
        return self.province.n if self.province else 0

    @property
    def total_quota(self) -> int:
        return sum(a.quota for a in self.facts.agencies)

    @property
    def channel_total(self) -> int:
        return sum(count for _, count in self.facts.channels)

    @property
    def below_target(self) -> list[IndexRow]:
        return [a for a in self.agencies if a.below_target]

    @property
    def domains_below_target(self) -> list[IndexRow]:
        return [d for d in self.domains if d.below_target]

    @property
    def weakest_criteria(self) -> list[CriterionRow]:
        rated = [c for c in self.criteria if c.value is not None]
        return sorted(rated, key=lambda c: (c.value, c.code))[:5]

    @property
    def strongest_criteria(self) -> list[CriterionRow]:
        rated = [c for c in self.criteria if c.value is not None]
        return sorted(rated, key=lambda c: (-c.value, c.code))[:3]

    @property
    def place(self) -> str:
        """The place in the date line: "Lạng Sơn" for "Tỉnh Lạng Sơn"."""
        name = self.facts.province_name
        for prefix in ("Tỉnh ", "tỉnh ", "Thành phố ", "thành phố "):
            if name.startswith(prefix):
                return name[len(prefix):]
        return name

    @property
    def province_upper(self) -> str:
        return self.place.upper()


def _interval(intervals: Mapping | None, key: str) -> tuple[float | None, float | None]:
    value = (intervals or {}).get(key)
    return (value[0], value[1]) if value else (None, None)


def index_row(result: Mapping, factor_codes: Sequence[str], *, depth: int = 0, level: str = "",
              target: float | None = None) -> IndexRow:
    low, high = _interval(result.get("intervals"), "sipas")
    rank = result.get("rank_range")
    return IndexRow(
        scope=result["scope"],
        code=result.get("code") or "",
        name=result["name"],
        n=result["n"],
        sipas=result.get("sipas"),
        low=low,
        high=high,
        factors=tuple((result.get("factors") or {}).get(code) for code in factor_codes),
        factors_n=tuple((result.get("factors_n") or {}).get(code, 0) for code in factor_codes),
        small=bool(result.get("small_sample")),
        factor_intervals=tuple(
            tuple(i) if (i := ((result.get("intervals") or {}).get("factors") or {}).get(code)) else None
            for code in factor_codes
        ),
        rank=(f"{rank[0]}" if rank[0] == rank[1] else f"{rank[0]}–{rank[1]}") if rank else "",
        depth=depth,
        level=level,
        target=target,
    )


def share_tables(result: Mapping | None, definition: QuestionnaireDef, section: str) -> list[ShareTable]:
    """Option shares of one section's choice questions: the definition's grouping, the one the
    dashboards show (indexes.figures.section_questions)."""
    if not result:
        return []
    shares = result.get("shares") or {}
    share_intervals = (result.get("intervals") or {}).get("shares") or {}
    tables = []
    for question in definition.section_questions(section):
        if question.code not in shares:
            continue
        share = shares[question.code]
        options = []
        for value, label in sorted(question.options.items()):
            interval = (share_intervals.get(question.code) or {}).get(str(value))
            options.append(ShareOption(
                value, label, share["options"].get(str(value)),
                interval[0] if interval else None, interval[1] if interval else None,
            ))
        tables.append(ShareTable(question.code, question.text, question.kind, share["n"], tuple(options)))
    return tables


def build_content(data: Mapping, facts: RoundFacts, definition: QuestionnaireDef) -> ReportContent:
    """The report's content from the index export `data` (index_json) and the round's facts."""
    factor_codes = definition.factor_codes
    by_scope: dict[str, list[Mapping]] = {}
    for result in data["results"]:
        by_scope.setdefault(result["scope"], []).append(result)
    targets = facts.targets
    agency_facts = {a.code: a for a in facts.agencies}
    order = {a.code: i for i, a in enumerate(facts.agencies)}

    provinces = by_scope.get("province", [])
    province_data = provinces[0] if provinces else None
    province = index_row(province_data, factor_codes, target=targets.sipas) if province_data else None
    levels = [index_row(r, factor_codes, target=targets.sipas) for r in by_scope.get("level", [])]
    agencies = [
        index_row(
            r, factor_codes,
            depth=agency_facts[r["code"]].depth if r["code"] in agency_facts else 0,
            level=agency_facts[r["code"]].level_code if r["code"] in agency_facts else "",
            target=targets.sipas,
        )
        for r in sorted(by_scope.get("agency", []), key=lambda r: order.get(r["code"], len(order)))
    ]
    domains = [
        index_row(r, factor_codes, target=targets.domain if r["code"] in targets.domain_codes else None)
        for r in by_scope.get("domain", [])
    ]
    agency_domains = [
        index_row(r, factor_codes)
        for r in sorted(
            by_scope.get("agency_domain", []),
            key=lambda r: (order.get(r["code"].split("/", 1)[0], len(order)), r["code"]),
        )
    ]
    district_areas = [index_row(r, factor_codes) for r in by_scope.get("district_area", [])]

    # Criteria: province value with its interval, then one column per level.
    level_data = by_scope.get("level", [])
    criteria = []
    for question in definition.criteria:
        source = province_data or {}
        interval = ((source.get("intervals") or {}).get("criteria") or {}).get(question.code)
        criteria.append(CriterionRow(
            code=question.code,
            text=question.text,
            factor=question.factor or "",
            value=(source.get("criteria") or {}).get(question.code),
            n=(source.get("criteria_n") or {}).get(question.code, 0),
            low=interval[0] if interval else None,
            high=interval[1] if interval else None,
            by_column=tuple((r.get("criteria") or {}).get(question.code) for r in level_data),
        ))

    agency_data = sorted(by_scope.get("agency", []), key=lambda r: order.get(r["code"], len(order)))
    matrices = []
    for factor in definition.factors:
        codes = tuple((q.code, q.text) for q in definition.criteria if q.factor == factor.code)
        matrices.append(CriterionMatrix(
            factor.code, factor.name, codes,
            tuple(
                (r["code"], r["name"], r["n"], tuple((r.get("criteria") or {}).get(c) for c, _ in codes))
                for r in agency_data
            ),
        ))

    # Sample: valid questionnaires (n of the export) against quotas.
    n_of_agency = {r["code"]: r["n"] for r in by_scope.get("agency", [])}
    sample_agencies = [
        SampleRow(a.code, a.name, a.quota, n_of_agency.get(a.code, 0), a.depth) for a in facts.agencies
    ]
    n_of_level = {r["code"]: r["n"] for r in level_data}
    sample_levels = [
        SampleRow(level.code, level.name, sum(a.quota for a in facts.agencies if a.level_code == level.code),
                  n_of_level.get(level.code, 0), count=sum(1 for a in facts.agencies if a.level_code == level.code))
        for level in facts.levels
    ]
    sample_domains = [
        SampleRow(r["code"], r["name"], facts.domain_quota.get(r["code"], 0), r["n"]) for r in by_scope.get("domain", [])
    ]

    changes, factor_changes = _changes(data, facts.previous, factor_codes)
    content = ReportContent(
        facts=facts,
        factor_codes=factor_codes,
        factor_names=tuple(f.name for f in definition.factors),
        province=province,
        levels=levels,
        agencies=agencies,
        domains=domains,
        agency_domains=agency_domains,
        district_areas=district_areas,
        criteria=criteria,
        criterion_columns=[r["name"] for r in level_data],
        criterion_matrices=matrices,
        process_shares=share_tables(province_data, definition, PROCESS_SECTION),
        expectation_shares=share_tables(province_data, definition, EXPECTATION_SECTION),
        respondent_shares=share_tables(province_data, definition, DEMOGRAPHIC_SECTION),
        sample_levels=sample_levels,
        sample_agencies=sample_agencies,
        sample_domains=sample_domains,
        changes=changes,
        factor_changes=factor_changes,
    )
    content.charts = build_charts(content)
    return content


def _changes(data: Mapping, previous: Mapping | None, factor_codes: Sequence[str]) -> tuple[list[Change], list[Change]]:
    """Agencies' SIPAS and the province's factors against the previous round, largest moves first."""
    if not previous:
        return [], []
    before = {r["code"]: r for r in previous["results"] if r["scope"] == "agency"}
    changes = [
        Change(r["code"], r["name"], before[r["code"]]["sipas"], r["sipas"])
        for r in data["results"]
        if r["scope"] == "agency" and r["code"] in before and r["sipas"] is not None
        and before[r["code"]].get("sipas") is not None
    ]
    changes.sort(key=lambda c: (-abs(c.delta), c.code))
    now = next((r for r in data["results"] if r["scope"] == "province"), None)
    then = next((r for r in previous["results"] if r["scope"] == "province"), None)
    factor_changes = []
    if now and then:
        for code in factor_codes:
            a, b = (then.get("factors") or {}).get(code), (now.get("factors") or {}).get(code)
            if a is not None and b is not None:
                factor_changes.append(Change(code, code, a, b))
    return changes, factor_changes


def _bar(row: IndexRow, *, label: str | None = None) -> charts.BarItem:
    return charts.BarItem(
        label=label or row.name, value=row.sipas, low=row.low, high=row.high,
        highlight=row.below_target, note=SMALL if row.small else "",
    )


def build_charts(content: ReportContent) -> dict[str, str]:
    """Every chart of the report, SVG, keyed by name (the same SVG the public page shows)."""
    result: dict[str, str] = {}
    target = content.facts.targets.sipas
    if content.province:
        p = content.province
        result["factors"] = charts.profile_chart(
            [
                charts.BarItem(f"{code}. {name}", value, note=SMALL if is_small_sample(n) else "")
                for code, name, value, n in zip(content.factor_codes, content.factor_names, p.factors, p.factors_n,
                                                strict=True)
            ],
            title="Chỉ số hài lòng theo yếu tố, toàn tỉnh",
        )
    if content.levels:
        result["levels"] = charts.bar_chart([_bar(r) for r in content.levels], title="SIPAS theo cấp", target=target)
    for level in content.facts.levels:
        rows = sorted(
            (r for r in content.agencies if r.level == level.code),
            key=lambda r: (-(r.sipas if r.sipas is not None else -1), r.code),
        )
        # A chart must fit on one page: long lists (communes) are cut into parts.
        parts = [rows[i:i + CHART_ROWS] for i in range(0, len(rows), CHART_ROWS)]
        for number, part in enumerate(parts, start=1):
            suffix = f" — phần {number}/{len(parts)}" if len(parts) > 1 else ""
            result[f"agencies_{level.code}_{number}"] = charts.bar_chart(
                [_bar(r) for r in part],
                title=f"SIPAS của {level.name} (khoảng tin cậy 95%){suffix}",
                target=target,
            )
    if content.domains:
        result["domains"] = charts.bar_chart(
            [_bar(r) for r in sorted(content.domains, key=lambda r: (-(r.sipas if r.sipas is not None else -1), r.code))],
            title="SIPAS theo lĩnh vực (khoảng tin cậy 95%)",
        )
    years = sorted({y.year for y in content.facts.history})
    if years:
        series = []
        for source, label in (("published", "Bộ Nội vụ công bố"), ("round", "Khảo sát của tỉnh")):
            points = {y.year: y.sipas for y in content.facts.history if y.source == source}
            if points:
                series.append(charts.LineSeries(label, points))
        result["trend"] = charts.line_chart(series, title="SIPAS của tỉnh qua các năm", years=years)
    return result


def format_share(value: float | None) -> str:
    return format_percent(value)
