"""Pages of the improvement plans. Thin: scoping by selectors (surveys.accounts.access underneath),
changes by services, files by documents."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sipas_portal.downloads import PDF, Download, serve
from surveys.accounts import access
from surveys.selectors import load_definition

from . import documents, selectors, services
from .forms import PlanForm, ProgressForm, TaskForm
from .models import TaskStatus


def _posted(request):
    """The posted data, or None on GET: an empty POST is still a submission and gets its errors."""
    return request.POST if request.method == "POST" else None


def _form_errors_from(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_safe
def plan_list(request):
    today = timezone.localdate()
    round_code = request.GET.get("dot") or None
    plans = selectors.plan_list(request.user, today=today, round_code=round_code)
    rounds = access.visible_rounds(request.user).filter(improvement_plans__isnull=False).distinct()
    return render(request, "plans/plan_list.html", {
        "plans": plans, "rounds": rounds, "round_code": round_code, "today": today,
        "can_manage": access.can(request.user, access.MANAGE_ROUNDS),
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_create(request):
    access.require(request.user, access.MANAGE_ROUNDS)
    rounds = access.visible_rounds(request.user)
    chosen = rounds.filter(code=request.GET.get("dot") or "").first() or rounds.first()
    if chosen is None:
        messages.error(request, "Chưa có đợt khảo sát nào để lập kế hoạch.")
        return redirect("plans:plan_list")
    form = PlanForm(_posted(request), initial=PlanForm.initial_for(chosen), rounds=rounds)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(survey_round=form.cleaned_data["round"], fields=form.plan_fields(),
                                        actor=request.user)
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, f"Đã tạo kế hoạch số {plan.number}. Hãy thêm các nhiệm vụ, giải pháp.")
            return redirect("plans:plan_detail", plan_id=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form})


@login_required
@require_safe
def plan_detail(request, plan_id: int):
    plan = selectors.get_plan(request.user, plan_id)
    today = timezone.localdate()
    tasks = selectors.plan_tasks(plan)
    by_id = {t.pk: t for t in tasks}
    names = selectors.target_names(plan).names
    measured = selectors.target_values(request.user, plan)
    values = measured.values if measured else {}
    sections = [
        {
            "group": group,
            "items": [
                {
                    "row": row,
                    "task": by_id[row.task_id],
                    "overdue": by_id[row.task_id].is_overdue(today),
                    "can_report": access.can_report_progress(request.user, by_id[row.task_id]),
                    "targets": [(code, names.get(code, code), values.get(code))
                                for code in (*by_id[row.task_id].factor_codes, *by_id[row.task_id].criterion_codes)],
                }
                for row in group.rows
            ],
        }
        for group in selectors.plan_appendix(tasks)
    ]
    return render(request, "plans/plan_detail.html", {
        "plan": plan,
        "round": plan.round,
        "sections": sections,
        "measured": measured,
        "counts": {
            "tasks": len(tasks),
            "done": sum(t.status == TaskStatus.DONE for t in tasks),
            "overdue": sum(t.is_overdue(today) for t in tasks),
        },
        "can_manage": access.can(request.user, access.MANAGE_ROUNDS),
        "today": today,
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_edit(request, plan_id: int):
    access.require(request.user, access.MANAGE_ROUNDS)
    plan = selectors.get_plan(request.user, plan_id)
    form = PlanForm(_posted(request), initial=PlanForm.initial_of(plan))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan(plan=plan, fields=form.plan_fields(), actor=request.user)
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, f"Đã lưu kế hoạch số {form.cleaned_data['number']}.")
            return redirect("plans:plan_detail", plan_id=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan, "round": plan.round})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_delete(request, plan_id: int):
    access.require(request.user, access.MANAGE_ROUNDS)
    plan = selectors.get_plan(request.user, plan_id)
    if request.method == "POST":
        number = plan.number
        services.delete_plan(plan=plan, actor=request.user)
        messages.success(request, f"Đã xóa kế hoạch số {number}.")
        return redirect("plans:plan_list")
    return render(request, "plans/confirm_delete.html", {
        "plan": plan, "what": f"kế hoạch số {plan.number}",
        "consequence": f"Cả {plan.tasks.count()} nhiệm vụ và các báo cáo tiến độ của kế hoạch sẽ bị xóa.",
    })


def _task_form_page(request, plan, task=None):
    definition = load_definition(plan.round.questionnaire)
    initial = TaskForm.initial_of(task) if task else {"deadline_year": plan.round.year + 1}
    form = TaskForm(_posted(request), initial=initial, definition=definition)
    if request.method == "POST" and form.is_valid():
        try:
            if task is None:
                saved = services.add_task(plan=plan, fields=form.task_fields(), actor=request.user)
            else:
                saved = services.update_task(task=task, fields=form.task_fields(), actor=request.user)
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, f"Đã lưu nhiệm vụ {saved.order} của kế hoạch số {plan.number}.")
            return redirect(f"{plan_url(plan)}#nhiem-vu-{saved.pk}")
    return render(request, "plans/task_form.html", {"form": form, "plan": plan, "task": task, "round": plan.round})


def plan_url(plan) -> str:
    return reverse("plans:plan_detail", kwargs={"plan_id": plan.pk})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def task_create(request, plan_id: int):
    access.require(request.user, access.MANAGE_ROUNDS)
    return _task_form_page(request, selectors.get_plan(request.user, plan_id))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def task_edit(request, plan_id: int, task_id: int):
    access.require(request.user, access.MANAGE_ROUNDS)
    plan = selectors.get_plan(request.user, plan_id)
    return _task_form_page(request, plan, selectors.get_task(request.user, plan, task_id))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def task_delete(request, plan_id: int, task_id: int):
    access.require(request.user, access.MANAGE_ROUNDS)
    plan = selectors.get_plan(request.user, plan_id)
    task = selectors.get_task(request.user, plan, task_id)
    if request.method == "POST":
        services.delete_task(task=task, actor=request.user)
        messages.success(request, f"Đã xóa nhiệm vụ {task.order} của kế hoạch số {plan.number}.")
        return redirect("plans:plan_detail", plan_id=plan.pk)
    return render(request, "plans/confirm_delete.html", {
        "plan": plan, "task": task, "what": f"nhiệm vụ {task.order} của kế hoạch số {plan.number}",
        "consequence": f"{task.progress_reports.count()} báo cáo tiến độ của nhiệm vụ cũng bị xóa.",
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def task_progress(request, plan_id: int, task_id: int):
    """Trang của một nhiệm vụ: lịch sử tiến độ; cơ quan chủ trì báo cáo tiến độ tại đây."""
    plan = selectors.get_plan(request.user, plan_id)
    task = selectors.get_task(request.user, plan, task_id)
    can_report = access.can_report_progress(request.user, task)
    if request.method == "POST" and not can_report:
        raise PermissionDenied("Chỉ cán bộ của cơ quan chủ trì nhiệm vụ mới báo cáo được tiến độ.")
    form = ProgressForm(_posted(request), initial=ProgressForm.initial_for(task)) if can_report else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report_progress(task=task, status=data["status"], percent=data["percent"], note=data["note"],
                                     reported_on=data["reported_on"], actor=request.user)
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, f"Đã ghi báo cáo tiến độ nhiệm vụ {task.order}.")
            return redirect("plans:task_progress", plan_id=plan.pk, task_id=task.pk)
    today = timezone.localdate()
    names = selectors.target_names(plan)
    return render(request, "plans/task_detail.html", {
        "plan": plan, "task": task, "round": plan.round, "form": form, "can_report": can_report,
        "crumb": f"Nhiệm vụ {task.order}",
        "history": selectors.task_history(task), "overdue": task.is_overdue(today),
        "targets": _described_targets(request.user, plan, task, names),
        "cooperating": [a.name for a in task.cooperating_agencies.all()],
        "can_manage": access.can(request.user, access.MANAGE_ROUNDS),
    })


def _described_targets(user, plan, task, names) -> list[str]:
    """“C1.1 Trụ sở … — 82,50% (toàn tỉnh)”: the target with the round's index where the user reads it."""
    codes = [*task.factor_codes, *task.criterion_codes]
    measured = selectors.target_values(user, plan)
    return [
        f"{text} — {measured.values[code]} ({measured.scope_label})" if measured and code in measured.values else text
        for code, text in zip(codes, names.describe(codes), strict=True)
    ]


