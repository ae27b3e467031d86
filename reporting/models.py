"""The annual report: staff prose per round and section, and the generated versions."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from surveys.models import SurveyRound


class ReportSection(models.TextChoices):
    """Prose sections of the report that staff write (the numbers come from the round)."""

    INTRODUCTION = "gioi_thieu", "Giới thiệu chung (mục tiêu, đối tượng, phạm vi, nội dung, phương pháp)"
    RESPONSIBILITIES = "trach_nhiem", "Trách nhiệm thực hiện"
    RESOURCES = "nguon_luc", "Triển khai, bố trí nguồn lực"
    ANALYSIS = "phan_tich", "Phân tích, đánh giá kết quả"
    STRENGTHS = "uu_diem", "Ưu điểm"
    WEAKNESSES = "han_che", "Hạn chế và nguyên nhân"
    LESSONS = "bai_hoc", "Bài học kinh nghiệm, giải pháp"
    PROPOSALS = "kien_nghi", "Đề xuất, kiến nghị"


class ReportText(models.Model):
    """One prose section of a round's report, as staff last saved it."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="report_texts")
    section_key = models.CharField("phần", max_length=20, choices=ReportSection.choices)
    body = models.TextField("nội dung", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "section_key"], name="uniq_report_text")]
        verbose_name = "nội dung báo cáo"
        verbose_name_plural = "nội dung báo cáo"

    def __str__(self) -> str:
        return f"{self.round.code} {self.section_key}"


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ"
    RUNNING = "running", "Đang tạo"
    DONE = "done", "Hoàn thành"
    FAILED = "failed", "Lỗi"


def report_upload_to(instance: ReportVersion, filename: str) -> str:
    return f"reports/{instance.round.code}/{filename}"


class ReportVersion(models.Model):
    """A generated report file: a dated version of the round's report, kept for download.

    Files live under MEDIA_ROOT/reports/, which is never served directly: only the
    permission-checked download views read them."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="report_versions")
    format = models.CharField("định dạng", max_length=4, choices=ReportFormat.choices)
    status = models.CharField("trạng thái", max_length=8, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    error = models.TextField("lỗi", blank=True)
    file = models.FileField("tệp", upload_to=report_upload_to, blank=True, max_length=255)
    size = models.PositiveIntegerField("kích thước (byte)", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "phiên bản báo cáo"
        verbose_name_plural = "các phiên bản báo cáo"

    def __str__(self) -> str:
        return f"{self.round.code} {self.format} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

    def download_name(self) -> str:
        stamp = self.created_at.strftime("%Y%m%d-%H%M") if self.created_at else "moi"
        return f"bao-cao-SIPAS-{self.round.code}-{stamp}-v{self.pk}.{self.format}"
