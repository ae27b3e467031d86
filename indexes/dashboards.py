"""The data of the results dashboards (issue 6 §4), assembled from stored or filtered indexes.

Unfiltered pages read the stored `IndexResult` rows (what the worker computed, at the round's
`computed_version`), so they cost a few small queries whatever the size of the round. A filtered
view (by channel, by collection dates) runs the same grouped pass and engine with a WHERE
(`gather.group_tallies(..., where=...)`), and keeps the result in the cache under the round's
`data_version` and the filter: the next visitor with the same filter pays nothing, and a new
questionnaire changes the key.

Every index carries its n and 95% interval (`Figure`), so each page can show "mẫu nhỏ" and the
interval wherever the value appears. The page assemblers below are plain functions of those
figures; `*_tables` turn each page into the sheets of its XLSX download, so the page and the
file always show the same numbers.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from surveys.definition import QuestionDef, QuestionnaireDef
from surveys.models import COUNTED_VERIFICATIONS, Answer, Channel, Question, RoundAgency, SurveyRound
from surveys.selectors import load_definition

from . import engine, gather
from .models import IndexResult, PublishedResult, Scope
from .statistics import is_small_sample, rank_ranges, share_interval, wilson_interval
from .targets import Targets

FILTER_CACHE_SECONDS = 6 * 3600
DEFINITION_CACHE_SECONDS = 60
MAX_COMMENTS = 200
DEMOGRAPHIC_SECTION = "A"
PROCESS_SECTION = "B"
EXPECTATION_SECTION = "D"


# ---------------------------------------------------------------------------------------------
# Filter
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ResultFilter:
    """Lọc theo kênh thu thập và ngày khảo sát (inclusive)."""

    channel: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def active(self) -> bool:
        return bool(self.channel or self.date_from or self.date_to)

    def where(self) -> Q:
        where = Q()
        if self.channel:
            where &= Q(channel=self.channel)
        if self.date_from:
            where &= Q(surveyed_on__gte=self.date_from)
        if self.date_to:
            where &= Q(surveyed_on__lte=self.date_to)
        return where

    def key(self) -> str:
        return f"{self.channel}|{self.date_from or ''}|{self.date_to or ''}"

    def describe(self) -> str:
        """In words, for the page and the workbook: “kênh Qua bưu điện; từ 01/11/2022”."""
        parts = []
        if self.channel:
            parts.append(f"kênh {dict(Channel.choices).get(self.channel, self.channel)}")
        if self.date_from:
            parts.append(f"khảo sát từ {self.date_from:%d/%m/%Y}")
        if self.date_to:
            parts.append(f"khảo sát đến {self.date_to:%d/%m/%Y}")
        return "; ".join(parts) or "tất cả phiếu"


NO_FILTER = ResultFilter()


# ---------------------------------------------------------------------------------------------
# Figures: a value with its n and 95% interval
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    value: float | None
    n: int
    low: float | None = None
    high: float | None = None
    target: float | None = None

    @property
    def small_sample(self) -> bool:
        return is_small_sample(self.n)

    @property
    def below_target(self) -> bool:
        return self.target is not None and self.value is not None and self.value < self.target

    def with_target(self, target: float | None) -> Figure:
        return dataclasses.replace(self, target=target)


def proportion(value: float | None, n: int) -> Figure:
    """A criterion index or an option share, with its Wilson interval."""
    interval = share_interval(value, n)
    return Figure(value, n, *(interval or (None, None)))


def mean_figure(value: float | None, n: int, interval: Sequence[float] | None) -> Figure:
    return Figure(value, n, *(tuple(interval) if interval else (None, None)))


class LazyProportions(Mapping):
    """Criterion figures by code, each computed (Wilson interval) on first read: a ranking
    reads the SIPAS of 86 agencies and none of their 22 criteria."""

    def __init__(self, codes: Sequence[str], values: Mapping, counts: Mapping):
        self._codes, self._values, self._counts = tuple(codes), values, counts
        self._figures: dict[str, Figure] = {}

    def __getitem__(self, code: str) -> Figure:
        if code not in self._figures:
            if code not in self._codes:
                raise KeyError(code)
            self._figures[code] = proportion(self._values.get(code), self._counts.get(code) or 0)
        return self._figures[code]

    def __iter__(self):
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)


@dataclass(frozen=True)
class ScopeFigures:
    """Every index of one scope, as figures."""

    scope: str
    code: str
    name: str
    n: int
    sipas: Figure
    factors: Mapping[str, Figure]
    criteria: Mapping[str, Figure]
    shares: Mapping[str, Mapping]

    @property
    def small_sample(self) -> bool:
        return is_small_sample(self.n)

    def option_share(self, question: str, options: Iterable[int]) -> Figure:
        """The share of respondents who chose any of `options` of a single-choice question
        (the options exclude each other, so their shares add up), with its Wilson interval."""
        share = self.shares.get(question) or {}
        answered = share.get("n") or 0
        values = [(share.get("options") or {}).get(str(o)) for o in options]
        if not answered:
            return Figure(None, 0)
        value = sum(v or 0.0 for v in values)
        interval = wilson_interval(round(value * answered / 100), answered)
        return Figure(value, answered, *(interval or (None, None)))


def scope_figures(
    *, scope: str, code: str, name: str, n: int, sipas: float | None, factors: Mapping, factors_n: Mapping,
    criteria: Mapping, criteria_n: Mapping, shares: Mapping, intervals: Mapping, definition: QuestionnaireDef,
) -> ScopeFigures:
    mean_intervals = intervals.get("factors") or {}
    factor_codes, criterion_codes = codes_of(definition)
    return ScopeFigures(
        scope=scope,
        code=code,
        name=name,
        n=n,
        sipas=mean_figure(sipas, n if sipas is not None else 0, intervals.get("sipas")),
        factors={
            f: mean_figure(factors.get(f), factors_n.get(f) or 0, mean_intervals.get(f)) for f in factor_codes
        },
        criteria=LazyProportions(criterion_codes, criteria, criteria_n),
        shares=shares or {},
    )


Codes = tuple[tuple[str, ...], tuple[str, ...]]
_codes: dict[int, tuple[QuestionnaireDef, Codes]] = {}


def codes_of(definition: QuestionnaireDef) -> Codes:
    """(factor codes, criterion codes), remembered per definition object: QuestionnaireDef
    derives them on every call, and a page asks once per scope. (Keyed by identity: the
    definition holds dicts and is not hashable.)"""
    entry = _codes.get(id(definition))
    if entry is None or entry[0] is not definition:
        if len(_codes) > 32:
            _codes.clear()
        entry = _codes[id(definition)] = (definition, (definition.factor_codes, definition.criterion_codes))
    return entry[1]


def from_stored(result: IndexResult, definition: QuestionnaireDef) -> ScopeFigures:
    deferred = result.get_deferred_fields()  # never read a deferred field: one query per row

    def stored(name: str) -> dict:
        return {} if name in deferred else (getattr(result, name) or {})

    return scope_figures(
        scope=result.scope, code=result.code, name=result.name, n=result.n, sipas=result.sipas,
        factors=stored("factors"), factors_n=stored("factors_n"), criteria=stored("criteria"),
        criteria_n=stored("criteria_n"), shares=stored("shares"), intervals=stored("intervals"),
        definition=definition,
    )


def from_computed(result: engine.ScopeResult, definition: QuestionnaireDef) -> ScopeFigures:
    v = result.values
    return scope_figures(
        scope=result.scope, code=result.code or "", name=result.name, n=v.n, sipas=v.sipas, factors=v.factors,
        factors_n=v.factors_n, criteria=v.criteria, criteria_n=v.criteria_n, shares=v.shares,
        intervals=v.intervals, definition=definition,
    )


# ---------------------------------------------------------------------------------------------
# Where the figures come from: stored results, or a filtered computation (cached)
# ---------------------------------------------------------------------------------------------
def filtered_cache_key(survey_round: SurveyRound, result_filter: ResultFilter) -> str:
    """Names the round by code and id (a round deleted and created again under its code starts
    over at data_version 0) and its data_version; the database is the cache's namespace
    (settings.CACHES), so another database's round with the same code and id is not read."""
    return (
        f"sipas:dashboard:filtered:{survey_round.code}:{survey_round.pk}:{survey_round.data_version}:"
        f"{result_filter.key()}"
    )


