"""Public pages (no login): published results only, no personal data."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from indexes.models import IndexResult, Scope
from sipas_portal import charts
from sipas_portal.formatting import format_percent
from surveys.models import Factor, RoundStatus, SurveyRound

from . import services
from .report_views import file_response
from .selectors import published_pdf, report_content


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
    chart: SafeString | None = None
    has_pdf: bool = False


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
        round_factors = factors.get(survey_round.questionnaire_id, [])
        result.append(
            PublicRound(
                code=survey_round.code,
                name=survey_round.name,
                year=survey_round.year,
                province_name=survey_round.province_name,
                n=province.n if province else None,
                sipas=format_percent(province.sipas) if province else None,
                factors=tuple(PublicFigure(f.code, f.name, format_percent(values.get(f.code))) for f in round_factors),
                chart=charts.profile_chart(
                    [charts.BarItem(f"{f.code}. {f.name}", values.get(f.code)) for f in round_factors],
                    title=f"Chỉ số hài lòng theo yếu tố, {survey_round.province_name}",
                ) if province else None,
                has_pdf=published_pdf(survey_round) is not None,
            )
        )
    return result


def _published_round(code: str) -> SurveyRound:
    """A published round, else 404: nothing of a round in preparation is public."""
    return get_object_or_404(
        SurveyRound.objects.select_related("questionnaire"), code=code, status=RoundStatus.PUBLISHED
    )


@login_not_required
@require_safe
def public_home(request):
    return render(request, "reporting/public_home.html", {"rounds": published_rounds()})


@login_not_required
@require_safe
def public_round(request, code: str):
    survey_round = _published_round(code)
    content = report_content(survey_round)
    return render(request, "reporting/public_round.html", {
        "round": survey_round,
        "c": content,
        "has_pdf": published_pdf(survey_round) is not None,
        "levels": [
            (level, [a for a in content.agencies if a.level == level.code]) for level in content.facts.levels
        ],
    })


@login_not_required
@require_safe
def public_pdf(request, code: str):
    survey_round = _published_round(code)
    version = published_pdf(survey_round)
    if version is None:
        raise Http404("Báo cáo của đợt này chưa được công bố.")
    services.record_download(version=version, user=request.user)
    return file_response(version)
