"""The demonstration plan (seed_plan_demo): every task passes the services' checks, once only."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from reporting.plans.demo import DEMO_TASKS
from reporting.plans.models import ImprovementPlan, PlanTask
from surveys.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_seed_plan_demo_adds_the_plan_once(people, langson_round):
    out = io.StringIO()
    call_command("seed_plan_demo", "--round", "LS-2022", "--user", "canbo.snv", stdout=out)
    assert f"Đã thêm kế hoạch số 01/KH-UBND với {len(DEMO_TASKS)} nhiệm vụ vào đợt LS-2022." in out.getvalue()
    plan = ImprovementPlan.objects.get()
    assert plan.issued_on == dt.date(2023, 3, 15) and plan.issuer == "Ủy ban nhân dân tỉnh Lạng Sơn"
    tasks = list(PlanTask.objects.filter(plan=plan))
    assert [t.deadline_label for t in tasks].count("Quý IV/2023") == 6
    assert {t.deadline_date for t in tasks} == {dt.date(2023, 12, 31), dt.date(2023, 9, 30), None}
    assert {t.lead_agency.code for t in tasks} == {"TPLS", "VPUBND", "SNV", "STTTT"}
    assert AuditEntry.objects.filter(target_type="plans.PlanTask", action="tạo").count() == len(DEMO_TASKS)

    out = io.StringIO()
    call_command("seed_plan_demo", "--round", "LS-2022", "--user", "canbo.snv", stdout=out)
    assert "đã có kế hoạch minh họa" in out.getvalue()
    assert PlanTask.objects.count() == len(DEMO_TASKS)


def test_seed_plan_demo_refuses_a_user_without_the_right(people, langson_round):
    with pytest.raises(CommandError, match="không có quyền quản lý đợt khảo sát"):
        call_command("seed_plan_demo", "--round", "LS-2022", "--user", "lanhdao")
    with pytest.raises(CommandError, match="Không có đợt khảo sát mã “XX”"):
        call_command("seed_plan_demo", "--round", "XX")
    assert ImprovementPlan.objects.count() == 0
