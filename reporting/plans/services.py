"""User actions on improvement plans: one function per action, one transaction each, an audit
row for every change (surveys.accounts.audit). Permission checks live in surveys.accounts.access; the services
check them again so that no caller can skip them."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from surveys.accounts import access, audit
from surveys.models import Agency, SurveyRound
from surveys.selectors import load_definition

from . import deadlines
from .models import DeadlineKind, ImprovementPlan, PlanTask, TaskProgress, TaskStatus
from .targets import check_targets, normalise_codes, sorted_targets


@dataclass(frozen=True)
class PlanFields:
    number: str
    title: str
    issued_on: dt.date
    issuer: str
    place: str = ""
    appendix_title: str = ""


@dataclass(frozen=True)
class TaskFields:
    content: str
    lead_agency: Agency
    deadline: deadlines.Deadline
    group: str = ""
    factor_codes: tuple[str, ...] = ()
    criterion_codes: tuple[str, ...] = ()
    cooperating_agencies: tuple[Agency, ...] = field(default=())
    cooperating_other: str = ""
    funding: str = ""
    expected_output: str = ""
    order: int | None = None


def _require_manager(user: AbstractBaseUser) -> None:
    access.require(user, access.MANAGE_ROUNDS)


def plan_snapshot(plan: ImprovementPlan) -> dict:
    return audit.snapshot(plan)


def task_snapshot(task: PlanTask) -> dict:
    data = audit.snapshot(task)
    data["cooperating_agencies"] = sorted(a.code for a in task.cooperating_agencies.all()) if task.pk else []
    data["lead_agency"] = task.lead_agency.code
    return data


def _changed(before: dict, after: dict) -> tuple[dict, dict]:
    keys = sorted(k for k in after if before.get(k) != after.get(k) and k != "updated_at")
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _check_plan_fields(survey_round: SurveyRound, fields: PlanFields, *, plan_id: int | None) -> None:
    errors: dict[str, str] = {}
    if not fields.number.strip():
        errors["number"] = "Chưa có số, ký hiệu của kế hoạch (ví dụ 156/KH-UBND)."
    elif ImprovementPlan.objects.filter(round=survey_round, number=fields.number.strip()).exclude(pk=plan_id).exists():
        errors["number"] = f"Đợt {survey_round.code} đã có kế hoạch số {fields.number.strip()}."
    if not fields.title.strip():
        errors["title"] = "Chưa có trích yếu của kế hoạch."
    if not fields.issuer.strip():
        errors["issuer"] = "Chưa có cơ quan ban hành."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_plan(*, survey_round: SurveyRound, fields: PlanFields, actor: AbstractBaseUser) -> ImprovementPlan:
    """Ghi một kế hoạch cải thiện cho đợt khảo sát."""
    _require_manager(actor)
    _check_plan_fields(survey_round, fields, plan_id=None)
    plan = ImprovementPlan.objects.create(
        round=survey_round, number=fields.number.strip(), title=fields.title.strip(), issued_on=fields.issued_on,
        issuer=fields.issuer.strip(), place=fields.place.strip(), appendix_title=fields.appendix_title.strip(),
        created_by=actor,
    )
    audit.record(action=audit.AuditAction.CREATE, target=plan, round_code=survey_round.code, actor=actor, after=plan_snapshot(plan),
                 note="Tạo kế hoạch cải thiện chỉ số")
    return plan


@transaction.atomic
def update_plan(*, plan: ImprovementPlan, fields: PlanFields, actor: AbstractBaseUser) -> ImprovementPlan:
    """Sửa thông tin của kế hoạch (số, trích yếu, ngày, cơ quan ban hành)."""
    _require_manager(actor)
    plan = ImprovementPlan.objects.select_for_update().select_related("round").get(pk=plan.pk)
    _check_plan_fields(plan.round, fields, plan_id=plan.pk)
    before = plan_snapshot(plan)
    plan.number, plan.title = fields.number.strip(), fields.title.strip()
    plan.issued_on, plan.issuer = fields.issued_on, fields.issuer.strip()
    plan.place, plan.appendix_title = fields.place.strip(), fields.appendix_title.strip()
    plan.save()
    old, new = _changed(before, plan_snapshot(plan))
    if new:
        audit.record(action=audit.AuditAction.UPDATE, target=plan, round_code=plan.round.code, actor=actor, before=old, after=new)
    return plan


@transaction.atomic
def delete_plan(*, plan: ImprovementPlan, actor: AbstractBaseUser) -> None:
    """Xóa kế hoạch cùng các nhiệm vụ và báo cáo tiến độ của nó."""
    _require_manager(actor)
    tasks = PlanTask.objects.filter(plan=plan)
    before = plan_snapshot(plan) | {
        "so_nhiem_vu": tasks.count(),
        "so_bao_cao_tien_do": TaskProgress.objects.filter(task__plan=plan).count(),
    }
    audit.record(action=audit.AuditAction.DELETE, target=plan, round_code=plan.round.code, actor=actor, before=before,
                 note="Xóa kế hoạch cải thiện chỉ số")
    plan.delete()


def _check_task_fields(plan: ImprovementPlan, fields: TaskFields) -> tuple[list[str], list[str]]:
    """The normalised target codes; ValidationError naming the field and the code otherwise."""
    errors: dict[str, list[str]] = {}
    if not fields.content.strip():
        errors.setdefault("content", []).append("Chưa có nội dung nhiệm vụ, giải pháp.")
    definition = load_definition(plan.round.questionnaire)
    factor_codes = normalise_codes(fields.factor_codes)
    criterion_codes = normalise_codes(fields.criterion_codes)
    for message in check_targets(definition, factor_codes=factor_codes, criterion_codes=[]):
        errors.setdefault("factor_codes", []).append(message)
    for message in check_targets(definition, factor_codes=[], criterion_codes=criterion_codes):
        errors.setdefault("criterion_codes", []).append(message)
    try:
        fields.deadline.due  # noqa: B018 — raises on an incomplete deadline
    except deadlines.DeadlineError as exc:
        errors.setdefault("deadline_kind", []).append(str(exc))
    if fields.lead_agency in fields.cooperating_agencies:
        errors.setdefault("cooperating_agencies", []).append(
            f"{fields.lead_agency.name} đã là cơ quan chủ trì, không chọn lại làm cơ quan phối hợp."
        )
    if errors:
        raise ValidationError(errors)
    return sorted_targets(definition, factor_codes), sorted_targets(definition, criterion_codes)


def _apply_task_fields(task: PlanTask, fields: TaskFields, factor_codes: list[str], criterion_codes: list[str]):
    task.content = fields.content.strip()
    task.group = fields.group.strip()
    task.factor_codes, task.criterion_codes = factor_codes, criterion_codes
    task.lead_agency = fields.lead_agency
    task.cooperating_other = fields.cooperating_other.strip()
    task.deadline_kind = fields.deadline.kind
    task.deadline_quarter = fields.deadline.quarter if fields.deadline.kind == DeadlineKind.QUARTER else None
    task.deadline_year = (
        fields.deadline.year if fields.deadline.kind in (DeadlineKind.QUARTER, DeadlineKind.YEAR) else None
    )
    task.deadline_date = fields.deadline.date if fields.deadline.kind == DeadlineKind.DATE else None
    task.funding = fields.funding.strip()
    task.expected_output = fields.expected_output.strip()


@transaction.atomic
def add_task(*, plan: ImprovementPlan, fields: TaskFields, actor: AbstractBaseUser) -> PlanTask:
    """Thêm một nhiệm vụ, giải pháp vào kế hoạch (cuối danh sách nếu không ghi thứ tự)."""
    _require_manager(actor)
    plan = ImprovementPlan.objects.select_for_update().select_related("round__questionnaire").get(pk=plan.pk)
    factor_codes, criterion_codes = _check_task_fields(plan, fields)
    order = fields.order
    if order is None:
        last = PlanTask.objects.filter(plan=plan).order_by("-order").values_list("order", flat=True).first()
        order = (last or 0) + 1
    task = PlanTask(plan=plan, order=order)
    _apply_task_fields(task, fields, factor_codes, criterion_codes)
    task.save()
    task.cooperating_agencies.set(fields.cooperating_agencies)
    audit.record(action=audit.AuditAction.CREATE, target=task, round_code=plan.round.code, actor=actor, after=task_snapshot(task),
                 note=f"Thêm nhiệm vụ vào kế hoạch số {plan.number}")
    return task


@transaction.atomic
def update_task(*, task: PlanTask, fields: TaskFields, actor: AbstractBaseUser) -> PlanTask:
    """Sửa một nhiệm vụ: nội dung, yếu tố/tiêu chí, cơ quan, thời hạn, kinh phí, sản phẩm."""
    _require_manager(actor)
    task = PlanTask.objects.select_for_update().select_related("plan__round__questionnaire", "lead_agency").get(
        pk=task.pk
    )
    factor_codes, criterion_codes = _check_task_fields(task.plan, fields)
    before = task_snapshot(task)
    _apply_task_fields(task, fields, factor_codes, criterion_codes)
    if fields.order is not None:
        task.order = fields.order
    task.save()
    task.cooperating_agencies.set(fields.cooperating_agencies)
    old, new = _changed(before, task_snapshot(task))
    if new:
        audit.record(action=audit.AuditAction.UPDATE, target=task, round_code=task.plan.round.code, actor=actor, before=old, after=new,
                     note=f"Sửa nhiệm vụ của kế hoạch số {task.plan.number}")
    return task


@transaction.atomic
def delete_task(*, task: PlanTask, actor: AbstractBaseUser) -> None:
    """Xóa một nhiệm vụ cùng các báo cáo tiến độ của nó."""
    _require_manager(actor)
    before = task_snapshot(task) | {"so_bao_cao_tien_do": task.progress_reports.count()}
    audit.record(action=audit.AuditAction.DELETE, target=task, round_code=task.plan.round.code, actor=actor, before=before,
                 note=f"Xóa nhiệm vụ của kế hoạch số {task.plan.number}")
    task.delete()


def check_progress(*, task: PlanTask, status: str, percent: int, reported_on: dt.date, today: dt.date) -> dict:
    """Field errors of a progress report (empty = acceptable). Pure apart from the task's dates."""
    errors: dict[str, str] = {}
    if status not in TaskStatus.values:
        errors["status"] = "Tình trạng phải là “Chưa thực hiện”, “Đang thực hiện” hoặc “Hoàn thành”."
    if not 0 <= percent <= 100:
        errors["percent"] = f"Tỷ lệ hoàn thành phải từ 0 đến 100 (nhận được {percent})."
    elif status == TaskStatus.DONE and percent != 100:
        errors["percent"] = f"Nhiệm vụ đã hoàn thành thì tỷ lệ phải là 100% (nhận được {percent}%)."
    elif status == TaskStatus.NOT_STARTED and percent != 0:
        errors["percent"] = f"Nhiệm vụ chưa thực hiện thì tỷ lệ phải là 0% (nhận được {percent}%)."
    elif status == TaskStatus.IN_PROGRESS and percent == 100:
        errors["percent"] = "Tỷ lệ 100%: hãy chọn tình trạng “Hoàn thành”."
    if reported_on > today:
        errors["reported_on"] = f"Ngày báo cáo {reported_on:%d/%m/%Y} chưa tới (hôm nay {today:%d/%m/%Y})."
    elif reported_on < task.plan.issued_on:
        errors["reported_on"] = (
            f"Ngày báo cáo {reported_on:%d/%m/%Y} trước ngày ban hành kế hoạch ({task.plan.issued_on:%d/%m/%Y})."
        )
    return errors