@login_required
@require_safe
def overdue_list(request):
    today = timezone.localdate()
    tasks = selectors.overdue_tasks(request.user, today=today, round_code=request.GET.get("dot") or None)
    rows = [(task, (today - task.deadline_date).days) for task in tasks]
    return render(request, "plans/overdue_list.html", {"rows": rows, "today": today})


@login_required
@require_safe
def overdue_xlsx(request):
    today = timezone.localdate()
    tasks = selectors.overdue_tasks(request.user, today=today, round_code=request.GET.get("dot") or None)
    return serve(Download(f"nhiem-vu-qua-han-{today:%Y%m%d}.xlsx", documents.overdue_xlsx(list(tasks), today=today)))


def _file_name(plan, extension: str) -> str:
    return f"phu-luc-ke-hoach-{plan.number.replace('/', '-')}.{extension}"


@login_required
@require_safe
def appendix_pdf(request, plan_id: int):
    plan = selectors.get_plan(request.user, plan_id)
    groups = selectors.plan_appendix(selectors.plan_tasks(plan))
    return serve(Download(_file_name(plan, "pdf"), documents.appendix_pdf(plan, groups), PDF))


@login_required
@require_safe
def appendix_xlsx(request, plan_id: int):
    plan = selectors.get_plan(request.user, plan_id)
    tasks = selectors.plan_tasks(plan)
    content = documents.appendix_xlsx(plan, selectors.plan_appendix(tasks), tasks, list(selectors.all_progress(plan)),
                                      today=timezone.localdate())
    return serve(Download(_file_name(plan, "xlsx"), content))