def filtered_results(survey_round: SurveyRound, definition: QuestionnaireDef, result_filter: ResultFilter):
    """Every scope of the round over the questionnaires the filter keeps: the worker's grouped
    pass and engine, with a WHERE; cached per data_version and filter."""
    key = filtered_cache_key(survey_round, result_filter)
    results = cache.get(key)
    if results is None:
        tallies = gather.group_tallies(survey_round, definition, result_filter.where())
        results = engine.compute_scopes(
            gather.round_structure(survey_round), definition, tallies, gather.share_question_codes(definition)
        )
        cache.set(key, results, FILTER_CACHE_SECONDS)
    return results


class RoundResults:
    """The figures a dashboard shows for a round, stored or filtered, read scope by scope."""

    def __init__(self, survey_round: SurveyRound, definition: QuestionnaireDef, result_filter: ResultFilter = NO_FILTER):
        self.round = survey_round
        self.definition = definition
        self.filter = result_filter
        self._computed: list[engine.ScopeResult] | None = None
        if result_filter.active:
            self._computed = filtered_results(survey_round, definition, result_filter)

    def of_scope(self, scope: str, codes: Iterable[str] | None = None, *, without: tuple[str, ...] = ()) -> list[ScopeFigures]:
        """The scope's figures in engine order; `without` names stored JSON fields the page
        does not show (not read from the database; their figures are empty)."""
        wanted = None if codes is None else set(codes)
        if self._computed is not None:
            return [
                from_computed(r, self.definition)
                for r in self._computed
                if r.scope == scope and (wanted is None or (r.code or "") in wanted)
            ]
        qs = IndexResult.objects.filter(round=self.round, scope=scope).order_by("order").defer(*without)
        if wanted is not None:
            qs = qs.filter(code__in=wanted)
        return [from_stored(r, self.definition) for r in qs]

    def one(self, scope: str, code: str = "") -> ScopeFigures | None:
        found = self.of_scope(scope, [code])
        return found[0] if found else None

    def about_agency(self, agency_code: str, children: Sequence[str]) -> list[ScopeFigures]:
        """In one read: the agency, its children (communes), its agency × domain rows and, for a
        district, its district area."""
        prefix = f"{agency_code}/"
        agencies = {agency_code, *children}

        def wanted(scope: str, code: str) -> bool:
            return (
                (scope == Scope.AGENCY and code in agencies)
                or (scope == Scope.AGENCY_DOMAIN and code.startswith(prefix))
                or (scope == Scope.DISTRICT_AREA and code == agency_code)
            )

        if self._computed is not None:
            return [from_computed(r, self.definition) for r in self._computed if wanted(r.scope, r.code or "")]
        about = (
            Q(scope=Scope.AGENCY, code__in=sorted(agencies))
            | Q(scope=Scope.AGENCY_DOMAIN, code__startswith=prefix)
            | Q(scope=Scope.DISTRICT_AREA, code=agency_code)
        )
        qs = IndexResult.objects.filter(about, round=self.round).order_by("order")
        return [from_stored(r, self.definition) for r in qs]


