"""Reads of stored index results."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from surveys.models import Agency, RoundAgency, SurveyRound
from surveys.questionnaires.definition import FactorDef
from surveys.selectors import load_definition, round_agency_tree

from .models import IndexResult, Scope
from .statistics import is_small_sample, rank_ranges, share_interval

JSON_KEYS = ("n", "sipas", "factors", "factors_n", "criteria", "criteria_n")


def round_results(
    survey_round: SurveyRound,
    scopes: tuple[str, ...] | None = None,
    *,
    agency_ids: set[int] | None = None,
) -> QuerySet[IndexResult]:
    """The round's stored results, in engine order — the one place results are read, so the
    page and both downloads show the same rows.

    `agency_ids` comes from surveys.accounts.access.result_agency_ids: None means every scope; a set
    keeps only the rows about those agencies — each agency, its agency × domain rows and, for a
    district whose communes are in the set, its district area — never the province, levels
    or domains, which aggregate other agencies' answers."""
    qs = IndexResult.objects.filter(round=survey_round).order_by("order")
    if scopes:
        qs = qs.filter(scope__in=scopes)
    if agency_ids is None:
        return qs
    codes = sorted(Agency.objects.filter(pk__in=agency_ids).values_list("code", flat=True))
    if not codes:
        return qs.none()
    about = Q(scope=Scope.AGENCY, code__in=codes) | Q(scope=Scope.DISTRICT_AREA, code__in=codes)
    for code in codes:
        about |= Q(scope=Scope.AGENCY_DOMAIN, code__startswith=f"{code}/")
    return qs.filter(about)


def index_json(survey_round: SurveyRound, *, agency_ids: set[int] | None = None) -> dict:
    """The index JSON of interfaces.md §3, with option shares as an extra key; `agency_ids` as
    in `round_results`."""
    computed_at = survey_round.computed_at
    results = list(round_results(survey_round, agency_ids=agency_ids))
    ranks = agency_rank_ranges(survey_round)
    return {
        "round": survey_round.code,
        "computed_at": timezone.localtime(computed_at).isoformat(timespec="seconds") if computed_at else None,
        "results": [
            {
                "scope": r.scope,
                "code": r.code or None,
                "name": r.name,
                **{key: getattr(r, key) for key in JSON_KEYS},
                "intervals": with_proportion_intervals(r),
                "small_sample": is_small_sample(r.n),
                **({"rank_range": list(ranks[r.code])} if r.scope == Scope.AGENCY and r.code in ranks else {}),
                "shares": r.shares,
            }
            for r in results
        ],
    }


def with_proportion_intervals(result: IndexResult) -> dict:
    """The stored mean intervals plus the Wilson intervals of the criterion indexes and option
    shares, derived from their values and n."""
    shares = {
        question: {option: _listed(share_interval(value, share["n"])) for option, value in share["options"].items()}
        for question, share in (result.shares or {}).items()
    }
    return {
        **(result.intervals or {}),
        "criteria": {
            code: _listed(share_interval(value, result.criteria_n.get(code, 0)))
            for code, value in (result.criteria or {}).items()
        },
        "shares": shares,
    }


def _listed(interval) -> list[float] | None:
    return list(interval) if interval else None


def agency_rank_ranges(survey_round: SurveyRound) -> dict[str, tuple[int, int]]:
    """SIPAS rank ranges of the agencies within their level (statistics.rank_ranges): an
    agency is ranked ahead of another only when their intervals do not overlap."""
    level_of = dict(
        RoundAgency.objects.filter(round=survey_round).values_list("agency__code", "level__code")
    )
    by_level: dict[str, dict] = {}
    for code, intervals in IndexResult.objects.filter(round=survey_round, scope=Scope.AGENCY).values_list(
        "code", "intervals"
    ):
        interval = (intervals or {}).get("sipas")
        if interval and code in level_of:
            by_level.setdefault(level_of[code], {})[code] = tuple(interval)
    ranges: dict[str, tuple[int, int]] = {}
    for intervals in by_level.values():
        ranges.update(rank_ranges(intervals))
    return ranges


@dataclass(frozen=True)
class IndexRow:
    """One row of the index table: values in the questionnaire's factor order."""

    scope: str
    code: str
    name: str
    n: int
    sipas: float | None
    factors: tuple[float | None, ...]
    depth: int = 0
    sipas_interval: tuple[float, float] | None = None

    @property
    def small_sample(self) -> bool:
        return is_small_sample(self.n)


