"""Feeding the engine from the database: one grouped pass over a round's responses.

Each response carries its answers as a wide row of slot columns (surveys.questionnaires.scoring), so a
single `GROUP BY agency, domain` of plain SUM and COUNT gives every sum the engine needs —
SIPAS and factor ratios, criterion counts, option counts — without reading an answer row.
A few hundred groups come back; the engine rolls them up to every other scope.
"""
from __future__ import annotations

from django.db.models import Count, F, Q, Sum

from surveys.models import Agency, Domain, Response, RoundAgency, RoundAgencyDomain, SurveyRound
from surveys.questionnaires.definition import QuestionnaireDef
from surveys.questionnaires.scoring import ANSWERED, share_questions, slots, unpack_counts

from .engine import AgencyNode, RoundStructure, Tally


def aggregate_expressions(definition: QuestionnaireDef) -> dict:
    """The SELECT list of the grouped pass, by alias: SUM and COUNT of stored columns only
    (Σ of squared ratios aside, for the intervals)."""
    layout = slots(definition)
    expressions: dict = {
        "n": Count("id"), "sipas_sum": Sum("ratio"), "sipas_sq": Sum(F("ratio") * F("ratio")), "sipas_n": Count("ratio"),
    }
    for column in layout.factors.values():
        expressions[f"{column}_sum"] = Sum(column)
        expressions[f"{column}_sq"] = Sum(F(column) * F(column))
        expressions[f"{column}_n"] = Count(column)
    for column in layout.criteria.values():
        expressions[f"{column}_a"] = Count(column)
        expressions[f"{column}_s"] = Count(column, filter=Q(**{f"{column}__in": sorted(definition.satisfied_values)}))
    for column in layout.option_columns:
        expressions[column] = Sum(column)
    return expressions


def grouped_rows(survey_round: SurveyRound, definition: QuestionnaireDef, where: Q | None = None):
    """The one grouped query (by agency and domain ids: no join, no sort on text) over the
    questionnaires that count (not those waiting for their double-entry check)."""
    responses = Response.objects.counted().filter(round=survey_round)
    if where is not None:  # a dashboard filter (channel, collection dates)
        responses = responses.filter(where)
    return (
        responses
        .values("agency_id", "domain_id")
        .order_by()
        .annotate(**aggregate_expressions(definition))
    )


def group_tallies(
    survey_round: SurveyRound, definition: QuestionnaireDef, where: Q | None = None
) -> dict[tuple[str, str], Tally]:
    """One Tally per (agency code, domain code) of the round (of its questionnaires matching
    `where`, when given)."""
    layout = slots(definition)
    agency_codes = dict(Agency.objects.values_list("id", "code"))
    domain_codes = dict(Domain.objects.values_list("id", "code"))
    tallies: dict[tuple[str, str], Tally] = {}
    for row in grouped_rows(survey_round, definition, where):
        tally = Tally(n=row["n"], sipas_sum=row["sipas_sum"] or 0.0, sipas_sq=row["sipas_sq"] or 0.0,
                      sipas_n=row["sipas_n"])
        for code, column in layout.factors.items():
            tally.factor_sum[code] = row[f"{column}_sum"] or 0.0
            tally.factor_sq[code] = row[f"{column}_sq"] or 0.0
            tally.factor_n[code] = row[f"{column}_n"]
        for code, column in layout.criteria.items():
            tally.criterion_answered[code] = row[f"{column}_a"]
            tally.criterion_satisfied[code] = row[f"{column}_s"]
        agency, domain = agency_codes[row["agency_id"]], domain_codes[row["domain_id"]]
        counts = unpack_counts(layout, row, group_size=row["n"], group=f"Cơ quan {agency} × lĩnh vực {domain}")
        for question in share_questions(definition):
            chosen = {option: counts[(question.code, option)] for option in question.options}
            tally.option_chosen[question.code].update(chosen)
            tally.question_answered[question.code] = (
                counts[(question.code, ANSWERED)] if question.kind == "multi" else sum(chosen.values())
            )
        tallies[(agency, domain)] = tally
    return tallies


def share_question_codes(definition: QuestionnaireDef) -> tuple[str, ...]:
    """Questions whose option shares are reported: the single- and multi-choice ones."""
    return tuple(q.code for q in share_questions(definition))


def round_structure(survey_round: SurveyRound) -> RoundStructure:
    entries = list(
        RoundAgency.objects.filter(round=survey_round).select_related("agency", "level", "parent")
    )
    levels: dict[str, str] = {}
    for entry in sorted(entries, key=lambda e: (e.level.order, e.level.code)):
        levels.setdefault(entry.level.code, entry.level.name)
    pairs = list(
        RoundAgencyDomain.objects.filter(round=survey_round)
        .select_related("agency", "domain")
        .order_by("agency__code", "domain__code")
    )
    domains = {p.domain.code: p.domain.name for p in sorted(pairs, key=lambda p: p.domain.code)}
    return RoundStructure(
        province_name=survey_round.province_name,
        levels=levels,
        agencies={
            e.agency.code: AgencyNode(e.agency.code, e.agency.name, e.level.code, e.parent.code if e.parent else None)
            for e in entries
        },
        domains=domains,
        agency_domains=tuple((p.agency.code, p.domain.code) for p in pairs),
    )