# ---------------------------------------------------------------------------------------------
# Rankings with intervals
# ---------------------------------------------------------------------------------------------
def rank_groups(items: Sequence[tuple[str, float | None, tuple[float, float] | None]]) -> dict[str, int]:
    """Group numbers (1 = highest) for items (code, value, 95% interval).

    A group is a chain of overlapping intervals (a connected component of the overlap graph):
    two items in different groups never overlap, so every item of group k is surely above
    every item of group k + 1, and inside a group no order is established. Items without an
    interval (n < 2) get no group. Taken by upper bound, highest first: an item joins the
    current group when its upper bound reaches the lowest lower bound seen in the group."""
    ranked = sorted(
        ((code, value, interval) for code, value, interval in items if value is not None and interval is not None),
        key=lambda item: (-item[2][1], -item[1]),
    )
    groups: dict[str, int] = {}
    group, floor = 0, None
    for code, _value, (low, high) in ranked:
        if floor is None or high < floor:
            group += 1
            floor = low
        else:
            floor = min(floor, low)
        groups[code] = group
    return groups


@dataclass(frozen=True)
class RankedRow:
    figures: ScopeFigures
    rank_best: int | None
    rank_worst: int | None
    group: int | None
    parent: str = ""

    @property
    def rank_text(self) -> str:
        if self.rank_best is None:
            return "—"
        if self.rank_best == self.rank_worst:
            return str(self.rank_best)
        return f"{self.rank_best}–{self.rank_worst}"


