"""Reads of the survey domain."""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .definition import FactorDef, QuestionDef, QuestionnaireDef
from .models import Questionnaire, Response, RoundAgency, RoundAgencyDomain, SurveyRound


def load_definition(questionnaire: Questionnaire) -> QuestionnaireDef:
    """The questionnaire as plain data, in three queries."""
    questions = list(
        questionnaire.questions.select_related("factor", "condition_question").prefetch_related("options")
    )
    return QuestionnaireDef(
        code=questionnaire.code,
        questions=tuple(
            QuestionDef(
                code=q.code,
                text=q.text,
                kind=q.kind,
                options={o.value: o.label for o in q.options.all()},
                max_choices=q.max_choices,
                factor=q.factor.code if q.factor else None,
                condition_question=q.condition_question.code if q.condition_question else None,
                condition_values=frozenset(q.condition_values or ()),
            )
            for q in questions
        ),
        factors=tuple(FactorDef(f.code, f.name) for f in questionnaire.factors.all()),
    )


def round_list() -> QuerySet[SurveyRound]:
    return SurveyRound.objects.select_related("questionnaire").annotate(n_responses=Count("responses"))


def round_progress(survey_round: SurveyRound) -> list[dict]:
    """Questionnaires received against quota, per agency, in the round's tree order."""
    received = dict(
        Response.objects.filter(round=survey_round)
        .values_list("agency_id")
        .annotate(n=Count("id"))
        .values_list("agency_id", "n")
    )
    rows = []
    for entry in RoundAgency.objects.filter(round=survey_round).select_related("agency", "level", "parent"):
        n = received.get(entry.agency_id, 0)
        rows.append(
            {
                "agency": entry.agency,
                "level": entry.level,
                "parent": entry.parent,
                "quota": entry.quota,
                "received": n,
                "percent": 100 * n / entry.quota if entry.quota else None,
            }
        )
    return rows


def level_progress(rows: list[dict]) -> list[dict]:
    """Totals of `round_progress` rows per level, plus the province total last."""
    totals: dict = {}
    for row in rows:
        total = totals.setdefault(row["level"], {"level": row["level"], "quota": 0, "received": 0, "agencies": 0})
        total["quota"] += row["quota"]
        total["received"] += row["received"]
        total["agencies"] += 1
    result = list(totals.values())
    for total in result:
        total["percent"] = 100 * total["received"] / total["quota"] if total["quota"] else None
    return result


def round_agency_domains(survey_round: SurveyRound) -> set[tuple[str, str]]:
    """(agency code, domain code) pairs the round surveys."""
    return set(
        RoundAgencyDomain.objects.filter(round=survey_round).values_list("agency__code", "domain__code")
    )


def responses_with_answers(survey_round: SurveyRound, *, agency_ids: list[int] | None = None) -> QuerySet[Response]:
    qs = Response.objects.filter(round=survey_round).select_related("agency", "domain")
    if agency_ids is not None:
        qs = qs.filter(Q(agency_id__in=agency_ids))
    return qs.prefetch_related("answers__question")
