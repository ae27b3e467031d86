"""The data of the results dashboards (issue 6 §4), assembled from stored or filtered indexes.

Unfiltered pages read the stored `IndexResult` rows (what the worker computed, at the round's
`computed_version`), so they cost a few small queries whatever the size of the round. A filtered
view (by channel, by collection dates) runs the same grouped pass and engine with a WHERE
(`gather.group_tallies(..., where=...)`), and keeps the result in the cache under the round's
`data_version` and the filter (indexes.figures): the next visitor with the same filter pays
nothing, and a new questionnaire changes the key. Rankings are indexes.ranking; the XLSX sheets
of each page indexes.sheets.

Every index carries its n and 95% interval (`Figure`), so each page can show "mẫu nhỏ" and the
interval wherever the value appears. The page assemblers below are plain functions of those
figures; `*_tables` turn each page into the sheets of its XLSX download, so the page and the
file always show the same numbers.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from surveys.models import COUNTED_VERIFICATIONS, Answer, SurveyRound
from surveys.questionnaires.definition import (
    DEMOGRAPHIC_SECTION,
    EXPECTATION_SECTION,
    PROCESS_SECTION,
    QuestionDef,
    QuestionnaireDef,
)

from .figures import Figure, RoundResults, ScopeFigures, from_stored, mean_figure, proportion, section_questions
from .models import IndexResult, PublishedResult, Scope
from .ranking import AgencyPlace
from .targets import Targets

MAX_COMMENTS = 200


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CriterionLine:
    code: str
    text: str
    factor: str
    figure: Figure


@dataclass(frozen=True)
class FactorLine:
    code: str
    name: str
    figure: Figure


def factor_lines(figures: ScopeFigures, definition: QuestionnaireDef) -> list[FactorLine]:
    return [FactorLine(f.code, f.name, figures.factors[f.code]) for f in definition.factors]


def criterion_lines(figures: ScopeFigures, definition: QuestionnaireDef, *, weakest_first: bool = False) -> list[CriterionLine]:
    lines = [CriterionLine(q.code, q.text, q.factor or "", figures.criteria[q.code]) for q in definition.criteria]
    if weakest_first:
        # Criteria without a value go last; ties keep questionnaire order.
        lines.sort(key=lambda line: (line.figure.value is None, line.figure.value or 0.0))
    return lines


@dataclass(frozen=True)
class Overview:
    province: ScopeFigures | None
    factors: list[FactorLine]
    criteria: list[CriterionLine]  # weakest first
    levels: list[ScopeFigures]
    target_domains: list[ScopeFigures]
    targets: Targets


def with_sipas_target(figures: ScopeFigures, target: float | None) -> ScopeFigures:
    return dataclasses.replace(figures, sipas=figures.sipas.with_target(target))


def overview(results: RoundResults, targets: Targets) -> Overview:
    definition = results.definition
    province = results.one(Scope.PROVINCE, "")
    if province is not None:
        province = with_sipas_target(province, targets.sipas)
    return Overview(
        province=province,
        factors=factor_lines(province, definition) if province else [],
        criteria=criterion_lines(province, definition, weakest_first=True) if province else [],
        levels=[with_sipas_target(f, targets.sipas) for f in results.of_scope(Scope.LEVEL)],
        target_domains=[
            with_sipas_target(f, targets.for_domain(f.code))
            for f in results.of_scope(Scope.DOMAIN, sorted(targets.domain_codes))
        ],
        targets=targets,
    )


@dataclass(frozen=True)
class CriterionGrid:
    """Criteria (rows) × scopes (columns)."""

    columns: list[str]
    factor_rows: list[tuple[FactorLine, list[Figure]]]
    rows: list[tuple[CriterionLine, list[Figure]]]


def criterion_grid(columns: Sequence[ScopeFigures], definition: QuestionnaireDef) -> CriterionGrid:
    return CriterionGrid(
        columns=[c.name for c in columns],
        factor_rows=[(FactorLine(f.code, f.name, Figure(None, 0)), [c.factors[f.code] for c in columns])
                     for f in definition.factors],
        rows=[
            (CriterionLine(q.code, q.text, q.factor or "", Figure(None, 0)), [c.criteria[q.code] for c in columns])
            for q in definition.criteria
        ],
    )


@dataclass(frozen=True)
class LevelsPage:
    levels: list[ScopeFigures]
    district_areas: list[ScopeFigures]
    grid: CriterionGrid


def levels_page(results: RoundResults, targets: Targets) -> LevelsPage:
    levels = [with_sipas_target(f, targets.sipas) for f in results.of_scope(Scope.LEVEL)]
    return LevelsPage(
        levels=levels,
        district_areas=[with_sipas_target(f, targets.sipas) for f in results.of_scope(Scope.DISTRICT_AREA)],
        grid=criterion_grid(levels, results.definition),
    )


@dataclass(frozen=True)
class DomainsPage:
    rows: list[ScopeFigures]
    targets: Targets


def domains_page(results: RoundResults, targets: Targets) -> DomainsPage:
    rows = [with_sipas_target(f, targets.for_domain(f.code)) for f in results.of_scope(Scope.DOMAIN)]
    return DomainsPage(rows=[r for r in rows if r.n], targets=targets)


# ---- option shares: process indicators, demographics, expectations ---------------------------
@dataclass(frozen=True)
class Indicator:
    """A process indicator: the share choosing some options of a single-choice question."""

    question: str
    options: tuple[int, ...]
    label: str
    note: str = ""


# Not questionnaire data (QuestionnaireDef does not carry them): they are the Ministry's reading
# of the SIPAS process questions, with the dashboard's wording and denominators, and the builder
# has no way to edit them. A questionnaire only decides which of them apply
# (`available_indicators`: a later round may drop or renumber a question), and only the
# dashboards show them; the report prints the full option shares of section B instead.
PROCESS_INDICATORS = (
    Indicator("B3", (2, 3, 4), "Phải đi lại từ 2 lần trở lên", "trong số người trả lời câu B3"),
    Indicator("B4", (3,), "Nhận kết quả muộn hơn giấy hẹn", "trong số người trả lời câu B4"),
    Indicator("B5", (1,), "Nhận được văn bản xin lỗi khi trễ hẹn", "trong số hồ sơ trả muộn (B4 = 3)"),
    Indicator("B6", (1,), "Phải trả thêm tiền ngoài phí, lệ phí", "trong số người trả lời câu B6"),
)


def available_indicators(definition: QuestionnaireDef) -> list[Indicator]:
    """The indicators the questionnaire can answer (a later round may drop a question)."""
    return [
        i for i in PROCESS_INDICATORS
        if i.question in definition.by_code and set(i.options) <= set(definition.by_code[i.question].options)
        and definition.by_code[i.question].kind == "single"
    ]


@dataclass(frozen=True)
class Distribution:
    """One question's option shares for some scopes (columns)."""

    code: str
    text: str
    multi: bool
    columns: list[str]
    answered: list[int]
    options: list[tuple[str, list[Figure]]]