@dataclass(frozen=True)
class RankedLevel:
    code: str
    name: str
    rows: tuple[RankedRow, ...]
    groups: int


@dataclass(frozen=True)
class AgencyPlace:
    code: str
    name: str
    level: str
    level_name: str
    level_order: int
    parent: str | None
    parent_name: str | None


def agency_places(survey_round: SurveyRound) -> dict[str, AgencyPlace]:
    """Each agency of the round with its level and parent, in the round's tree."""
    rows = RoundAgency.objects.filter(round=survey_round).values_list(
        "agency__code", "agency__name", "level__code", "level__name", "level__order", "parent__code", "parent__name"
    )
    return {row[0]: AgencyPlace(*row) for row in rows}


def ranking(results: RoundResults, targets: Targets, places: Mapping[str, AgencyPlace]) -> list[RankedLevel]:
    """Agencies of each level by SIPAS with their rank range (statistics.rank_ranges) and group."""
    by_level: dict[str, list[ScopeFigures]] = {}
    for figures in results.of_scope(Scope.AGENCY, without=("shares", "criteria", "criteria_n")):
        place = places.get(figures.code)
        if place is not None:
            by_level.setdefault(place.level, []).append(figures)
    levels = sorted({(p.level_order, p.level, p.level_name) for p in places.values()})
    ranked = []
    for _order, code, name in levels:
        agencies = by_level.get(code, [])
        intervals = {
            a.code: (a.sipas.low, a.sipas.high) for a in agencies if a.sipas.low is not None and a.sipas.value is not None
        }
        ranges = rank_ranges(intervals)
        groups = rank_groups([(a.code, a.sipas.value, intervals.get(a.code)) for a in agencies])
        rows = [
            RankedRow(
                figures=dataclasses.replace(a, sipas=a.sipas.with_target(targets.sipas)),
                rank_best=ranges.get(a.code, (None, None))[0],
                rank_worst=ranges.get(a.code, (None, None))[1],
                group=groups.get(a.code),
                parent=places[a.code].parent_name or "",
            )
            for a in agencies
        ]
        rows.sort(key=lambda r: (r.group is None, -(r.figures.sipas.value or -1), r.figures.name))
        ranked.append(RankedLevel(code, name, tuple(rows), max(groups.values(), default=0)))
    return [level for level in ranked if level.rows]


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CriterionLine:
    code: str
    text: str
    factor: str
    figure: Figure


@dataclass(frozen=True)
class FactorLine:
    code: str
    name: str
    figure: Figure


def factor_lines(figures: ScopeFigures, definition: QuestionnaireDef) -> list[FactorLine]:
    return [FactorLine(f.code, f.name, figures.factors[f.code]) for f in definition.factors]


def criterion_lines(figures: ScopeFigures, definition: QuestionnaireDef, *, weakest_first: bool = False) -> list[CriterionLine]:
    lines = [CriterionLine(q.code, q.text, q.factor or "", figures.criteria[q.code]) for q in definition.criteria]
    if weakest_first:
        # Criteria without a value go last; ties keep questionnaire order.
        lines.sort(key=lambda line: (line.figure.value is None, line.figure.value or 0.0))
    return lines


