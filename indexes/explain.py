"""Cách tính: how one scope's indexes were computed, for supervisors to check by hand.

The sums come from the same grouped query and roll-up as the stored results; for scopes of a
few hundred questionnaires each respondent's a_i and b_i are listed too, counted from the
criterion columns the index query reads.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from surveys.models import Response, SurveyRound
from surveys.questionnaires.definition import QuestionnaireDef
from surveys.questionnaires.scoring import slots
from surveys.selectors import load_definition

from . import engine, gather
from .models import IndexResult

MAX_LISTED = 500


@dataclass(frozen=True)
class RespondentLine:
    ma_phieu: str
    agency: str
    domain: str
    a: int
    b: int
    factor_counts: tuple[tuple[int, int], ...]  # (b_ik, a_ik) per factor, in questionnaire order

    @property
    def ratio(self) -> float:
        return 100.0 * self.b / self.a if self.a else 0.0


@dataclass(frozen=True)
class Explanation:
    result: IndexResult
    definition: QuestionnaireDef
    tally: engine.Tally
    respondents: list[RespondentLine] | None  # None when the scope is too large to list


def _groups_in_scope(structure: engine.RoundStructure, scope: str, code: str | None) -> set[tuple[str, str]]:
    districts = set(structure.district_codes())
    return {
        (agency, domain)
        for agency, domain in structure.agency_domains
        if (scope, code) in engine.scopes_of_group(structure, agency, domain, districts)
    }


def _line(row: dict, definition: QuestionnaireDef, layout) -> RespondentLine:
    """A respondent's b_ik and a_ik per factor, from their stored criterion answers."""
    counts = []
    for factor in definition.factor_codes:
        values = [row[layout.criteria[q.code]] for q in definition.criteria if q.factor == factor]
        answered = [v for v in values if v is not None]
        counts.append((sum(v in definition.satisfied_values for v in answered), len(answered)))
    return RespondentLine(
        row["ma_phieu"], row["agency__code"], row["domain__code"],
        a=sum(a for _, a in counts), b=sum(b for b, _ in counts), factor_counts=tuple(counts),
    )


def explain(survey_round: SurveyRound, result: IndexResult) -> Explanation:
    definition = load_definition(survey_round.questionnaire)
    structure = gather.round_structure(survey_round)
    code = result.code or None
    groups = _groups_in_scope(structure, result.scope, code)
    tally = engine.Tally()
    for key, group in gather.group_tallies(survey_round, definition).items():
        if key in groups:
            tally.add(group)
    respondents = None
    if tally.n <= MAX_LISTED:
        layout = slots(definition)
        in_scope = Q(pk__in=[])
        for agency, domain in groups:
            in_scope |= Q(agency__code=agency, domain__code=domain)
        rows = (
            Response.objects.counted().filter(in_scope, round=survey_round)
            .values("ma_phieu", "agency__code", "domain__code", *layout.criteria.values())
            .order_by("agency__code", "domain__code", "ma_phieu")
        )
        respondents = [_line(row, definition, layout) for row in rows]
    return Explanation(result=result, definition=definition, tally=tally, respondents=respondents)
