"""Public pages (no login): published results only, no personal data."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from indexes.formatting import format_percent
from indexes.models import IndexResult, Scope
from surveys.models import Factor, RoundStatus, SurveyRound


@dataclass(frozen=True)
class PublicFigure:
    code: str
    name: str
    value: str  # formatted, e.g. "87,07%"


@dataclass(frozen=True)
class PublicRound:
    code: str
    name: str
    year: int
    province_name: str
    n: int | None
    sipas: str | None
    factors: tuple[PublicFigure, ...]


def published_rounds() -> list[PublicRound]:
    """Rounds with status “Đã công bố”, newest first, with the province SIPAS and factor indexes."""
    rounds = list(SurveyRound.objects.filter(status=RoundStatus.PUBLISHED).order_by("-year", "code"))
    provinces = {
        r.round_id: r
        for r in IndexResult.objects.filter(round__in=rounds, scope=Scope.PROVINCE, code="")
    }
    factors: dict[int, list[Factor]] = {}
    for factor in Factor.objects.filter(questionnaire__rounds__in=rounds).order_by("order", "code").distinct():
        factors.setdefault(factor.questionnaire_id, []).append(factor)
    result = []
    for survey_round in rounds:
        province = provinces.get(survey_round.pk)
        values = (province.factors or {}) if province else {}
        result.append(
            PublicRound(
                code=survey_round.code,
                name=survey_round.name,
                year=survey_round.year,
                province_name=survey_round.province_name,
                n=province.n if province else None,
                sipas=format_percent(province.sipas) if province else None,
                factors=tuple(
                    PublicFigure(f.code, f.name, format_percent(values.get(f.code)))
                    for f in factors.get(survey_round.questionnaire_id, [])
                ),
            )
        )
    return result


@login_not_required
@require_safe
def public_home(request):
    return render(request, "reporting/public_home.html", {"rounds": published_rounds()})