@dataclass(frozen=True)
class Overview:
    province: ScopeFigures | None
    factors: list[FactorLine]
    criteria: list[CriterionLine]  # weakest first
    levels: list[ScopeFigures]
    target_domains: list[ScopeFigures]
    targets: Targets


def with_sipas_target(figures: ScopeFigures, target: float | None) -> ScopeFigures:
    return dataclasses.replace(figures, sipas=figures.sipas.with_target(target))


def overview(results: RoundResults, targets: Targets) -> Overview:
    definition = results.definition
    province = results.one(Scope.PROVINCE, "")
    if province is not None:
        province = with_sipas_target(province, targets.sipas)
    return Overview(
        province=province,
        factors=factor_lines(province, definition) if province else [],
        criteria=criterion_lines(province, definition, weakest_first=True) if province else [],
        levels=[with_sipas_target(f, targets.sipas) for f in results.of_scope(Scope.LEVEL)],
        target_domains=[
            with_sipas_target(f, targets.for_domain(f.code))
            for f in results.of_scope(Scope.DOMAIN, sorted(targets.domain_codes))
        ],
        targets=targets,
    )


@dataclass(frozen=True)
class CriterionGrid:
    """Criteria (rows) × scopes (columns)."""

    columns: list[str]
    factor_rows: list[tuple[FactorLine, list[Figure]]]
    rows: list[tuple[CriterionLine, list[Figure]]]


def criterion_grid(columns: Sequence[ScopeFigures], definition: QuestionnaireDef) -> CriterionGrid:
    return CriterionGrid(
        columns=[c.name for c in columns],
        factor_rows=[(FactorLine(f.code, f.name, Figure(None, 0)), [c.factors[f.code] for c in columns])
                     for f in definition.factors],
        rows=[
            (CriterionLine(q.code, q.text, q.factor or "", Figure(None, 0)), [c.criteria[q.code] for c in columns])
            for q in definition.criteria
        ],
    )


@dataclass(frozen=True)
class LevelsPage:
    levels: list[ScopeFigures]
    district_areas: list[ScopeFigures]
    grid: CriterionGrid


def levels_page(results: RoundResults, targets: Targets) -> LevelsPage:
    levels = [with_sipas_target(f, targets.sipas) for f in results.of_scope(Scope.LEVEL)]
    return LevelsPage(
        levels=levels,
        district_areas=[with_sipas_target(f, targets.sipas) for f in results.of_scope(Scope.DISTRICT_AREA)],
        grid=criterion_grid(levels, results.definition),
    )


@dataclass(frozen=True)
class DomainsPage:
    rows: list[ScopeFigures]
    targets: Targets


def domains_page(results: RoundResults, targets: Targets) -> DomainsPage:
    rows = [with_sipas_target(f, targets.for_domain(f.code)) for f in results.of_scope(Scope.DOMAIN)]
    return DomainsPage(rows=[r for r in rows if r.n], targets=targets)


# ---- option shares: process indicators, demographics, expectations ---------------------------
@dataclass(frozen=True)
class Indicator:
    """A process indicator: the share choosing some options of a single-choice question."""

    question: str
    options: tuple[int, ...]
    label: str
    note: str = ""


PROCESS_INDICATORS = (
    Indicator("B3", (2, 3, 4), "Phải đi lại từ 2 lần trở lên", "trong số người trả lời câu B3"),
    Indicator("B4", (3,), "Nhận kết quả muộn hơn giấy hẹn", "trong số người trả lời câu B4"),
    Indicator("B5", (1,), "Nhận được văn bản xin lỗi khi trễ hẹn", "trong số hồ sơ trả muộn (B4 = 3)"),
    Indicator("B6", (1,), "Phải trả thêm tiền ngoài phí, lệ phí", "trong số người trả lời câu B6"),
)


