"""The SIPAS index engine: pure functions over plain data (methodology.md §2–§3).

Every index is additive over disjoint groups of respondents once sums and counts are kept:
SIPAS and factor indexes are means of per-respondent ratios (keep Σ ratio and n), criterion
indexes and option shares are proportions (keep both counts). So the database hands over one
`Tally` per agency × domain, and `compute_scopes` rolls them up to every scope of the round.
Nothing here knows about the ORM.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from surveys.questionnaires.definition import AnswerValue, QuestionnaireDef, ResponseScore

from .statistics import mean_interval


@dataclass
class Tally:
    """Sums and counts of a group of valid questionnaires."""

    n: int = 0
    sipas_sum: float = 0.0  # Σ b_i / a_i over respondents with a_i > 0
    sipas_sq: float = 0.0  # Σ (b_i / a_i)², for the interval
    sipas_n: int = 0
    factor_sum: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    factor_sq: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    factor_n: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    criterion_satisfied: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    criterion_answered: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    option_chosen: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    question_answered: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: Tally) -> None:
        self.n += other.n
        self.sipas_sum += other.sipas_sum
        self.sipas_sq += other.sipas_sq
        self.sipas_n += other.sipas_n
        for key, value in other.factor_sum.items():
            self.factor_sum[key] += value
        for key, value in other.factor_sq.items():
            self.factor_sq[key] += value
        for key, value in other.factor_n.items():
            self.factor_n[key] += value
        for key, value in other.criterion_satisfied.items():
            self.criterion_satisfied[key] += value
        for key, value in other.criterion_answered.items():
            self.criterion_answered[key] += value
        for question, counts in other.option_chosen.items():
            for option, value in counts.items():
                self.option_chosen[question][option] += value
        for key, value in other.question_answered.items():
            self.question_answered[key] += value


def tally_response(score: ResponseScore, answers: Mapping[str, AnswerValue] | None = None) -> Tally:
    """The tally of one respondent; `answers` (optional) feeds the option shares."""
    tally = Tally(n=1)
    if score.a > 0:
        tally.sipas_sum = score.b / score.a
        tally.sipas_sq = tally.sipas_sum**2
        tally.sipas_n = 1
    for factor, answered in score.factor_answered.items():
        if answered > 0:
            ratio = score.factor_satisfied[factor] / answered
            tally.factor_sum[factor] += ratio
            tally.factor_sq[factor] += ratio**2
            tally.factor_n[factor] += 1
    for code in score.answered:
        tally.criterion_answered[code] += 1
        tally.criterion_satisfied[code] += code in score.satisfied
    for question, value in (answers or {}).items():
        if isinstance(value, (int, frozenset)) and not isinstance(value, bool):
            tally.question_answered[question] += 1
            for option in value if isinstance(value, frozenset) else (value,):
                tally.option_chosen[question][option] += 1
    return tally


def percent(numerator: float, denominator: int) -> float | None:
    """100 × numerator / denominator, or None (no value) when nobody is in the denominator."""
    return 100.0 * numerator / denominator if denominator else None


@dataclass(frozen=True)
class IndexValues:
    """Every index of one scope, unrounded percentages; None where nobody answered."""

    n: int
    sipas: float | None
    factors: dict[str, float | None]
    factors_n: dict[str, int]
    criteria: dict[str, float | None]
    criteria_n: dict[str, int]
    shares: dict[str, dict]
    # 95% intervals of the means of ratios (they need the sums of squares): {"sipas": [lo, hi],
    # "factors": {...}}. Proportions' Wilson intervals follow from value and n (statistics).
    intervals: dict = field(default_factory=dict)


def finalize(tally: Tally, definition: QuestionnaireDef, share_questions: Iterable[str] = ()) -> IndexValues:
    """Turn a tally into indexes (methodology §2)."""
    shares = {}
    for question in share_questions:
        answered = tally.question_answered.get(question, 0)
        options = sorted(definition.by_code[question].options)
        chosen = {o: tally.option_chosen.get(question, {}).get(o, 0) for o in options}
        shares[question] = {
            "n": answered,
            "options": {str(o): percent(chosen[o], answered) for o in options},
        }
    factor_n = {f: tally.factor_n.get(f, 0) for f in definition.factor_codes}
    criteria_n = {c: tally.criterion_answered.get(c, 0) for c in definition.criterion_codes}
    return IndexValues(
        n=tally.n,
        sipas=percent(tally.sipas_sum, tally.sipas_n),
        factors={f: percent(tally.factor_sum.get(f, 0.0), factor_n[f]) for f in definition.factor_codes},
        factors_n=factor_n,
        criteria={c: percent(tally.criterion_satisfied.get(c, 0), criteria_n[c]) for c in definition.criterion_codes},
        criteria_n=criteria_n,
        shares=shares,
        intervals={
            "sipas": _listed(mean_interval(tally.sipas_sum, tally.sipas_sq, tally.sipas_n)),
            "factors": {
                f: _listed(mean_interval(tally.factor_sum.get(f, 0.0), tally.factor_sq.get(f, 0.0), factor_n[f]))
                for f in definition.factor_codes
            },
        },
    )


def _listed(interval: tuple[float, float] | None) -> list[float] | None:
    """An interval as JSON stores it."""
    return list(interval) if interval else None


@dataclass(frozen=True)
class AgencyNode:
    """An agency as the round sees it: its level and its parent in the round's tree."""

    code: str
    name: str
    level: str
    parent: str | None = None


