"""Plan, task and progress rules at the service level: computed deadlines, targets checked against
the round's questionnaire, who may report, the overdue selector, and an audit row for every change."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reporting.plans import deadlines, selectors, services
from reporting.plans.models import ImprovementPlan, PlanTask, TaskProgress, TaskStatus
from surveys.accounts import access
from surveys.models import AuditEntry

from .conftest import agency, task_fields

pytestmark = pytest.mark.django_db


def audit_rows(target) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(target_type=target._meta.label, target_id=str(target.pk)).order_by("id"))


def test_a_task_due_in_quy_ii_2023_is_due_on_30_06_2023(task):
    task.refresh_from_db()
    assert task.deadline_kind == deadlines.QUARTER
    assert (task.deadline_quarter, task.deadline_year) == (2, 2023)
    assert task.deadline_date == dt.date(2023, 6, 30)
    assert task.deadline_label == "Quý II/2023"
    assert task.criterion_codes == ["C1.1", "C1.2"]  # questionnaire order
    assert sorted(a.code for a in task.cooperating_agencies.all()) == ["SNV", "STTTT"]
    assert task.order == 1 and task.status == TaskStatus.NOT_STARTED


def test_creating_a_plan_and_a_task_writes_audit_rows(plan, task, people):
    [created] = audit_rows(plan)
    assert created.action == "tạo" and created.actor == people["staff"] and created.round_code == "LS-2022"
    assert created.after["number"] == "156/KH-UBND"
    [task_row] = audit_rows(task)
    assert task_row.action == "tạo"
    assert task_row.after["lead_agency"] == "TPLS"
    assert task_row.after["cooperating_agencies"] == ["SNV", "STTTT"]
    assert task_row.after["deadline_date"] == "2023-06-30"


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"factor_codes": ("F9",)}, "factor_codes", "Yếu tố “F9” không có trong bộ câu hỏi SIPAS-LS-2022"),
        ({"criterion_codes": ("C1.1", "C7.7")}, "criterion_codes", "Tiêu chí “C7.7” không có trong bộ câu hỏi"),
        ({"criterion_codes": ("A1",)}, "criterion_codes", "Tiêu chí “A1” không có"),  # a question, not a criterion
        ({"content": "   "}, "content", "Chưa có nội dung nhiệm vụ"),
        ({"deadline": deadlines.Deadline(deadlines.QUARTER, year=2023)}, "deadline_kind", "cần cả quý và năm"),
    ],
)
def test_bad_tasks_are_refused_with_a_message_and_nothing_is_saved(plan, people, overrides, field, fragment):
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.add_task(plan=plan, fields=task_fields(**overrides), actor=people["staff"])
    assert any(fragment in message for message in caught.value.message_dict[field])
    assert PlanTask.objects.filter(plan=plan).count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_the_lead_agency_cannot_also_cooperate(plan, people):
    with pytest.raises(ValidationError) as caught:
        services.add_task(plan=plan, fields=task_fields(cooperating_agencies=(agency("TPLS"),)), actor=people["staff"])
    assert "đã là cơ quan chủ trì" in caught.value.message_dict["cooperating_agencies"][0]


def test_duplicate_plan_number_in_a_round_is_refused(plan, people, langson_round):
    with pytest.raises(ValidationError) as caught:
        services.create_plan(
            survey_round=langson_round,
            fields=services.PlanFields(number="156/KH-UBND", title="Khác", issued_on=dt.date(2023, 4, 1),
                                       issuer="UBND tỉnh"),
            actor=people["staff"],
        )
    assert "đã có kế hoạch số 156/KH-UBND" in caught.value.message_dict["number"][0]
    assert ImprovementPlan.objects.count() == 1


@pytest.mark.parametrize("role", ["lead", "leader", "supervisor", "entry"])
def test_only_sở_nội_vụ_staff_create_plans_and_tasks(plan, people, role):
    with pytest.raises(PermissionDenied):
        services.add_task(plan=plan, fields=task_fields(), actor=people[role])
    assert PlanTask.objects.count() == 0


def test_only_officers_of_the_lead_agency_may_report_progress(task, people):
    assert access.can_report_progress(people["lead"], task) is True
    for role in ("other", "staff", "admin", "leader", "supervisor", "entry"):
        assert access.can_report_progress(people[role], task) is False, role
    with pytest.raises(PermissionDenied):
        services.report_progress(task=task, status=TaskStatus.IN_PROGRESS, percent=40, note="", reported_on=None,
                                 actor=people["other"])
    assert TaskProgress.objects.count() == 0


def test_staff_of_the_lead_agency_may_report_their_own_agencys_task(plan, people):
    own = services.add_task(plan=plan, fields=task_fields(lead_agency=agency("SNV"), cooperating_agencies=()),
                            actor=people["staff"])
    assert access.can_report_progress(people["staff"], own) is True
    assert access.can_report_progress(people["lead"], own) is False


def test_reporting_progress_updates_the_task_and_writes_an_audit_row(task, people):
    progress = services.report_progress(
        task=task, status=TaskStatus.IN_PROGRESS, percent=60, note="Đã niêm yết 60% thủ tục tại Bộ phận Một cửa.",
        reported_on=dt.date(2023, 5, 10), actor=people["lead"],
    )
    task.refresh_from_db()
    assert (task.status, task.percent, task.last_reported_on) == (TaskStatus.IN_PROGRESS, 60, dt.date(2023, 5, 10))
    assert progress.agency.code == "TPLS" and progress.reporter_name == "Hoàng Thị Lụa"
    row = audit_rows(task)[-1]
    assert row.action == "báo cáo tiến độ" and row.actor == people["lead"]
    assert row.before == {"status": "not_started", "percent": 0, "last_reported_on": None}
    assert row.after["percent"] == 60 and row.after["reported_on"] == "2023-05-10"

    # A report dated earlier, entered late, stays in the history but does not override the latest.
    services.report_progress(task=task, status=TaskStatus.IN_PROGRESS, percent=20, note="", actor=people["lead"],
                             reported_on=dt.date(2023, 4, 1))
    task.refresh_from_db()
    assert task.percent == 60
    assert [p.percent for p in selectors.task_history(task)] == [60, 20]


@pytest.mark.parametrize(
    ("status", "percent", "reported_on", "field", "fragment"),
    [
        (TaskStatus.DONE, 80, dt.date(2023, 5, 1), "percent", "tỷ lệ phải là 100%"),
        (TaskStatus.NOT_STARTED, 10, dt.date(2023, 5, 1), "percent", "tỷ lệ phải là 0%"),
        (TaskStatus.IN_PROGRESS, 100, dt.date(2023, 5, 1), "percent", "hãy chọn tình trạng “Hoàn thành”"),
        (TaskStatus.IN_PROGRESS, 140, dt.date(2023, 5, 1), "percent", "từ 0 đến 100"),
        (TaskStatus.IN_PROGRESS, 50, dt.date(2023, 1, 1), "reported_on", "trước ngày ban hành kế hoạch (06/03/2023)"),
        (TaskStatus.IN_PROGRESS, 50, dt.date(2099, 1, 1), "reported_on", "chưa tới"),
    ],
)
def test_inconsistent_progress_reports_are_refused(task, people, status, percent, reported_on, field, fragment):
    with pytest.raises(ValidationError) as caught:
        services.report_progress(task=task, status=status, percent=percent, note="", reported_on=reported_on,
                                 actor=people["lead"])
    assert fragment in caught.value.message_dict[field][0]
    assert TaskProgress.objects.count() == 0
    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_STARTED


def test_overdue_tasks_are_past_due_and_not_done(plan, task, people):
    ongoing = services.add_task(plan=plan, fields=task_fields(deadline=deadlines.Deadline(deadlines.ONGOING)),
                                actor=people["staff"])
    later = services.add_task(plan=plan, fields=task_fields(deadline=deadlines.Deadline(deadlines.YEAR, year=2099)),
                              actor=people["staff"])
    done = services.add_task(plan=plan, fields=task_fields(content="Đã xong"), actor=people["staff"])
    services.report_progress(task=done, status=TaskStatus.DONE, percent=100, note="", reported_on=dt.date(2023, 6, 1),
                             actor=people["lead"])
    today = dt.date(2023, 7, 1)
    assert [t.pk for t in selectors.overdue_tasks(people["staff"], today=today)] == [task.pk]
    assert {t.pk for t in selectors.overdue_tasks(people["staff"], today=dt.date(2023, 6, 30))} == set()
    for t in (ongoing, later, done):
        t.refresh_from_db()
        assert t.is_overdue(today) is False
    listed = selectors.plan_list(people["leader"], today=today).get(pk=plan.pk)
    assert (listed.n_tasks, listed.n_done, listed.n_overdue) == (4, 1, 1)


def test_who_reads_which_plans(plan, task, people, langson_round):
    other_plan = services.create_plan(
        survey_round=langson_round,
        fields=services.PlanFields(number="200/KH-UBND", title="Kế hoạch khác", issued_on=dt.date(2023, 5, 1),
                                   issuer="UBND tỉnh Lạng Sơn"),
        actor=people["staff"],
    )
    services.add_task(plan=other_plan, fields=task_fields(lead_agency=agency("SNV"), cooperating_agencies=()),
                      actor=people["staff"])
    for role in ("staff", "admin", "leader", "supervisor"):
        assert set(selectors.visible_plans(people[role])) == {plan, other_plan}, role
    assert list(selectors.visible_plans(people["lead"])) == [plan]  # TPLS leads a task of 156 only
    assert list(selectors.visible_plans(people["other"])) == []
    with pytest.raises(PermissionDenied):
        selectors.visible_plans(people["entry"])
    # A cooperating agency reads the plan too (it reports through the lead agency).
    sttt = services.add_task(plan=other_plan, fields=task_fields(lead_agency=agency("SNV"),
                                                                 cooperating_agencies=(agency("CLANG"),)),
                             actor=people["staff"])
    assert sttt.pk and list(selectors.visible_plans(people["other"])) == [other_plan]


def test_editing_and_deleting_are_audited(plan, task, people):
    services.update_task(task=task, fields=task_fields(deadline=deadlines.Deadline(deadlines.QUARTER, quarter=3,
                                                                                   year=2023)),
                         actor=people["staff"])
    task.refresh_from_db()
    assert task.deadline_date == dt.date(2023, 9, 30)
    edit = audit_rows(task)[-1]
    assert edit.action == "sửa"
    assert edit.before == {"deadline_date": "2023-06-30", "deadline_quarter": 2}
    assert edit.after == {"deadline_date": "2023-09-30", "deadline_quarter": 3}

    services.update_plan(plan=plan, fields=services.PlanFields(
        number="156/KH-UBND", title="Trích yếu mới", issued_on=plan.issued_on, issuer=plan.issuer, place="Lạng Sơn",
    ), actor=people["staff"])
    assert audit_rows(plan)[-1].after == {"title": "Trích yếu mới"}

    task_id, plan_id = task.pk, plan.pk
    services.delete_task(task=task, actor=people["staff"])
    assert not PlanTask.objects.filter(pk=task_id).exists()
    deleted = AuditEntry.objects.filter(target_type="plans.PlanTask", target_id=str(task_id), action="xóa").get()
    assert deleted.before["content"].startswith("Niêm yết công khai")
    services.delete_plan(plan=plan, actor=people["admin"])
    assert AuditEntry.objects.filter(target_type="plans.ImprovementPlan", target_id=str(plan_id), action="xóa",
                                     actor=people["admin"]).exists()
    assert not ImprovementPlan.objects.filter(pk=plan_id).exists()