def available_indicators(definition: QuestionnaireDef) -> list[Indicator]:
    """The indicators the questionnaire can answer (a later round may drop a question)."""
    return [
        i for i in PROCESS_INDICATORS
        if i.question in definition.by_code and set(i.options) <= set(definition.by_code[i.question].options)
        and definition.by_code[i.question].kind == "single"
    ]


@dataclass(frozen=True)
class Distribution:
    """One question's option shares for some scopes (columns)."""

    code: str
    text: str
    multi: bool
    columns: list[str]
    answered: list[int]
    options: list[tuple[str, list[Figure]]]


def question_sections(questionnaire_id: int) -> dict[str, str]:
    """Question code → section code (A, B, C, D) of a questionnaire (cached with the definition)."""
    key = f"sipas:dashboard:sections:{questionnaire_id}"
    sections = cache.get(key)
    if sections is None:
        sections = dict(
            Question.objects.filter(questionnaire_id=questionnaire_id).values_list("code", "section__code")
        )
        cache.set(key, sections, DEFINITION_CACHE_SECONDS)
    return sections


def section_questions(survey_round: SurveyRound, definition: QuestionnaireDef, section: str) -> list[QuestionDef]:
    """Single- and multi-choice questions of one section (A, B, D), in questionnaire order."""
    sections = question_sections(survey_round.questionnaire_id)
    return [q for q in definition.questions if sections.get(q.code) == section and q.kind in ("single", "multi")]


def round_definition(survey_round: SurveyRound) -> QuestionnaireDef:
    """The round's questionnaire as data, kept a short while in the cache: a questionnaire is
    locked once it has answers, and each dashboard request would otherwise spend three queries
    on it."""
    key = f"sipas:dashboard:definition:{survey_round.questionnaire_id}"
    definition = cache.get(key)
    if definition is None:
        definition = load_definition(survey_round.questionnaire)
        cache.set(key, definition, DEFINITION_CACHE_SECONDS)
    return definition


def distributions(questions: Sequence[QuestionDef], columns: Sequence[ScopeFigures]) -> list[Distribution]:
    result = []
    for question in questions:
        shares = [c.shares.get(question.code) or {} for c in columns]
        answered = [s.get("n") or 0 for s in shares]
        result.append(
            Distribution(
                code=question.code,
                text=question.text,
                multi=question.kind == "multi",
                columns=[c.name for c in columns],
                answered=answered,
                options=[
                    (f"{value}. {label}",
                     [proportion((s.get("options") or {}).get(str(value)), n) for s, n in zip(shares, answered, strict=True)])
                    for value, label in sorted(question.options.items())
                ],
            )
        )
    return result


@dataclass(frozen=True)
class IndicatorRow:
    name: str
    n: int
    figures: list[Figure]
    depth: int = 0


@dataclass(frozen=True)
class SharesPage:
    """Process indicators (section B) or demographics (section A): province and levels as
    columns of each question's distribution; for the process page, key indicators per agency."""

    indicators: list[Indicator]
    indicator_rows: list[IndicatorRow]
    distributions: list[Distribution]


def indicator_row(figures: ScopeFigures, indicators: Sequence[Indicator], depth: int = 0) -> IndicatorRow:
    return IndicatorRow(figures.name, figures.n, [figures.option_share(i.question, i.options) for i in indicators], depth)


def process_page(results: RoundResults, places: Mapping[str, AgencyPlace]) -> SharesPage:
    definition = results.definition
    indicators = available_indicators(definition)
    province = results.one(Scope.PROVINCE, "")
    levels = results.of_scope(Scope.LEVEL)
    columns = ([province] if province else []) + levels
    rows = [indicator_row(c, indicators) for c in columns]
    rows += [
        indicator_row(a, indicators, depth=1 if (places.get(a.code) and places[a.code].parent) else 0)
        for a in results.of_scope(Scope.AGENCY, without=("criteria", "criteria_n", "factors", "factors_n")) if a.n
    ]
    return SharesPage(
        indicators=indicators,
        indicator_rows=rows,
        distributions=distributions(section_questions(results.round, definition, PROCESS_SECTION), columns),
    )


