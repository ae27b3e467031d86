"""Sample frames (khung mẫu), their seeded draws and contacts: the only place personal data lives."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from .reference import Agency, Domain
from .responses import Response
from .rounds import SurveyRound


class SampleFrame(models.Model):
    """Khung mẫu: the list of people who completed procedures at an agency in the period,
    as the agency uploaded it. Personal data lives only here and in FrameContact."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="sample_frames")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan")
    filename = models.CharField("tệp", max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("tải lên lúc", auto_now_add=True)
    purged_at = models.DateTimeField("đã xoá thông tin cá nhân lúc", null=True, blank=True)

    class Meta:
        ordering = ["round", "agency__code", "-uploaded_at"]
        verbose_name = "khung mẫu"
        verbose_name_plural = "các khung mẫu"

    def __str__(self) -> str:
        return f"{self.round.code} / {self.agency.code} / {self.filename}"


class SampleDraw(models.Model):
    """Lần chọn mẫu: a seeded random draw, so that the same seed draws the same contacts."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="sample_draws")
    seed = models.BigIntegerField("hạt giống ngẫu nhiên")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField("chọn lúc", auto_now_add=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        ordering = ["round", "-drawn_at"]
        verbose_name = "lần chọn mẫu"
        verbose_name_plural = "các lần chọn mẫu"

    def __str__(self) -> str:
        return f"{self.round.code} / seed {self.seed}"


class ContactStatus(models.TextChoices):
    NOT_SENT = "not_sent", "Chưa gửi"
    SENT = "sent", "Đã gửi"
    RETURNED = "returned", "Đã thu về"
    REFUSED = "refused", "Từ chối"
    UNREACHABLE = "unreachable", "Không liên lạc được"


class FrameContact(models.Model):
    """One person of a sample frame. Drawn contacts get a questionnaire serial and an online token."""

    frame = models.ForeignKey(SampleFrame, on_delete=models.CASCADE, related_name="contacts")
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+", verbose_name="lĩnh vực")
    row_number = models.PositiveIntegerField("dòng trong tệp", default=0)
    full_name = models.CharField("họ và tên", max_length=255, blank=True)
    address = models.CharField("địa chỉ", max_length=500, blank=True)
    phone = models.CharField("điện thoại", max_length=30, blank=True)
    procedure = models.CharField("thủ tục hành chính", max_length=500, blank=True)
    completed_on = models.DateField("ngày trả kết quả", null=True, blank=True)
    draw = models.ForeignKey(SampleDraw, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts")
    # Null, not blank, until drawn: the serial is unique in the round only once given.
    ma_phieu = models.CharField("mã phiếu", max_length=50, null=True, blank=True)  # noqa: DJ001
    status = models.CharField("tình trạng", max_length=12, choices=ContactStatus.choices, default=ContactStatus.NOT_SENT)
    status_changed_at = models.DateTimeField("cập nhật tình trạng lúc", null=True, blank=True)
    token = models.CharField("mã trả lời trực tuyến", max_length=64, null=True, blank=True, unique=True)
    token_used_at = models.DateTimeField("đã dùng mã lúc", null=True, blank=True)
    response = models.OneToOneField(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="contact"
    )

    class Meta:
        ordering = ["frame", "row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "ma_phieu"], condition=models.Q(ma_phieu__isnull=False), name="uniq_contact_ma_phieu"
            )
        ]
        indexes = [models.Index(fields=["round", "agency", "domain"], name="contact_round_scope")]
        verbose_name = "người trong khung mẫu"
        verbose_name_plural = "những người trong khung mẫu"

    def __str__(self) -> str:
        return f"{self.frame} #{self.row_number}"