def distributions(questions: Sequence[QuestionDef], columns: Sequence[ScopeFigures]) -> list[Distribution]:
    result = []
    for question in questions:
        shares = [c.shares.get(question.code) or {} for c in columns]
        answered = [s.get("n") or 0 for s in shares]
        result.append(
            Distribution(
                code=question.code,
                text=question.text,
                multi=question.kind == "multi",
                columns=[c.name for c in columns],
                answered=answered,
                options=[
                    (f"{value}. {label}",
                     [proportion((s.get("options") or {}).get(str(value)), n) for s, n in zip(shares, answered, strict=True)])
                    for value, label in sorted(question.options.items())
                ],
            )
        )
    return result


@dataclass(frozen=True)
class IndicatorRow:
    name: str
    n: int
    figures: list[Figure]
    depth: int = 0


@dataclass(frozen=True)
class SharesPage:
    """Process indicators (section B) or demographics (section A): province and levels as
    columns of each question's distribution; for the process page, key indicators per agency."""

    indicators: list[Indicator]
    indicator_rows: list[IndicatorRow]
    distributions: list[Distribution]


def indicator_row(figures: ScopeFigures, indicators: Sequence[Indicator], depth: int = 0) -> IndicatorRow:
    return IndicatorRow(figures.name, figures.n, [figures.option_share(i.question, i.options) for i in indicators], depth)


