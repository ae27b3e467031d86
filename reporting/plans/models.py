"""Kế hoạch cải thiện chỉ số SIPAS (improvement plans) and their tasks and progress reports.

A plan answers one round's results, as the provinces' "Kế hoạch … nâng cao Chỉ số SIPAS" do:
tasks (nhiệm vụ, giải pháp) grouped under factor headings, each with a lead agency (cơ quan
chủ trì), cooperating agencies (cơ quan phối hợp), a deadline (thời gian hoàn thành, often a
quarter), a funding source (kinh phí) and an expected output (sản phẩm); lead agencies report
progress periodically.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models

from surveys.models import Agency, SurveyRound

from . import deadlines


class DeadlineKind(models.TextChoices):
    QUARTER = deadlines.QUARTER, "Theo quý"
    YEAR = deadlines.YEAR, "Trong năm"
    DATE = deadlines.DATE, "Đến ngày"
    ONGOING = deadlines.ONGOING, "Thường xuyên"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Chưa thực hiện"
    IN_PROGRESS = "in_progress", "Đang thực hiện"
    DONE = "done", "Hoàn thành"


class ImprovementPlan(models.Model):
    """Kế hoạch: its number and date are those printed on the appendix ("Kèm theo Kế hoạch số …")."""

    round = models.ForeignKey(
        SurveyRound, on_delete=models.PROTECT, related_name="improvement_plans", verbose_name="đợt khảo sát"
    )
    number = models.CharField("số, ký hiệu", max_length=50, help_text="Ví dụ: 156/KH-UBND")
    title = models.CharField("trích yếu", max_length=500)
    issued_on = models.DateField("ngày ban hành")
    issuer = models.CharField("cơ quan ban hành", max_length=255, help_text="Ví dụ: Ủy ban nhân dân tỉnh Lạng Sơn")
    place = models.CharField("địa danh", max_length=100, blank=True, help_text="Ví dụ: Lạng Sơn")
    appendix_title = models.CharField(
        "tên phụ lục", max_length=500, blank=True,
        help_text="Để trống: “Nhiệm vụ, giải pháp nâng cao Chỉ số SIPAS năm …”",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="người tạo",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="uniq_plan_round_number")]
        verbose_name = "kế hoạch cải thiện"
        verbose_name_plural = "các kế hoạch cải thiện"

    def __str__(self) -> str:
        return f"Kế hoạch số {self.number}"

    @property
    def appendix_heading(self) -> str:
        return self.appendix_title or f"Nhiệm vụ, giải pháp nâng cao Chỉ số SIPAS năm {self.round.year + 1}"


class PlanTask(models.Model):
    """Nhiệm vụ, giải pháp. `status`, `percent` and `last_reported_on` repeat the latest progress
    report so that overdue tasks are one indexed query."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveIntegerField("thứ tự", default=0)
    group = models.CharField(
        "nhóm (đề mục)", max_length=255, blank=True,
        help_text="Đề mục in trong phụ lục, ví dụ “Yếu tố: Tiếp cận dịch vụ”.",
    )
    content = models.TextField("nhiệm vụ, giải pháp")
    factor_codes = models.JSONField("yếu tố hướng tới", default=list, blank=True)
    criterion_codes = models.JSONField("tiêu chí hướng tới", default=list, blank=True)
    lead_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="led_plan_tasks", verbose_name="cơ quan chủ trì"
    )
    cooperating_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="cooperating_plan_tasks", verbose_name="cơ quan phối hợp"
    )
    cooperating_other = models.CharField(
        "đơn vị phối hợp khác", max_length=500, blank=True,
        help_text="Ví dụ: “Các cơ quan, đơn vị có liên quan”.",
    )
    deadline_kind = models.CharField("loại thời hạn", max_length=10, choices=DeadlineKind.choices)
    deadline_quarter = models.PositiveSmallIntegerField("quý", null=True, blank=True)
    deadline_year = models.PositiveSmallIntegerField("năm", null=True, blank=True)
    deadline_date = models.DateField(
        "hạn hoàn thành", null=True, blank=True, db_index=True,
        help_text="Ngày cuối của quý hoặc năm được tính tự động; trống với nhiệm vụ thường xuyên.",
    )
    funding = models.CharField("kinh phí", max_length=500, blank=True)
    expected_output = models.TextField("sản phẩm", blank=True)
    status = models.CharField("tình trạng", max_length=12, choices=TaskStatus.choices,
                              default=TaskStatus.NOT_STARTED)
    percent = models.PositiveSmallIntegerField("tỷ lệ hoàn thành (%)", default=0)
    last_reported_on = models.DateField("báo cáo gần nhất", null=True, blank=True)

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "các nhiệm vụ"

    def __str__(self) -> str:
        text = " ".join(self.content.split())
        return f"{self.plan.number} · {self.order}. {text[:80]}"

    def save(self, *args, **kwargs):
        # The due day always follows the kind, quarter and year, whoever saves the task.
        if self.deadline_kind != DeadlineKind.DATE:
            self.deadline_date = self.deadline.due
        super().save(*args, **kwargs)

    @property
    def deadline(self) -> deadlines.Deadline:
        return deadlines.Deadline(self.deadline_kind, quarter=self.deadline_quarter, year=self.deadline_year,
                                  date=self.deadline_date)

    @property
    def deadline_label(self) -> str:
        return self.deadline.label

    @property
    def is_done(self) -> bool:
        return self.status == TaskStatus.DONE

    def is_overdue(self, today) -> bool:
        return deadlines.is_overdue(self.deadline_date, done=self.is_done, today=today)


class TaskProgress(models.Model):
    """Báo cáo tiến độ of one task by its lead agency."""

    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="progress_reports")
    reported_on = models.DateField("ngày báo cáo")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="người báo cáo",
    )
    reporter_name = models.CharField("tên người báo cáo", max_length=255, blank=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan báo cáo"
    )
    status = models.CharField("tình trạng", max_length=12, choices=TaskStatus.choices)
    percent = models.PositiveSmallIntegerField("tỷ lệ hoàn thành (%)")
    note = models.TextField("kết quả, khó khăn, kiến nghị", blank=True)
    created_at = models.DateTimeField("ghi lúc", auto_now_add=True)

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = "báo cáo tiến độ"
        verbose_name_plural = "các báo cáo tiến độ"

    def __str__(self) -> str:
        return f"{self.reported_on:%d/%m/%Y} {self.get_status_display()} {self.percent}%"
