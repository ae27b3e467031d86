"""The figures the results pages show: each index with its n and 95% interval (`Figure`), per
scope, read from the stored `IndexResult` rows or — for a filtered view (by channel, by
collection dates) — computed by the same grouped pass and engine with a WHERE
(`gather.group_tallies(..., where=...)`) and kept in the cache under the round's
`data_version` and the filter. Also the round's questionnaire as data, cached by its version.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q

from surveys.models import Channel, SurveyRound
from surveys.questionnaires.definition import QuestionDef, QuestionnaireDef
from surveys.selectors import cached_definition

from . import engine, gather
from .models import IndexResult, Scope
from .statistics import is_small_sample, share_interval, wilson_interval

FILTER_CACHE_SECONDS = 6 * 3600


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


# ---- the round's questionnaire as data (cached) --------------------------------------------
def section_questions(definition: QuestionnaireDef, section: str) -> list[QuestionDef]:
    """Single- and multi-choice questions of one section (A, B, D), in questionnaire order:
    the definition's own grouping, which the report reads too."""
    return list(definition.section_questions(section))


def round_definition(survey_round: SurveyRound) -> QuestionnaireDef:
    """The round's questionnaire as data, cached by its definition version: a builder change
    is seen by the next request, and each dashboard request would otherwise spend four queries
    on it."""
    return cached_definition(survey_round.questionnaire)