def process_page(results: RoundResults, places: Mapping[str, AgencyPlace]) -> SharesPage:
    definition = results.definition
    indicators = available_indicators(definition)
    province = results.one(Scope.PROVINCE, "")
    levels = results.of_scope(Scope.LEVEL)
    columns = ([province] if province else []) + levels
    rows = [indicator_row(c, indicators) for c in columns]
    rows += [
        indicator_row(a, indicators, depth=1 if (places.get(a.code) and places[a.code].parent) else 0)
        for a in results.of_scope(Scope.AGENCY, without=("criteria", "criteria_n", "factors", "factors_n")) if a.n
    ]
    return SharesPage(
        indicators=indicators,
        indicator_rows=rows,
        distributions=distributions(section_questions(definition, PROCESS_SECTION), columns),
    )


def demographics_page(results: RoundResults) -> SharesPage:
    province = results.one(Scope.PROVINCE, "")
    columns = ([province] if province else []) + results.of_scope(Scope.LEVEL)
    questions = section_questions(results.definition, DEMOGRAPHIC_SECTION)
    return SharesPage(indicators=[], indicator_rows=[], distributions=distributions(questions, columns))


# ---- one agency ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Comment:
    text: str
    surveyed_on: dt.date
    domain: str


@dataclass(frozen=True)
class AgencyPage:
    agency: ScopeFigures
    place: AgencyPlace | None
    factors: list[FactorLine]
    criteria: list[CriterionLine]
    domains: list[ScopeFigures]
    district_area: ScopeFigures | None
    communes: list[ScopeFigures]
    improvements: list[Distribution]
    indicators: list[Indicator]
    indicator_row: IndicatorRow | None
    comments: list[Comment]
    comments_total: int
    targets: Targets

    @property
    def district_rows(self) -> list[ScopeFigures]:
        return [self.district_area] if self.district_area else []

    @property
    def indicator_pairs(self) -> list[tuple[Indicator, Figure]]:
        if self.indicator_row is None:
            return []
        return list(zip(self.indicators, self.indicator_row.figures, strict=True))


def agency_comments(results: RoundResults, agency_code: str, limit: int = MAX_COMMENTS) -> tuple[list[Comment], int]:
    """Free-text answers (D2 and any other text question of section D) about the agency,
    newest first, at most `limit`, and how many there are."""
    answers = Answer.objects.filter(
        response__round=results.round,
        response__agency__code=agency_code,
        response__verification__in=COUNTED_VERIFICATIONS,
        question__questionnaire_id=results.round.questionnaire_id,
        question__kind="text",
        question__section__code=EXPECTATION_SECTION,
    ).exclude(text="")
    if results.filter.active:
        answers = answers.filter(
            **{f"response__{k}": v for k, v in (
                ("channel", results.filter.channel or None),
                ("surveyed_on__gte", results.filter.date_from),
                ("surveyed_on__lte", results.filter.date_to),
            ) if v}
        )
    total = answers.count()
    rows = answers.order_by("-response__surveyed_on", "-pk").values_list(
        "text", "response__surveyed_on", "response__domain__name"
    )[:limit]
    return [Comment(*row) for row in rows], total


def agency_page(results: RoundResults, agency_code: str, targets: Targets, places: Mapping[str, AgencyPlace]) -> AgencyPage | None:
    definition = results.definition
    children = [code for code, place in places.items() if place.parent == agency_code]
    rows = results.about_agency(agency_code, children)
    agency = next((r for r in rows if r.scope == Scope.AGENCY and r.code == agency_code), None)
    if agency is None:
        return None
    agency = with_sipas_target(agency, targets.sipas)
    communes = [r for r in rows if r.scope == Scope.AGENCY and r.code != agency_code]
    domain_rows = []
    for figures in (r for r in rows if r.scope == Scope.AGENCY_DOMAIN):
        domain_code = figures.code.split("/", 1)[1]
        domain_rows.append(with_sipas_target(
            dataclasses.replace(figures, name=figures.name.split(" — ", 1)[-1]), targets.for_domain(domain_code)
        ))
    district = next((r for r in rows if r.scope == Scope.DISTRICT_AREA), None) if children else None
    indicators = available_indicators(definition)
    comments, total = agency_comments(results, agency_code)
    expectation = section_questions(definition, EXPECTATION_SECTION)
    improvements = distributions(expectation, [agency])
    # What respondents asked for most comes first.
    improvements = [
        dataclasses.replace(d, options=sorted(d.options, key=lambda o: -(o[1][0].value or 0.0))) for d in improvements
    ]
    return AgencyPage(
        agency=agency,
        place=places.get(agency_code),
        factors=factor_lines(agency, definition),
        criteria=criterion_lines(agency, definition, weakest_first=True),
        domains=domain_rows,
        district_area=with_sipas_target(district, targets.sipas) if district else None,
        communes=[with_sipas_target(c, targets.sipas) for c in communes],
        improvements=improvements,
        indicators=indicators,
        indicator_row=indicator_row(agency, indicators) if indicators else None,
        comments=comments,
        comments_total=total,
        targets=targets,
    )


