"""The plan and task the permission matrix (tests/test_permission_matrix.py) opens: a plan of the
matrix's round with one task led by TPLS, the matrix's agency officer."""
from __future__ import annotations

import datetime as dt

from reporting.plans import deadlines, services
from surveys.models import Agency


def plan_url(pattern: str, world) -> str:
    if "plan" not in world:
        staff = world["users"]["staff"]
        plan = services.create_plan(
            survey_round=world["round"],
            fields=services.PlanFields(number="1/KH-UBND", title="Kế hoạch thử", issued_on=dt.date(2023, 1, 5),
                                       issuer="Ủy ban nhân dân tỉnh Lạng Sơn"),
            actor=staff,
        )
        task = services.add_task(plan=plan, fields=services.TaskFields(
            content="Niêm yết công khai thủ tục hành chính", lead_agency=Agency.objects.get(code="TPLS"),
            deadline=deadlines.Deadline(deadlines.QUARTER, quarter=2, year=2023), factor_codes=("F1",),
        ), actor=staff)
        world["plan"], world["task"] = plan, task
    return pattern.replace("<int:plan_id>", str(world["plan"].pk)).replace("<int:task_id>", str(world["task"].pk))