def demographics_page(results: RoundResults) -> SharesPage:
    province = results.one(Scope.PROVINCE, "")
    columns = ([province] if province else []) + results.of_scope(Scope.LEVEL)
    questions = section_questions(results.round, results.definition, DEMOGRAPHIC_SECTION)
    return SharesPage(indicators=[], indicator_rows=[], distributions=distributions(questions, columns))


# ---- one agency ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Comment:
    text: str
    surveyed_on: dt.date
    domain: str


@dataclass(frozen=True)
class AgencyPage:
    agency: ScopeFigures
    place: AgencyPlace | None
    factors: list[FactorLine]
    criteria: list[CriterionLine]
    domains: list[ScopeFigures]
    district_area: ScopeFigures | None
    communes: list[ScopeFigures]
    improvements: list[Distribution]
    indicators: list[Indicator]
    indicator_row: IndicatorRow | None
    comments: list[Comment]
    comments_total: int
    targets: Targets

    @property
    def district_rows(self) -> list[ScopeFigures]:
        return [self.district_area] if self.district_area else []

    @property
    def indicator_pairs(self) -> list[tuple[Indicator, Figure]]:
        if self.indicator_row is None:
            return []
        return list(zip(self.indicators, self.indicator_row.figures, strict=True))


def agency_comments(results: RoundResults, agency_code: str, limit: int = MAX_COMMENTS) -> tuple[list[Comment], int]:
    """Free-text answers (D2 and any other text question of section D) about the agency,
    newest first, at most `limit`, and how many there are."""
    answers = Answer.objects.filter(
        response__round=results.round,
        response__agency__code=agency_code,
        response__verification__in=COUNTED_VERIFICATIONS,
        question__questionnaire_id=results.round.questionnaire_id,
        question__kind="text",
        question__section__code=EXPECTATION_SECTION,
    ).exclude(text="")
    if results.filter.active:
        answers = answers.filter(
            **{f"response__{k}": v for k, v in (
                ("channel", results.filter.channel or None),
                ("surveyed_on__gte", results.filter.date_from),
                ("surveyed_on__lte", results.filter.date_to),
            ) if v}
        )
    total = answers.count()
    rows = answers.order_by("-response__surveyed_on", "-pk").values_list(
        "text", "response__surveyed_on", "response__domain__name"
    )[:limit]
    return [Comment(*row) for row in rows], total


def agency_page(results: RoundResults, agency_code: str, targets: Targets, places: Mapping[str, AgencyPlace]) -> AgencyPage | None:
    definition = results.definition
    children = [code for code, place in places.items() if place.parent == agency_code]
    rows = results.about_agency(agency_code, children)
    agency = next((r for r in rows if r.scope == Scope.AGENCY and r.code == agency_code), None)
    if agency is None:
        return None
    agency = with_sipas_target(agency, targets.sipas)
    communes = [r for r in rows if r.scope == Scope.AGENCY and r.code != agency_code]
    domain_rows = []
    for figures in (r for r in rows if r.scope == Scope.AGENCY_DOMAIN):
        domain_code = figures.code.split("/", 1)[1]
        domain_rows.append(with_sipas_target(
            dataclasses.replace(figures, name=figures.name.split(" — ", 1)[-1]), targets.for_domain(domain_code)
        ))
    district = next((r for r in rows if r.scope == Scope.DISTRICT_AREA), None) if children else None
    indicators = available_indicators(definition)
    comments, total = agency_comments(results, agency_code)
    expectation = section_questions(results.round, definition, EXPECTATION_SECTION)
    improvements = distributions(expectation, [agency])
    # What respondents asked for most comes first.
    improvements = [
        dataclasses.replace(d, options=sorted(d.options, key=lambda o: -(o[1][0].value or 0.0))) for d in improvements
    ]
    return AgencyPage(
        agency=agency,
        place=places.get(agency_code),
        factors=factor_lines(agency, definition),
        criteria=criterion_lines(agency, definition, weakest_first=True),
        domains=domain_rows,
        district_area=with_sipas_target(district, targets.sipas) if district else None,
        communes=[with_sipas_target(c, targets.sipas) for c in communes],
        improvements=improvements,
        indicators=indicators,
        indicator_row=indicator_row(agency, indicators) if indicators else None,
        comments=comments,
        comments_total=total,
        targets=targets,
    )


