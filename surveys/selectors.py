"""Reads of the survey domain."""
from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from surveys.models import Questionnaire, Response, RoundAgency, RoundAgencyDomain, SurveyRound
from surveys.questionnaires.definition import FactorDef, QuestionDef, QuestionnaireDef, SectionDef

# A builder change renews the version, so the key changes at once; the short life covers what
# does not go through the builder (a fixture load, the shell).
DEFINITION_CACHE_SECONDS = 60


def load_definition(questionnaire: Questionnaire) -> QuestionnaireDef:
    """The questionnaire as plain data, in four queries."""
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
        sections=section_defs(
            [(s.pk, s.code, s.title) for s in questionnaire.sections.all()],
            [(q.section_id, q.code) for q in questions],
        ),
        version=str(questionnaire.definition_version),
    )


def section_defs(
    sections: list[tuple[int, str, str]], questions: list[tuple[int, str]]
) -> tuple[SectionDef, ...]:
    """Sections (id, code, title) in their order, each with its questions' codes in the order
    of `questions` (section id, code)."""
    return tuple(
        SectionDef(code, title, tuple(q_code for section_id, q_code in questions if section_id == pk))
        for pk, code, title in sections
    )


def definition_cache_key(questionnaire: Questionnaire) -> str:
    """Names the questionnaire by id and definition version (the database is the cache's
    namespace, settings.CACHES)."""
    return f"sipas:definition:{questionnaire.pk}:{questionnaire.definition_version}"


def cached_definition(questionnaire: Questionnaire) -> QuestionnaireDef:
    """The questionnaire as data from the cache, keyed by its version: the pages that show a
    round (dashboards, report, entry form) would otherwise spend four queries on it each time.
    `questionnaire` must be read in the same request, so its version is the current one."""
    key = definition_cache_key(questionnaire)
    definition = cache.get(key)
    if definition is None:
        definition = load_definition(questionnaire)
        cache.set(key, definition, DEFINITION_CACHE_SECONDS)
    return definition


def round_list() -> QuerySet[SurveyRound]:
    """Rounds with `n_responses` (phiếu đã nhận) and `quota_total` (tổng chỉ tiêu).

    Both are subqueries: two aggregates over joins would multiply each other."""
    responses = (
        Response.objects.filter(round=OuterRef("pk")).order_by().values("round").annotate(n=Count("id")).values("n")
    )
    quotas = (
        RoundAgency.objects.filter(round=OuterRef("pk")).order_by().values("round").annotate(q=Sum("quota")).values("q")
    )
    return SurveyRound.objects.select_related("questionnaire").annotate(
        n_responses=Coalesce(Subquery(responses, output_field=IntegerField()), 0),
        quota_total=Coalesce(Subquery(quotas, output_field=IntegerField()), 0),
    )


def rounds() -> QuerySet[SurveyRound]:
    """Rounds with their questionnaire, for a lookup by code."""
    return SurveyRound.objects.select_related("questionnaire")


def round_agency_tree(survey_round: SurveyRound) -> list[tuple[RoundAgency, int]]:
    """The round's participating agencies in tree order, each with its depth.

    Roots (no parent in the round) come by level then code; each is followed by its
    children (a district by its communes), depth-first, by code."""
    entries = list(
        RoundAgency.objects.filter(round=survey_round).select_related("agency", "level", "parent")
    )
    present = {e.agency_id for e in entries}
    children: dict[int, list[RoundAgency]] = {}
    roots: list[RoundAgency] = []
    for entry in entries:
        if entry.parent_id is not None and entry.parent_id in present and entry.parent_id != entry.agency_id:
            children.setdefault(entry.parent_id, []).append(entry)
        else:
            roots.append(entry)

    def key(entry: RoundAgency) -> tuple:
        return (entry.level.order, entry.level.code, entry.agency.code)

    ordered: list[tuple[RoundAgency, int]] = []
    seen: set[int] = set()

    def visit(entry: RoundAgency, depth: int) -> None:
        if entry.agency_id in seen:  # a cycle in bad data must not loop forever
            return
        seen.add(entry.agency_id)
        ordered.append((entry, depth))
        for child in sorted(children.get(entry.agency_id, ()), key=key):
            visit(child, depth + 1)

    for root in sorted(roots, key=key):
        visit(root, 0)
    for entry in sorted(entries, key=key):  # anything only reachable through a cycle
        if entry.agency_id not in seen:
            visit(entry, 0)
    return ordered


def round_progress(survey_round: SurveyRound) -> list[dict]:
    """Questionnaires received against quota, per agency, in the round's tree order."""
    received = dict(
        Response.objects.filter(round=survey_round)
        .order_by()
        .values("agency_id")
        .annotate(n=Count("id"))
        .values_list("agency_id", "n")
    )
    rows = []
    for entry, depth in round_agency_tree(survey_round):
        n = received.get(entry.agency_id, 0)
        rows.append(
            {
                "agency": entry.agency,
                "level": entry.level,
                "parent": entry.parent,
                "depth": depth,
                "quota": entry.quota,
                "received": n,
                "percent": 100 * n / entry.quota if entry.quota else None,
            }
        )
    return rows


def level_progress(rows: list[dict]) -> list[dict]:
    """Totals of `round_progress` rows per level (in level order), plus the province total
    last (its `level` is None)."""
    totals: dict = {}
    province = {"level": None, "quota": 0, "received": 0, "agencies": 0}
    for row in rows:
        total = totals.setdefault(row["level"], {"level": row["level"], "quota": 0, "received": 0, "agencies": 0})
        for bucket in (total, province):
            bucket["quota"] += row["quota"]
            bucket["received"] += row["received"]
            bucket["agencies"] += 1
    result = sorted(totals.values(), key=lambda t: (t["level"].order, t["level"].code))
    result.append(province)
    for total in result:
        total["percent"] = 100 * total["received"] / total["quota"] if total["quota"] else None
    return result


def round_agency_domains(survey_round: SurveyRound) -> set[tuple[str, str]]:
    """(agency code, domain code) pairs the round surveys."""
    return set(
        RoundAgencyDomain.objects.filter(round=survey_round).values_list("agency__code", "domain__code")
    )
