"""Reads of stored index results."""
from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from surveys.models import SurveyRound

from .models import IndexResult

JSON_KEYS = ("n", "sipas", "factors", "factors_n", "criteria", "criteria_n")


def round_results(survey_round: SurveyRound, scopes: tuple[str, ...] | None = None) -> QuerySet[IndexResult]:
    qs = IndexResult.objects.filter(round=survey_round).order_by("order")
    return qs.filter(scope__in=scopes) if scopes else qs


def index_json(survey_round: SurveyRound) -> dict:
    """The index JSON of interfaces.md §3, with option shares as an extra key."""
    computed_at = survey_round.computed_at
    return {
        "round": survey_round.code,
        "computed_at": timezone.localtime(computed_at).isoformat(timespec="seconds") if computed_at else None,
        "results": [
            {
                "scope": r.scope,
                "code": r.code or None,
                "name": r.name,
                **{key: getattr(r, key) for key in JSON_KEYS},
                "shares": r.shares,
            }
            for r in round_results(survey_round)
        ],
    }
