"""Fixtures of the improvement-plan tests: the LS-2022 round, users in every role and a plan."""
from __future__ import annotations

import datetime as dt

import pytest

from reporting.plans import deadlines, services
from surveys.accounts import roles
from surveys.models import Agency
from tests.security.users import make_user

TASK_TEXT = (
    "Niêm yết công khai, đầy đủ thủ tục hành chính tại Bộ phận Một cửa; rà soát, cắt giảm thời gian "
    "giải quyết hồ sơ đất đai — bảo đảm người dân được hướng dẫn tận tình, chu đáo"
)


@pytest.fixture
def people(langson_round):
    return {
        "admin": make_user("quantri", roles.ADMIN, agency="SNV", is_staff=True),
        "staff": make_user("canbo.snv", roles.STAFF, agency="SNV", first_name="Nguyễn Văn", last_name="Bình"),
        "entry": make_user("buudien", roles.ENTRY, entry=("STP",)),
        "lead": make_user("tpls", roles.AGENCY, agency="TPLS", first_name="Hoàng Thị", last_name="Lụa"),
        "other": make_user("chilang", roles.AGENCY, agency="CLANG"),
        "leader": make_user("lanhdao", roles.LEADER),
        "supervisor": make_user("mttq", roles.SUPERVISOR),
    }


def agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


def task_fields(**overrides) -> services.TaskFields:
    values = dict(
        content=TASK_TEXT,
        lead_agency=agency("TPLS"),
        deadline=deadlines.Deadline(deadlines.QUARTER, quarter=2, year=2023),
        group="Yếu tố: Tiếp cận dịch vụ hành chính công",
        factor_codes=("F1",),
        criterion_codes=("C1.2", "C1.1"),
        cooperating_agencies=(agency("SNV"), agency("STTTT")),
        cooperating_other="Các cơ quan, đơn vị có liên quan",
        funding="Kinh phí hoạt động theo dự toán được phê duyệt năm 2023",
        expected_output="Báo cáo kết quả thực hiện",
    )
    values.update(overrides)
    return services.TaskFields(**values)


@pytest.fixture
def plan(langson_round, people):
    return services.create_plan(
        survey_round=langson_round,
        fields=services.PlanFields(
            number="156/KH-UBND", title="Nâng cao Chỉ số hài lòng về sự phục vụ hành chính năm 2023",
            issued_on=dt.date(2023, 3, 6), issuer="Ủy ban nhân dân tỉnh Lạng Sơn", place="Lạng Sơn",
        ),
        actor=people["staff"],
    )


@pytest.fixture
def task(plan, people):
    return services.add_task(plan=plan, fields=task_fields(), actor=people["staff"])