# ---- trends ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrendRow:
    year: int
    source: str  # "Bộ Nội vụ công bố" or the round's code
    sipas: Figure
    factors: Mapping[str, Figure] = field(default_factory=dict)
    rank: str = ""
    round_code: str = ""


@dataclass(frozen=True)
class TrendsPage:
    years: list[int]
    published: list[TrendRow]
    surveyed: list[TrendRow]
    factor_codes: tuple[str, ...]
    factor_names: Mapping[str, str]


def trends_page(survey_round: SurveyRound, definition: QuestionnaireDef, visible_rounds) -> TrendsPage:
    """The published national SIPAS of the province (2017–2021 for Lạng Sơn) and the province
    SIPAS of each computed round of the same province: per year, this round, else a published
    round, else the round with most questionnaires."""
    published = [
        TrendRow(
            year=p.year, source=p.source or "Bộ Nội vụ công bố", sipas=Figure(float(p.sipas), 0),
            rank=f"{p.national_rank}/{p.national_total}" if p.national_rank else "",
        )
        for p in PublishedResult.objects.filter(province_name=survey_round.province_name).order_by("year")
    ]
    provinces = (
        IndexResult.objects.filter(scope=Scope.PROVINCE, round__in=visible_rounds, round__province_name=survey_round.province_name)
        .select_related("round")
    )
    preference = {"published": 0, "closed": 1}
    chosen: dict[int, IndexResult] = {}
    for result in provinces:
        year = result.round.year
        key = (result.round_id != survey_round.pk, preference.get(result.round.status, 2), -result.n, result.round.code)
        current = chosen.get(year)
        if current is None or key < (
            current.round_id != survey_round.pk, preference.get(current.round.status, 2), -current.n, current.round.code
        ):
            chosen[year] = result
    surveyed = []
    for year in sorted(chosen):
        result = chosen[year]
        figures = from_stored(result, definition) if result.round.questionnaire_id == survey_round.questionnaire_id else None
        intervals = result.intervals or {}
        surveyed.append(
            TrendRow(
                year=year,
                source=f"Đợt {result.round.code}",
                sipas=mean_figure(result.sipas, result.n, intervals.get("sipas")),
                factors=figures.factors if figures else {},
                round_code=result.round.code,
            )
        )
    years = sorted({r.year for r in published} | {r.year for r in surveyed})
    return TrendsPage(
        years=years, published=published, surveyed=surveyed, factor_codes=definition.factor_codes,
        factor_names={f.code: f.name for f in definition.factors},
    )


# ---- computed status -------------------------------------------------------------------------
def computed_status(survey_round: SurveyRound) -> dict[str, Any]:
    """What the status badge shows, for the polling script (static/js/computed-status.js)."""
    computed_at = survey_round.computed_at
    pending = survey_round.computed_version < survey_round.data_version
    if computed_at is None:
        text = "Chưa tính chỉ số"
    else:
        text = f"Chỉ số tính lúc {timezone.localtime(computed_at):%d/%m/%Y %H:%M}"
    return {
        "round": survey_round.code,
        "computed_at": timezone.localtime(computed_at).strftime("%d/%m/%Y %H:%M") if computed_at else None,
        "computed_version": survey_round.computed_version,
        "data_version": survey_round.data_version,
        "pending": pending,
        "text": text,
        "pending_text": (
            f"Đang chờ tính lại: {survey_round.data_version - survey_round.computed_version} thay đổi mới chưa có trong kết quả"
            if pending else ""
        ),
    }


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
