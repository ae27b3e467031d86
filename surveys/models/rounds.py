"""Survey rounds (đợt khảo sát): status and its history, the participating agencies and their
domains with quotas.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .questionnaires import SLOT_LAYOUT, Questionnaire
from .reference import Agency, Domain, Level


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "Nháp"
    COLLECTING = "collecting", "Đang thu thập"
    CLOSED = "closed", "Đã đóng"
    PUBLISHED = "published", "Đã công bố"


class SipasDenominator(models.TextChoices):
    """Cách đọc mẫu số a_i của SIPAS và chỉ số yếu tố (methodology §2).

    `applicable` is the Đề án's: "tổng số câu hỏi hài lòng mà mỗi người phải trả lời", a blank
    answer to a question that applies counts in a_i; `answered` leaves blanks out."""

    APPLICABLE = "applicable", "Mọi câu hỏi hài lòng người trả lời phải trả lời (theo Đề án)"
    ANSWERED = "answered", "Chỉ các câu hỏi hài lòng đã trả lời (bỏ câu để trống)"


class SurveyRound(models.Model):
    """Đợt khảo sát. `data_version` grows with every change to its responses;
    `computed_version` is the version the stored indexes were computed from."""

    code = models.CharField("mã đợt", max_length=30, unique=True)
    name = models.CharField("tên đợt", max_length=255)
    year = models.PositiveSmallIntegerField("năm")
    province_name = models.CharField("tên tỉnh", max_length=100, default="Tỉnh Lạng Sơn")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="rounds", verbose_name="bộ câu hỏi"
    )
    starts_on = models.DateField("bắt đầu thu thập")
    ends_on = models.DateField("kết thúc thu thập")
    status = models.CharField("trạng thái", max_length=12, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    data_version = models.PositiveBigIntegerField(default=0, editable=False)
    computed_version = models.PositiveBigIntegerField(default=0, editable=False)
    computed_at = models.DateTimeField("tính lần cuối", null=True, blank=True, editable=False)
    segregate_duties = models.BooleanField(
        "không cho cán bộ nhập phiếu về chính cơ quan mình",
        default=True,
        help_text="Phân tách nhiệm vụ: cán bộ không nhập, sửa phiếu đánh giá cơ quan nơi mình công tác.",
    )
    enforce_quota = models.BooleanField(
        "không nhận phiếu vượt chỉ tiêu",
        default=False,
        help_text="Khi bật, phiếu của cơ quan × lĩnh vực đã đủ chỉ tiêu bị từ chối.",
    )
    double_entry_percent = models.PositiveSmallIntegerField(
        "tỷ lệ phiếu giấy nhập hai lần (%)",
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="0 = không nhập lần hai; 100 = mọi phiếu giấy. Phiếu được chọn ngẫu nhiên khi nhập lần đầu.",
    )
    online_enabled = models.BooleanField("cho phép trả lời trực tuyến", default=True)
    slot_layout = models.PositiveSmallIntegerField(default=SLOT_LAYOUT, editable=False)
    sipas_denominator = models.CharField(
        "mẫu số của SIPAS và chỉ số yếu tố",
        max_length=10,
        choices=SipasDenominator.choices,
        default=SipasDenominator.APPLICABLE,
        help_text="Đề án: a là tổng số câu hỏi hài lòng mà mỗi người phải trả lời. Không đổi được sau khi công bố.",
    )
    small_sample_threshold = models.PositiveSmallIntegerField(
        "ngưỡng mẫu nhỏ (số phiếu)",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Số liệu tính trên ít phiếu hơn ngưỡng này được đánh dấu “mẫu nhỏ”.",
    )
    rank_communes = models.BooleanField(
        "xếp hạng, chấm điểm từng xã",
        default=False,
        help_text="Đề án so sánh các sở và UBND cấp huyện; xã chỉ được xếp hạng từng xã khi bật.",
    )

    class Meta:
        ordering = ["-year", "code"]
        permissions = [
            ("manage_rounds", "Quản lý đợt khảo sát, bộ câu hỏi, chỉ tiêu"),
            ("enter_responses", "Nhập phiếu cho các cơ quan được giao"),
            ("enter_any_agency", "Nhập và kiểm tra phiếu của mọi cơ quan"),
            ("view_all_results", "Xem kết quả của mọi cơ quan"),
            ("view_own_results", "Xem kết quả của cơ quan mình"),
            ("download_reports", "Tải báo cáo"),
            ("supervise", "Giám sát: xem phiếu (không có thông tin cá nhân), nhật ký và cách tính chỉ số"),
            ("manage_users", "Quản lý người dùng và phân quyền"),
            ("recompute_indexes", "Yêu cầu tính lại chỉ số"),
        ]
        verbose_name = "đợt khảo sát"
        verbose_name_plural = "các đợt khảo sát"

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def is_stale(self) -> bool:
        return self.computed_version < self.data_version

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "Ngày kết thúc phải sau ngày bắt đầu."})


class RoundStatusChange(models.Model):
    """Chuyển trạng thái đợt: who moved the round from which status to which, and why.

    Reopening a closed round requires a reason; every change is kept here besides the audit log.
    """

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField("từ trạng thái", max_length=12, choices=RoundStatus.choices)
    to_status = models.CharField("sang trạng thái", max_length=12, choices=RoundStatus.choices)
    reason = models.TextField("lý do", blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField("thời điểm", auto_now_add=True)

    class Meta:
        ordering = ["round", "-changed_at"]
        verbose_name = "chuyển trạng thái đợt"
        verbose_name_plural = "các lần chuyển trạng thái đợt"

    def __str__(self) -> str:
        return f"{self.round.code}: {self.from_status} → {self.to_status}"


class RoundAgency(models.Model):
    """A participating agency in a round, with its place in the round's tree and its quota.

    Level and parent are copied here so that an old round keeps reporting on the tree it was
    run on, whatever later reorganisation (such as the two-tier reform of 1 July 2025) does.
    """

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="round_agencies")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="round_entries")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+", verbose_name="cấp")
    parent = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="thuộc"
    )
    quota = models.PositiveIntegerField("chỉ tiêu phiếu", default=0)

    class Meta:
        ordering = ["round", "level__order", "agency__code"]
        constraints = [models.UniqueConstraint(fields=["round", "agency"], name="uniq_round_agency")]
        verbose_name = "cơ quan tham gia đợt"
        verbose_name_plural = "các cơ quan tham gia đợt"

    def __str__(self) -> str:
        return f"{self.round.code} / {self.agency.code}"


class RoundAgencyDomain(models.Model):
    """A domain an agency surveys in a round, with its quota (chỉ tiêu theo lĩnh vực)."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="agency_domains")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+")
    quota = models.PositiveIntegerField("chỉ tiêu phiếu", default=0)

    class Meta:
        ordering = ["round", "agency__code", "domain__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "agency", "domain"], name="uniq_round_agency_domain")
        ]
        verbose_name = "lĩnh vực khảo sát của cơ quan"
        verbose_name_plural = "lĩnh vực khảo sát của các cơ quan"

    def __str__(self) -> str:
        return f"{self.round.code} / {self.agency.code} / {self.domain.code}"
