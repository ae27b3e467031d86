"""Reads of improvement plans, scoped by the user through surveys.accounts.access.

Who reads what: Sở Nội vụ staff, leadership and supervisors (every result) read every plan; an
agency officer reads the plans in which their agency (a district: also its communes) leads or
cooperates on a task; anyone else gets a 403.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from indexes.models import IndexResult, Scope
from sipas_portal.formatting import format_percent
from surveys.accounts import access
from surveys.selectors import load_definition

from .appendix import AppendixGroup, TaskLine, build_appendix
from .models import ImprovementPlan, PlanTask, TaskProgress, TaskStatus


def readable_agency_ids(user) -> set[int] | None:
    """None = every plan; else the agencies whose tasks make a plan readable. 403 for others."""
    if access.can(user, access.MANAGE_ROUNDS) or access.can(user, access.SUPERVISE):
        return None
    return access.result_agency_ids(user, None)


def _involving(agency_ids: set[int]) -> Q:
    return Q(lead_agency_id__in=agency_ids) | Q(cooperating_agencies__in=agency_ids)


def visible_plans(user) -> QuerySet[ImprovementPlan]:
    qs = ImprovementPlan.objects.select_related("round", "round__questionnaire")
    agency_ids = readable_agency_ids(user)
    if agency_ids is None:
        return qs
    task_plans = PlanTask.objects.filter(_involving(agency_ids)).values("plan_id")
    return qs.filter(pk__in=task_plans)


def plan_list(user, *, today: dt.date, round_code: str | None = None) -> QuerySet[ImprovementPlan]:
    """Visible plans with their task counts: `n_tasks`, `n_done`, `n_overdue`."""
    qs = visible_plans(user)
    if round_code:
        qs = qs.filter(round__code=round_code)
    return qs.annotate(
        n_tasks=Count("tasks", distinct=True),
        n_done=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE), distinct=True),
        n_overdue=Count(
            "tasks", filter=Q(tasks__deadline_date__lt=today) & ~Q(tasks__status=TaskStatus.DONE), distinct=True
        ),
    ).order_by("-issued_on", "-id")


def get_plan(user, plan_id: int) -> ImprovementPlan:
    return get_object_or_404(visible_plans(user), pk=plan_id)


def plan_tasks(plan: ImprovementPlan) -> list[PlanTask]:
    return list(
        PlanTask.objects.filter(plan=plan).select_related("lead_agency").prefetch_related("cooperating_agencies")
    )


def get_task(user, plan: ImprovementPlan, task_id: int) -> PlanTask:
    return get_object_or_404(
        PlanTask.objects.filter(plan=plan).select_related("plan__round", "lead_agency"), pk=task_id
    )


def task_history(task: PlanTask) -> QuerySet[TaskProgress]:
    return TaskProgress.objects.filter(task=task).select_related("agency")


def overdue_tasks(user, *, today: dt.date, round_code: str | None = None) -> QuerySet[PlanTask]:
    """Tasks whose due day has passed without a report of “Hoàn thành”, in visible plans.
    An agency officer sees only the tasks their agency leads or cooperates on."""
    qs = PlanTask.objects.filter(plan__in=visible_plans(user), deadline_date__lt=today).exclude(
        status=TaskStatus.DONE
    )
    agency_ids = readable_agency_ids(user)
    if agency_ids is not None:
        qs = qs.filter(pk__in=PlanTask.objects.filter(_involving(agency_ids)).values("pk"))
    if round_code:
        qs = qs.filter(plan__round__code=round_code)
    return (
        qs.select_related("plan", "plan__round", "lead_agency")
        .prefetch_related("cooperating_agencies")
        .order_by("deadline_date", "plan__number", "order", "id")
    )


@dataclass(frozen=True)
class TargetNames:
    """Code → name of the factors and criteria of a round's questionnaire."""

    names: dict[str, str]

    def describe(self, codes) -> list[str]:
        return [f"{code} {self.names[code]}" if code in self.names else code for code in codes]


def target_names(plan: ImprovementPlan) -> TargetNames:
    definition = load_definition(plan.round.questionnaire)
    names = {f.code: f.name for f in definition.factors}
    names |= {q.code: " ".join(q.text.split()) for q in definition.criteria}
    return TargetNames(names)


def task_line(task: PlanTask) -> TaskLine:
    return TaskLine(
        task_id=task.pk,
        group=task.group,
        content=task.content,
        targets=[*task.factor_codes, *task.criterion_codes],
        lead=task.lead_agency.name,
        cooperating=[a.name for a in task.cooperating_agencies.all()],
        cooperating_other=task.cooperating_other,
        deadline=task.deadline_label,
        funding=task.funding,
        output=task.expected_output,
    )


def plan_appendix(tasks: list[PlanTask]) -> list[AppendixGroup]:
    return build_appendix([task_line(t) for t in tasks])


def all_progress(plan: ImprovementPlan) -> QuerySet[TaskProgress]:
    return TaskProgress.objects.filter(task__plan=plan).select_related("task", "agency").order_by(
        "task__order", "task_id", "-reported_on", "-id"
    )


@dataclass(frozen=True)
class TargetValues:
    """The round's index for each factor and criterion code, of the scope the user reads:
    the province for those who read every result, else the officer's own agency."""

    scope_label: str
    values: dict[str, str]


def target_values(user, plan: ImprovementPlan) -> TargetValues | None:

    officer = access.officer_of(user)
    agency_ids = access.result_agency_ids(user, plan.round) if access.can_see_results(user) else set()
    if agency_ids is None:
        result = IndexResult.objects.filter(round=plan.round, scope=Scope.PROVINCE, code="").first()
        label = "toàn tỉnh"
    elif officer is not None and officer.agency_id in agency_ids:
        result = IndexResult.objects.filter(round=plan.round, scope=Scope.AGENCY, code=officer.agency.code).first()
        label = officer.agency.name
    else:
        return None
    if result is None:
        return None
    values = {code: format_percent(value) for code, value in {**result.factors, **result.criteria}.items()}
    return TargetValues(scope_label=label, values=values)
