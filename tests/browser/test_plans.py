"""Improvement plans in a real browser: Sở Nội vụ staff record a plan and a task; the lead
agency's officer reports progress; the overdue flag comes and goes. Screenshots go to
test-artifacts/screenshots/ke-hoach-*.png; no CSP violation or script error is allowed."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from reporting.plans.models import ImprovementPlan, PlanTask, TaskProgress, TaskStatus
from surveys.accounts import roles
from surveys.models import AuditEntry
from tests.security.users import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "langson_2022.json"
CSP_PROBLEMS = ("Content Security Policy", "Refused to")
TASK_TEXT = "Niêm yết công khai, đầy đủ thủ tục hành chính tại Bộ phận Một cửa thành phố; hướng dẫn tận tình người dân"


@pytest.fixture
def portal(transactional_db, live_server):
    call_command("loaddata", str(FIXTURE), verbosity=0)
    staff = make_user("canbo.snv", roles.STAFF, agency="SNV", first_name="Nguyễn Văn", last_name="Bình")
    lead = make_user("tpls", roles.AGENCY, agency="TPLS", first_name="Hoàng Thị", last_name="Lụa")
    return {"url": live_server.url, "staff": staff, "lead": lead}


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def sign_out(page) -> None:
    with page.expect_navigation():
        page.click("form[action='/dang-xuat/'] button")


def checked(page, name: str, screenshot) -> None:
    assert page.locator("html").get_attribute("lang") == "vi", name
    screenshot(page, name)
    problems = [line for line in page.log.take() if any(p in line for p in CSP_PROBLEMS) or line.startswith("pageerror")]
    assert not problems, f"{name}: {problems}"


def test_plan_task_and_progress_by_the_lead_agency(browser_page, portal, screenshot):
    page, base = browser_page, portal["url"]

    # Sở Nội vụ records the plan …
    sign_in(page, base, "canbo.snv")
    page.click("nav >> text=Kế hoạch cải thiện")
    page.click("text=Lập kế hoạch")
    page.select_option("#id_round", "LS-2022")
    page.fill("#id_number", "156/KH-UBND")
    page.fill("#id_title", "Triển khai nhiệm vụ, giải pháp nâng cao Chỉ số SIPAS năm 2023")
    page.fill("#id_issued_on", "2023-03-06")
    checked(page, "ke-hoach-lap", screenshot)
    with page.expect_navigation():
        page.click("button:has-text('Lưu kế hoạch')")
    plan = ImprovementPlan.objects.get()
    assert page.url == f"{base}/ke-hoach/{plan.pk}/"
    assert plan.issuer == "Ủy ban nhân dân tỉnh Lạng Sơn" and plan.created_by == portal["staff"]

    # … and one task, due in Quý II/2023 (long past: it shows as overdue).
    page.click("text=Thêm nhiệm vụ")
    page.fill("#id_content", TASK_TEXT)
    page.check("input[name=factor_codes][value=F1]")
    page.select_option("#id_criterion_codes", ["C1.1", "C1.3"])
    page.select_option("#id_lead_agency", label="Thành phố Lạng Sơn (TPLS)")
    page.select_option("#id_cooperating_agencies", label="Sở Nội vụ (SNV)")
    page.select_option("#id_deadline_kind", "quarter")
    page.select_option("#id_deadline_quarter", "2")
    page.fill("#id_deadline_year", "2023")
    page.fill("#id_funding", "Kinh phí hoạt động theo dự toán được phê duyệt năm 2023")
    checked(page, "ke-hoach-them-nhiem-vu", screenshot)
    with page.expect_navigation():
        page.click("button:has-text('Lưu nhiệm vụ')")
    task = PlanTask.objects.get()
    assert task.criterion_codes == ["C1.1", "C1.3"] and task.group == "Yếu tố: Tiếp cận dịch vụ hành chính công"
    row = page.locator(f"#nhiem-vu-{task.pk}")
    assert row.locator("text=Quý II/2023").is_visible()
    assert row.locator(".overdue-flag").is_visible()
    assert "task-overdue" in (row.get_attribute("class") or "")
    checked(page, "ke-hoach-chi-tiet", screenshot)
    page.goto(f"{base}/ke-hoach/qua-han/")
    assert page.locator("tr.task-overdue").count() == 1
    assert page.locator("tr.task-overdue >> text=156/KH-UBND").is_visible()
    checked(page, "ke-hoach-qua-han", screenshot)
    page.goto(f"{base}/ke-hoach/")
    assert page.locator("tbody tr").count() == 1
    checked(page, "ke-hoach-danh-sach", screenshot)
    sign_out(page)

    # The lead agency (UBND Thành phố Lạng Sơn) reports the task done.
    sign_in(page, base, "tpls")
    page.goto(f"{base}/ke-hoach/{plan.pk}/")
    with page.expect_navigation():
        page.click(f"#nhiem-vu-{task.pk} >> text=Báo cáo tiến độ")
    page.select_option("#id_status", "done")
    page.fill("#id_percent", "100")
    page.fill("#id_note", "Đã niêm yết đủ 100% thủ tục; cập nhật trên Cổng dịch vụ công của tỉnh.")
    with page.expect_navigation():
        page.click("button:has-text('Gửi báo cáo tiến độ')")
    assert page.locator(".alert-success").inner_text().strip().startswith("Đã ghi báo cáo tiến độ")
    assert page.locator("#tinh-trang").inner_text().startswith("Hoàn thành 100%")
    assert page.locator("text=Đã niêm yết đủ 100% thủ tục").is_visible()
    checked(page, "ke-hoach-bao-cao-tien-do", screenshot)

    task.refresh_from_db()
    assert (task.status, task.percent) == (TaskStatus.DONE, 100)
    assert TaskProgress.objects.get().reported_by == portal["lead"]
    assert AuditEntry.objects.filter(action="báo cáo tiến độ", actor=portal["lead"]).count() == 1

    page.goto(f"{base}/ke-hoach/{plan.pk}/")
    assert page.locator(f"#nhiem-vu-{task.pk} .overdue-flag").count() == 0
    checked(page, "ke-hoach-sau-bao-cao", screenshot)