@dataclass(frozen=True)
class RoundStructure:
    """The round's tree, levels, domains and surveyed agency × domain pairs, in display order."""

    province_name: str
    levels: Mapping[str, str]  # code → name
    agencies: Mapping[str, AgencyNode]
    domains: Mapping[str, str]  # code → name
    agency_domains: tuple[tuple[str, str], ...]

    def district_codes(self) -> list[str]:
        """Agencies that have children in the round: each defines a district_area scope."""
        parents = {node.parent for node in self.agencies.values() if node.parent in self.agencies}
        return [code for code in self.agencies if code in parents]

    def ancestors(self, code: str) -> list[str]:
        chain = []
        parent = self.agencies[code].parent
        while parent is not None and parent in self.agencies and parent not in chain:
            chain.append(parent)
            parent = self.agencies[parent].parent
        return chain


@dataclass(frozen=True)
class ScopeResult:
    scope: str
    code: str | None
    name: str
    values: IndexValues


ScopeKey = tuple[str, str | None]


def scopes_of_group(structure: RoundStructure, agency: str, domain: str, districts: set[str]) -> list[ScopeKey]:
    """The scopes (methodology §3) a questionnaire about `agency` in `domain` belongs to."""
    node = structure.agencies[agency]
    keys: list[ScopeKey] = [("province", None), ("level", node.level), ("agency", agency)]
    keys += [("district_area", code) for code in [agency, *structure.ancestors(agency)] if code in districts]
    keys += [("domain", domain), ("agency_domain", f"{agency}/{domain}")]
    return keys


def all_scopes(structure: RoundStructure) -> list[tuple[ScopeKey, str]]:
    """Every scope of the round in report order, with its display name."""
    scopes: list[tuple[ScopeKey, str]] = [(("province", None), structure.province_name)]
    scopes += [(("level", code), name) for code, name in structure.levels.items()]
    scopes += [(("agency", code), node.name) for code, node in structure.agencies.items()]
    scopes += [(("district_area", code), f"Địa bàn {structure.agencies[code].name}") for code in structure.district_codes()]
    scopes += [(("domain", code), name) for code, name in structure.domains.items()]
    scopes += [
        (("agency_domain", f"{a}/{d}"), f"{structure.agencies[a].name} — {structure.domains[d]}")
        for a, d in structure.agency_domains
    ]
    return scopes


def compute_scopes(
    structure: RoundStructure,
    definition: QuestionnaireDef,
    group_tallies: Mapping[tuple[str, str], Tally],
    share_questions: Iterable[str] = (),
) -> list[ScopeResult]:
    """Roll agency × domain tallies up to every scope and compute its indexes.

    The province is the pooled mean over all respondents, not a mean of agency means.
    A scope nobody answered in is still listed, with n = 0 and null indexes.
    """
    districts = set(structure.district_codes())
    totals: dict[ScopeKey, Tally] = defaultdict(Tally)
    for (agency, domain), tally in group_tallies.items():
        for key in scopes_of_group(structure, agency, domain, districts):
            totals[key].add(tally)
    share_questions = tuple(share_questions)
    known = all_scopes(structure)
    known_keys = {key for key, _ in known}
    # Data outside the configured tree (e.g. a pair removed after collection) still counts.
    extra = [(key, key[1] or "") for key in totals if key not in known_keys]
    return [
        ScopeResult(scope, code, name, finalize(totals.get((scope, code), Tally()), definition, share_questions))
        for (scope, code), name in known + extra
    ]


def compute_from_responses(
    structure: RoundStructure,
    definition: QuestionnaireDef,
    responses: Iterable[tuple[str, str, ResponseScore, Mapping[str, AnswerValue]]],
    share_questions: Iterable[str] = (),
) -> list[ScopeResult]:
    """The same indexes straight from respondents (agency, domain, score, answers): the
    reference path the tests and small rounds use."""
    groups: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for agency, domain, score, answers in responses:
        groups[(agency, domain)].add(tally_response(score, answers))
    return compute_scopes(structure, definition, groups, share_questions)