# ---- trends ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrendRow:
    year: int
    source: str  # "Bộ Nội vụ công bố" or the round's code
    sipas: Figure
    factors: Mapping[str, Figure] = field(default_factory=dict)
    rank: str = ""
    round_code: str = ""


@dataclass(frozen=True)
class TrendsPage:
    years: list[int]
    published: list[TrendRow]
    surveyed: list[TrendRow]
    factor_codes: tuple[str, ...]
    factor_names: Mapping[str, str]


def trends_page(survey_round: SurveyRound, definition: QuestionnaireDef, visible_rounds) -> TrendsPage:
    """The published national SIPAS of the province (2017–2021 for Lạng Sơn) and the province
    SIPAS of each computed round of the same province: per year, this round, else a published
    round, else the round with most questionnaires."""
    published = [
        TrendRow(
            year=p.year, source=p.source or "Bộ Nội vụ công bố", sipas=Figure(float(p.sipas), 0),
            rank=f"{p.national_rank}/{p.national_total}" if p.national_rank else "",
        )
        for p in PublishedResult.objects.filter(province_name=survey_round.province_name).order_by("year")
    ]
    provinces = (
        IndexResult.objects.filter(scope=Scope.PROVINCE, round__in=visible_rounds, round__province_name=survey_round.province_name)
        .select_related("round")
    )
    preference = {"published": 0, "closed": 1}
    chosen: dict[int, IndexResult] = {}
    for result in provinces:
        year = result.round.year
        key = (result.round_id != survey_round.pk, preference.get(result.round.status, 2), -result.n, result.round.code)
        current = chosen.get(year)
        if current is None or key < (
            current.round_id != survey_round.pk, preference.get(current.round.status, 2), -current.n, current.round.code
        ):
            chosen[year] = result
    surveyed = []
    for year in sorted(chosen):
        result = chosen[year]
        figures = from_stored(result, definition) if result.round.questionnaire_id == survey_round.questionnaire_id else None
        intervals = result.intervals or {}
        surveyed.append(
            TrendRow(
                year=year,
                source=f"Đợt {result.round.code}",
                sipas=mean_figure(result.sipas, result.n, intervals.get("sipas")),
                factors=figures.factors if figures else {},
                round_code=result.round.code,
            )
        )
    years = sorted({r.year for r in published} | {r.year for r in surveyed})
    return TrendsPage(
        years=years, published=published, surveyed=surveyed, factor_codes=definition.factor_codes,
        factor_names={f.code: f.name for f in definition.factors},
    )


# ---- computed status -------------------------------------------------------------------------
def computed_status(survey_round: SurveyRound) -> dict[str, Any]:
    """What the status badge shows, for the polling script (static/js/computed-status.js)."""
    computed_at = survey_round.computed_at
    pending = survey_round.computed_version < survey_round.data_version
    if computed_at is None:
        text = "Chưa tính chỉ số"
    else:
        text = f"Chỉ số tính lúc {timezone.localtime(computed_at):%d/%m/%Y %H:%M}"
    return {
        "round": survey_round.code,
        "computed_at": timezone.localtime(computed_at).strftime("%d/%m/%Y %H:%M") if computed_at else None,
        "computed_version": survey_round.computed_version,
        "data_version": survey_round.data_version,
        "pending": pending,
        "text": text,
        "pending_text": (
            f"Đang chờ tính lại: {survey_round.data_version - survey_round.computed_version} thay đổi mới chưa có trong kết quả"
            if pending else ""
        ),
    }
