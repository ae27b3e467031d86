"""Feeding the engine from the database: one grouped pass over a round's responses.

The derived columns on `Response` (surveys.scoring) let PostgreSQL or SQLite compute every
sum the engine needs per agency × domain without reading a single answer row. Option shares
come from a second grouped query over the answers of the choice questions.
"""
from __future__ import annotations

from django.db.models import Case, Count, F, FloatField, IntegerField, Sum, Value, When
from django.db.models.functions import Cast
from django.db.models.lookups import GreaterThan

from surveys.definition import QuestionnaireDef
from surveys.models import FACTOR_COUNT_BITS, Answer, Response, RoundAgency, RoundAgencyDomain, SurveyRound
from surveys.scoring import FACTOR_COUNT_MASK

from .engine import AgencyNode, RoundStructure, Tally


def _factor_count(column: str, position: int):
    return F(column).bitrightshift(FACTOR_COUNT_BITS * position).bitand(FACTOR_COUNT_MASK)


def _bit(column: str, position: int):
    return F(column).bitrightshift(position).bitand(1)


def aggregate_expressions(definition: QuestionnaireDef) -> dict:
    """The SELECT list of the grouped pass: every sum the engine needs, by alias."""
    factors = definition.factor_codes
    total_a = sum((_factor_count("factor_answered", k) for k in range(len(factors))), Value(0))
    total_b = sum((_factor_count("factor_satisfied", k) for k in range(len(factors))), Value(0))
    expressions: dict = {"n": Count("id")}
    expressions["sipas_sum"] = Sum(_ratio(total_a, total_b))
    expressions["sipas_n"] = Sum(_positive(total_a))
    for k in range(len(factors)):
        answered = _factor_count("factor_answered", k)
        expressions[f"f{k}_sum"] = Sum(_ratio(answered, _factor_count("factor_satisfied", k)))
        expressions[f"f{k}_n"] = Sum(_positive(answered))
    for j in range(len(definition.criterion_codes)):
        expressions[f"c{j}_a"] = Sum(_bit("answered_mask", j))
        expressions[f"c{j}_s"] = Sum(_bit("satisfied_mask", j))
    return expressions


def _positive(expression):
    return Case(When(_gt_zero(expression), then=Value(1)), default=Value(0), output_field=IntegerField())


def _gt_zero(expression):
    return GreaterThan(expression, 0)


def _ratio(answered, satisfied):
    return Case(
        When(_gt_zero(answered), then=Cast(satisfied, FloatField()) / Cast(answered, FloatField())),
        default=Value(None),
        output_field=FloatField(),
    )


def group_tallies(survey_round: SurveyRound, definition: QuestionnaireDef) -> dict[tuple[str, str], Tally]:
    """One Tally per (agency code, domain code) of the round, from one grouped query."""
    rows = (
        Response.objects.filter(round=survey_round)
        .values("agency__code", "domain__code")
        .order_by()
        .annotate(**aggregate_expressions(definition))
    )
    tallies: dict[tuple[str, str], Tally] = {}
    for row in rows:
        tally = Tally(n=row["n"], sipas_sum=row["sipas_sum"] or 0.0, sipas_n=row["sipas_n"] or 0)
        for k, code in enumerate(definition.factor_codes):
            tally.factor_sum[code] = row[f"f{k}_sum"] or 0.0
            tally.factor_n[code] = row[f"f{k}_n"] or 0
        for j, code in enumerate(definition.criterion_codes):
            tally.criterion_answered[code] = row[f"c{j}_a"] or 0
            tally.criterion_satisfied[code] = row[f"c{j}_s"] or 0
        tallies[(row["agency__code"], row["domain__code"])] = tally
    return tallies


def share_question_codes(definition: QuestionnaireDef) -> tuple[str, ...]:
    """Questions whose option shares are reported: the single- and multi-choice ones."""
    return tuple(q.code for q in definition.questions if q.kind in ("single", "multi"))


def add_option_counts(
    survey_round: SurveyRound, definition: QuestionnaireDef, tallies: dict[tuple[str, str], Tally]
) -> None:
    """Fill option counts and per-question respondent counts into the group tallies."""
    codes = share_question_codes(definition)
    answers = Answer.objects.filter(response__round=survey_round, question__code__in=codes).order_by()
    per_option = answers.values(
        "response__agency__code", "response__domain__code", "question__code", "value"
    ).annotate(chosen=Count("id"))
    per_question = answers.values("response__agency__code", "response__domain__code", "question__code").annotate(
        answered=Count("response_id", distinct=True)
    )
    for row in per_option:
        key = (row["response__agency__code"], row["response__domain__code"])
        tallies.setdefault(key, Tally()).option_chosen[row["question__code"]][row["value"]] += row["chosen"]
    for row in per_question:
        key = (row["response__agency__code"], row["response__domain__code"])
        tallies.setdefault(key, Tally()).question_answered[row["question__code"]] += row["answered"]


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
