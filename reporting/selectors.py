"""Reads for the report: the round's facts beside its indexes, targets, versions, texts."""
from __future__ import annotations

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from indexes.models import IndexResult, PublishedResult, Scope
from indexes.selectors import index_json
from indexes.targets import round_targets
from surveys.models import Channel, Level, Response, RoundAgencyDomain, RoundStatus, SurveyRound
from surveys.selectors import cached_definition, round_agency_tree

from .content import AgencyFact, LevelFact, ReportContent, RoundFacts, YearFigure, build_content
from .models import ReportFormat, ReportStatus, ReportText, ReportVersion


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def previous_round(survey_round: SurveyRound) -> SurveyRound | None:
    """The latest earlier round of the same province that has results."""
    return (
        SurveyRound.objects.filter(province_name=survey_round.province_name, year__lt=survey_round.year)
        .exclude(computed_at=None)
        .select_related("questionnaire")
        .order_by("-year", "-pk")
        .first()
    )


def history(survey_round: SurveyRound) -> list[YearFigure]:
    """Province SIPAS by year: the Ministry's published figures and this portal's rounds up to
    this one (the portal's own from each round's stored province result)."""
    figures = [
        YearFigure(
            p.year, float(p.sipas), "published", "Bộ Nội vụ công bố",
            f"{p.national_rank}/{p.national_total}" if p.national_rank and p.national_total else "",
        )
        for p in PublishedResult.objects.filter(
            province_name=survey_round.province_name, year__lte=survey_round.year
        ).order_by("year")
    ]
    rounds = SurveyRound.objects.filter(
        province_name=survey_round.province_name, year__lte=survey_round.year
    ).order_by("year", "pk")
    for result in IndexResult.objects.filter(round__in=rounds, scope=Scope.PROVINCE).select_related("round"):
        if result.round.year < survey_round.year or result.round_id == survey_round.pk:
            figures.append(YearFigure(result.round.year, result.sipas, "round", result.round.code))
    return sorted(figures, key=lambda f: (f.year, f.source))


def round_facts(survey_round: SurveyRound, *, previous: dict | None = None) -> RoundFacts:
    tree = round_agency_tree(survey_round)
    level_ids = {entry.level_id for entry, _ in tree}
    levels = [LevelFact(lv.code, lv.name) for lv in Level.objects.filter(pk__in=level_ids).order_by("order", "code")]
    channel_labels = dict(Channel.choices)
    channels = [
        (channel_labels.get(row["channel"], row["channel"]), row["n"])
        for row in Response.objects.filter(round=survey_round).counted()
        .order_by().values("channel").annotate(n=Count("id")).order_by("-n", "channel")
    ]
    domain_quota = dict(
        RoundAgencyDomain.objects.filter(round=survey_round).order_by().values("domain__code")
        .annotate(q=Sum("quota")).values_list("domain__code", "q")
    )
    computed_at = survey_round.computed_at
    return RoundFacts(
        code=survey_round.code,
        name=survey_round.name,
        year=survey_round.year,
        province_name=survey_round.province_name,
        starts_on=_date(survey_round.starts_on),
        ends_on=_date(survey_round.ends_on),
        computed_at=timezone.localtime(computed_at).strftime("%d/%m/%Y %H:%M") if computed_at else "",
        levels=levels,
        agencies=[
            AgencyFact(entry.agency.code, entry.agency.name, entry.level.code, entry.level.name, depth, entry.quota)
            for entry, depth in tree
        ],
        domain_quota=domain_quota,
        channels=channels,
        history=history(survey_round),
        previous=previous,
        targets=round_targets(survey_round),
        texts=report_texts(survey_round),
    )


def report_texts(survey_round: SurveyRound) -> dict[str, str]:
    return dict(ReportText.objects.filter(round=survey_round).values_list("section_key", "body"))


def report_content(survey_round: SurveyRound, *, data: dict | None = None) -> ReportContent:
    """The whole report's content: the index export of the round (one computation, the same
    the JSON download gives) and its facts."""
    data = data if data is not None else index_json(survey_round)
    before = previous_round(survey_round)
    previous = index_json(before) if before is not None else None
    return build_content(data, round_facts(survey_round, previous=previous), cached_definition(survey_round.questionnaire))


def round_versions(survey_round: SurveyRound) -> QuerySet[ReportVersion]:
    return ReportVersion.objects.filter(round=survey_round).select_related("created_by")


def published_pdf(survey_round: SurveyRound) -> ReportVersion | None:
    """The report the public may download: the latest finished PDF of a published round."""
    if survey_round.status != RoundStatus.PUBLISHED:
        return None
    return (
        ReportVersion.objects.filter(round=survey_round, format=ReportFormat.PDF, status=ReportStatus.DONE)
        .exclude(file="")
        .order_by("-created_at", "-pk")
        .first()
    )