@transaction.atomic
def report_progress(
    *,
    task: PlanTask,
    status: str,
    percent: int,
    note: str,
    reported_on: dt.date | None,
    actor: AbstractBaseUser,
) -> TaskProgress:
    """Cơ quan chủ trì báo cáo tiến độ một nhiệm vụ. The latest report (by date) sets the task's
    status; an older one entered late is kept in the history without overriding it."""
    task = PlanTask.objects.select_for_update().select_related("plan__round", "lead_agency").get(pk=task.pk)
    if not access.can_report_progress(actor, task):
        raise PermissionDenied("Chỉ cán bộ của cơ quan chủ trì nhiệm vụ mới báo cáo được tiến độ.")
    today = timezone.localdate()
    reported_on = reported_on or today
    errors = check_progress(task=task, status=status, percent=percent, reported_on=reported_on, today=today)
    if errors:
        raise ValidationError(errors)
    progress = TaskProgress.objects.create(
        task=task, reported_on=reported_on, reported_by=actor,
        reporter_name=actor.get_full_name() or actor.get_username(), agency=task.lead_agency,
        status=status, percent=percent, note=note.strip(),
    )
    before = {"status": task.status, "percent": task.percent, "last_reported_on": task.last_reported_on}
    if task.last_reported_on is None or reported_on >= task.last_reported_on:
        task.status, task.percent, task.last_reported_on = status, percent, reported_on
        task.save(update_fields=["status", "percent", "last_reported_on"])
    audit.record(
        action=audit.AuditAction.PROGRESS_REPORTED, target=task, round_code=task.plan.round.code, actor=actor, before=before,
        after={"status": status, "percent": percent, "reported_on": reported_on, "note": progress.note,
               "progress_id": progress.pk},
        note=f"{task.lead_agency.name} báo cáo tiến độ nhiệm vụ {task.order} của kế hoạch số {task.plan.number}",
    )
    return progress
