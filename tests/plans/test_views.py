"""The plan pages through Django's test client: staff create, the lead agency reports, another
agency is refused, bad input gets a Vietnamese message and saves nothing (never a 500)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reporting.plans.models import ImprovementPlan, PlanTask, TaskProgress, TaskStatus
from surveys.models import Agency, AuditEntry

pytestmark = pytest.mark.django_db


def task_post(**overrides) -> dict:
    data = {
        "group": "", "content": "Rà soát, công khai quy trình nội bộ giải quyết thủ tục hành chính lĩnh vực đất đai",
        "factor_codes": ["F2"], "criterion_codes": ["C2.1", "C2.3"],
        "lead_agency": str(Agency.objects.get(code="TPLS").pk),
        "cooperating_agencies": [str(Agency.objects.get(code="STNMT").pk)],
        "cooperating_other": "", "deadline_kind": "quarter", "deadline_quarter": "2", "deadline_year": "2023",
        "deadline_date": "", "funding": "Kinh phí hoạt động theo dự toán được phê duyệt",
        "expected_output": "Quy trình nội bộ được công khai", "order": "",
    }
    data.update(overrides)
    return data


def test_staff_create_a_plan_and_a_task_through_the_pages(client, people, langson_round):
    client.force_login(people["staff"])
    page = client.get("/ke-hoach/moi/")
    assert page.status_code == 200 and "Ủy ban nhân dân tỉnh Lạng Sơn" in page.content.decode()
    response = client.post("/ke-hoach/moi/", {
        "round": "LS-2022", "number": "156/KH-UBND", "title": "Nâng cao Chỉ số SIPAS năm 2023",
        "issued_on": "06/03/2023", "issuer": "Ủy ban nhân dân tỉnh Lạng Sơn", "place": "Lạng Sơn",
        "appendix_title": "",
    })
    plan = ImprovementPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ke-hoach/{plan.pk}/"
    assert plan.issued_on == dt.date(2023, 3, 6) and plan.created_by == people["staff"]

    response = client.post(f"/ke-hoach/{plan.pk}/nhiem-vu/moi/", task_post())
    task = PlanTask.objects.get()
    assert response.status_code == 302
    assert task.group == "Yếu tố: Thủ tục hành chính"  # defaulted from the single factor
    assert task.deadline_date == dt.date(2023, 6, 30)
    assert [a.code for a in task.cooperating_agencies.all()] == ["STNMT"]

    page = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert "Rà soát, công khai quy trình nội bộ" in page and "Quý II/2023" in page
    assert "Yếu tố: Thủ tục hành chính" in page and "Thành phố Lạng Sơn" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"criterion_codes": ["C9.9"]}, "Tiêu chí “C9.9” không có trong bộ câu hỏi của đợt."),
        ({"factor_codes": ["F7"]}, "Yếu tố “F7” không có trong bộ câu hỏi của đợt."),
        ({"deadline_quarter": ""}, "Thời hạn theo quý cần cả quý và năm."),
        ({"deadline_kind": "date", "deadline_date": "31/02/2023"}, "phải là một ngày có thật"),
        ({"content": ""}, "Chưa có nội dung nhiệm vụ, giải pháp."),
        ({"lead_agency": "999999"}, "Cơ quan chủ trì đã chọn không có trong danh sách cơ quan."),
        ({"deadline_year": "năm sau"}, "Năm phải là số, ví dụ 2023."),
    ],
)
def test_bad_task_input_shows_a_vietnamese_message_and_saves_nothing(client, people, plan, overrides, message):
    client.force_login(people["staff"])
    audit_count = AuditEntry.objects.count()
    response = client.post(f"/ke-hoach/{plan.pk}/nhiem-vu/moi/", task_post(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Chưa lưu." in response.content.decode()
    assert PlanTask.objects.count() == 0
    assert AuditEntry.objects.count() == audit_count


def test_the_lead_agency_reports_progress_and_another_agency_cannot(client, people, plan, task):
    url = f"/ke-hoach/{plan.pk}/nhiem-vu/{task.pk}/"
    client.force_login(people["lead"])
    page = client.get(url).content.decode()
    assert "Gửi báo cáo tiến độ" in page
    today = timezone.localdate()
    response = client.post(url, {"reported_on": today.strftime("%d/%m/%Y"), "status": "in_progress",
                                 "percent": "45", "note": "Đã rà soát 45% hồ sơ tồn đọng."})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.percent, task.last_reported_on) == (TaskStatus.IN_PROGRESS, 45, today)
    assert AuditEntry.objects.filter(action="báo cáo tiến độ", actor=people["lead"], target_id=str(task.pk)).count() == 1

    # CLANG's officer has no task in this plan: the plan does not exist for them.
    client.force_login(people["other"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reported_on": today.strftime("%d/%m/%Y"), "status": "done", "percent": "100"}).status_code == 404
    assert client.get(f"/ke-hoach/{plan.pk}/").status_code == 404
    # Leadership reads the task but may not report on it.
    client.force_login(people["leader"])
    page = client.get(url).content.decode()
    assert "Gửi báo cáo tiến độ" not in page and "Đã rà soát 45% hồ sơ tồn đọng." in page
    assert client.post(url, {"reported_on": today.strftime("%d/%m/%Y"), "status": "done", "percent": "100"}).status_code == 403
    assert TaskProgress.objects.count() == 1
    task.refresh_from_db()
    assert task.percent == 45


def test_a_bad_progress_report_is_explained(client, people, plan, task):
    client.force_login(people["lead"])
    today = timezone.localdate()
    response = client.post(f"/ke-hoach/{plan.pk}/nhiem-vu/{task.pk}/", {
        "reported_on": today.strftime("%d/%m/%Y"), "status": "done", "percent": "70", "note": "",
    })
    assert response.status_code == 200
    assert "Nhiệm vụ đã hoàn thành thì tỷ lệ phải là 100% (nhận được 70%)." in response.content.decode()
    assert TaskProgress.objects.count() == 0


def test_overdue_tasks_are_flagged_on_the_plan_page_and_listed(client, people, plan, task):
    # Quý II/2023 is long past: the task is overdue until it is reported done.
    client.force_login(people["supervisor"])
    page = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert "task-overdue" in page and "1 quá hạn" in page
    listing = client.get("/ke-hoach/qua-han/").content.decode()
    assert "Niêm yết công khai" in listing and "156/KH-UBND" in listing
    days = (timezone.localdate() - dt.date(2023, 6, 30)).days
    assert f"{days:,} ngày".replace(",", ".") in listing

    client.force_login(people["lead"])
    client.post(f"/ke-hoach/{plan.pk}/nhiem-vu/{task.pk}/", {
        "reported_on": timezone.localdate().strftime("%d/%m/%Y"), "status": "done", "percent": "100", "note": "Xong",
    })
    client.force_login(people["supervisor"])
    assert "task-overdue" not in client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert "Không có nhiệm vụ nào quá hạn." in client.get("/ke-hoach/qua-han/").content.decode()


def test_entry_clerks_see_no_plans(client, people, plan):
    client.force_login(people["entry"])
    assert client.get("/ke-hoach/").status_code == 403
    assert client.get(f"/ke-hoach/{plan.pk}/").status_code == 403
    assert client.get("/ke-hoach/qua-han/").status_code == 403


def test_deleting_a_task_asks_first_then_deletes(client, people, plan, task):
    client.force_login(people["staff"])
    url = f"/ke-hoach/{plan.pk}/nhiem-vu/{task.pk}/xoa/"
    assert "Xóa nhiệm vụ 1 của kế hoạch số 156/KH-UBND?" in client.get(url).content.decode()
    assert PlanTask.objects.filter(pk=task.pk).exists()
    assert client.post(url).status_code == 302
    assert not PlanTask.objects.filter(pk=task.pk).exists()


def test_plan_edit_refuses_a_number_already_used_in_the_round(client, people, plan, langson_round):
    from reporting.plans import services

    other = services.create_plan(survey_round=langson_round, fields=services.PlanFields(
        number="200/KH-UBND", title="Kế hoạch khác", issued_on=dt.date(2023, 5, 1), issuer="UBND tỉnh Lạng Sơn",
    ), actor=people["staff"])
    client.force_login(people["staff"])
    response = client.post(f"/ke-hoach/{other.pk}/sua/", {
        "number": "156/KH-UBND", "title": "Kế hoạch khác", "issued_on": "01/05/2023", "issuer": "UBND tỉnh Lạng Sơn",
        "place": "", "appendix_title": "",
    })
    assert response.status_code == 200
    assert "Đợt LS-2022 đã có kế hoạch số 156/KH-UBND." in response.content.decode()
    other.refresh_from_db()
    assert other.number == "200/KH-UBND"
    response = client.post(f"/ke-hoach/{other.pk}/sua/", {
        "number": "200/KH-UBND", "title": "Kế hoạch khác", "issued_on": "ngày mai", "issuer": "UBND tỉnh Lạng Sơn",
    })
    assert "Ngày ban hành phải là một ngày có thật, dạng dd/mm/yyyy." in response.content.decode()


def test_plan_list_shows_counts_and_filters_by_round(client, people, plan, task):
    client.force_login(people["lead"])
    page = client.get("/ke-hoach/").content.decode()
    assert "156/KH-UBND" in page and "Lập kế hoạch" not in page
    client.force_login(people["other"])
    assert "156/KH-UBND" not in client.get("/ke-hoach/").content.decode()
    client.force_login(people["staff"])
    assert "156/KH-UBND" not in client.get("/ke-hoach/?dot=KHAC").content.decode()
    assert "156/KH-UBND" in client.get("/ke-hoach/?dot=LS-2022").content.decode()


def test_targets_show_the_rounds_index_of_the_scope_the_user_reads(client, people, plan, task, langson_round):
    from indexes.models import IndexResult, Scope

    IndexResult.objects.create(round=langson_round, scope=Scope.PROVINCE, code="", n=895, sipas=87.07,
                               factors={"F1": 90.125}, criteria={"C1.1": 82.5, "C1.2": 79.0})
    IndexResult.objects.create(round=langson_round, scope=Scope.AGENCY, code="TPLS", n=40, sipas=85.0,
                               factors={"F1": 70.0}, criteria={"C1.1": 65.25, "C1.2": 60.0})
    client.force_login(people["leader"])
    page = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert "F1 · 90,13%" in page and "C1.1 · 82,50%" in page and "chỉ số của toàn tỉnh" in page
    detail = client.get(f"/ke-hoach/{plan.pk}/nhiem-vu/{task.pk}/").content.decode()
    assert "— 82,50% (toàn tỉnh)" in detail
    client.force_login(people["lead"])  # an agency officer sees their own agency's figures, not the province's
    page = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert "C1.1 · 65,25%" in page and "82,50%" not in page and "chỉ số của Thành phố Lạng Sơn" in page


def test_an_empty_post_is_answered_with_the_missing_fields(client, people, plan, task):
    client.force_login(people["staff"])
    page = client.post(f"/ke-hoach/{plan.pk}/nhiem-vu/moi/", {}).content.decode()
    assert "Chưa có nội dung nhiệm vụ, giải pháp." in page and "Chưa chọn cơ quan chủ trì." in page
    client.force_login(people["lead"])
    page = client.post(f"/ke-hoach/{plan.pk}/nhiem-vu/{task.pk}/", {}).content.decode()
    assert "Chưa có tỷ lệ hoàn thành (0–100)." in page
    assert PlanTask.objects.count() == 1 and TaskProgress.objects.count() == 0