@dataclass(frozen=True)
class CriterionCell:
    value: float | None
    n: int


@dataclass(frozen=True)
class CriterionRow:
    code: str
    text: str
    cells: tuple[CriterionCell, ...]


@dataclass(frozen=True)
class FactorGroup:
    """A factor with its index per column scope, then its criteria rows."""

    code: str
    name: str
    cells: tuple[CriterionCell, ...]
    criteria: tuple[CriterionRow, ...]


@dataclass
class IndexTable:
    factors: tuple[FactorDef, ...]
    province: IndexRow | None
    levels: list[IndexRow]
    agencies: list[IndexRow]
    district_areas: list[IndexRow]
    domains: list[IndexRow]
    agency_domains: list[IndexRow]
    criterion_columns: list[str] = field(default_factory=list)
    criterion_groups: list[FactorGroup] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.province is None and not self.agencies and not self.agency_domains


def index_table(survey_round: SurveyRound, *, agency_ids: set[int] | None = None) -> IndexTable:
    """The round's stored indexes arranged for the index page: one list per scope (agencies,
    and agency × domain pairs, in the round's tree order; agencies with their depth), and the
    criterion table for the province and each level — or, for a user who sees only some
    agencies (`agency_ids`, as in `round_results`), for each of those agencies."""
    definition = load_definition(survey_round.questionnaire)
    factor_codes = definition.factor_codes
    depth_of: dict[str, tuple[int, int]] = {
        entry.agency.code: (position, depth)
        for position, (entry, depth) in enumerate(round_agency_tree(survey_round))
    }
    by_scope: dict[str, list[IndexResult]] = {}
    for result in round_results(survey_round, agency_ids=agency_ids):
        by_scope.setdefault(result.scope, []).append(result)

    def row(result: IndexResult, depth: int = 0) -> IndexRow:
        return IndexRow(
            scope=result.scope,
            code=result.code,
            name=result.name,
            n=result.n,
            sipas=result.sipas,
            factors=tuple((result.factors or {}).get(code) for code in factor_codes),
            depth=depth,
            sipas_interval=tuple((result.intervals or {}).get("sipas") or ()) or None,
        )

    def tree_position(agency_code: str) -> int:
        return depth_of.get(agency_code, (len(depth_of), 0))[0]

    agencies = sorted(by_scope.get(Scope.AGENCY, []), key=lambda r: (tree_position(r.code), r.order))
    agency_domains = sorted(
        by_scope.get(Scope.AGENCY_DOMAIN, []),
        key=lambda r: (tree_position(r.code.split("/", 1)[0]), r.order),
    )
    province_results = by_scope.get(Scope.PROVINCE, [])
    column_results = province_results[:1] + by_scope.get(Scope.LEVEL, []) or agencies

    def cell(result: IndexResult, kind: str, code: str) -> CriterionCell:
        values = getattr(result, kind) or {}
        counts = getattr(result, f"{kind}_n") or {}
        return CriterionCell(values.get(code), counts.get(code) or 0)

    groups = []
    for factor in definition.factors:
        groups.append(
            FactorGroup(
                code=factor.code,
                name=factor.name,
                cells=tuple(cell(r, "factors", factor.code) for r in column_results),
                criteria=tuple(
                    CriterionRow(q.code, q.text, tuple(cell(r, "criteria", q.code) for r in column_results))
                    for q in definition.criteria
                    if q.factor == factor.code
                ),
            )
        )
    return IndexTable(
        factors=definition.factors,
        province=row(province_results[0]) if province_results else None,
        levels=[row(r) for r in by_scope.get(Scope.LEVEL, [])],
        agencies=[row(r, depth_of.get(r.code, (0, 0))[1]) for r in agencies],
        district_areas=[row(r) for r in by_scope.get(Scope.DISTRICT_AREA, [])],
        domains=[row(r) for r in by_scope.get(Scope.DOMAIN, [])],
        agency_domains=[row(r) for r in agency_domains],
        criterion_columns=["Toàn tỉnh" if r.scope == Scope.PROVINCE else r.name for r in column_results],
        criterion_groups=groups if column_results else [],
    )
