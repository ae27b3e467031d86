"""Responses (phiếu): answers, their slot columns, double entry and quality flags."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from .questionnaires import MAX_CRITERIA, MAX_FACTORS, OPTION_COLUMNS, Question
from .reference import Agency, Domain
from .rounds import SurveyRound


class Channel(models.TextChoices):
    """Kênh thu thập phiếu."""

    TRUC_TIEP = "TRUC_TIEP", "Phát phiếu trực tiếp"
    BUU_DIEN = "BUU_DIEN", "Qua bưu điện"
    PHONG_VAN = "PHONG_VAN", "Phỏng vấn trực tiếp"
    TRUC_TUYEN = "TRUC_TUYEN", "Khảo sát trực tuyến"
    DIEN_THOAI = "DIEN_THOAI", "Qua điện thoại, tin nhắn"
    EMAIL = "EMAIL", "Qua thư điện tử"


class Verification(models.TextChoices):
    """Nhập kép: where a paper questionnaire stands in the double-entry check."""

    NOT_REQUIRED = "none", "Không cần nhập lần hai"
    PENDING = "pending", "Chờ nhập lần hai"
    MISMATCH = "mismatch", "Có khác biệt, chờ đối chiếu"
    VERIFIED = "verified", "Đã đối chiếu"


COUNTED_VERIFICATIONS = (Verification.NOT_REQUIRED, Verification.VERIFIED)


class ResponseQuerySet(models.QuerySet):
    def counted(self) -> ResponseQuerySet:
        """Phiếu được tính vào chỉ số: all but those still waiting for their double-entry check."""
        return self.filter(verification__in=COUNTED_VERIFICATIONS)


class Response(models.Model):
    """Phiếu đã thu: one respondent's questionnaire about one agency and one domain.

    Besides the Answer rows (the record), the same transaction writes derived slot columns
    (surveys.questionnaires.scoring): `ratio` = b_i/a_i, `f1`… = b_ik/a_ik per factor (a = answered
    questions), `ratio_all`, `fa1`… the same with a = applicable questions, `c01`… = the 1–5 answer
    of each criterion that applies, `p01`… = the chosen options of the single- and
    multi-choice questions as packed counters. Indexes read only these columns.
    """

    round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="responses")
    ma_phieu = models.CharField("mã phiếu", max_length=50)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="responses")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="responses")
    channel = models.CharField("kênh", max_length=12, choices=Channel.choices)
    surveyed_on = models.DateField("ngày khảo sát")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField("nhập lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)
    # Whoever last edited it after the first entry: in double entry they, like the first
    # officer, may neither key it the second time nor resolve its differences.
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="người sửa lần cuối",
    )
    verification = models.CharField(
        "nhập kép", max_length=10, choices=Verification.choices, default=Verification.NOT_REQUIRED
    )
    # Online answers carry the key of the form they came from, so a double click or a resent
    # form cannot create a second questionnaire.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    ratio = models.FloatField(null=True, editable=False)
    for _k in range(1, MAX_FACTORS + 1):
        vars()[f"f{_k}"] = models.FloatField(null=True, editable=False)
    # The same ratios over every applicable question, blanks included (the Đề án's reading).
    ratio_all = models.FloatField(null=True, editable=False)
    for _k in range(1, MAX_FACTORS + 1):
        vars()[f"fa{_k}"] = models.FloatField(null=True, editable=False)
    for _k in range(1, MAX_CRITERIA + 1):
        vars()[f"c{_k:02d}"] = models.PositiveSmallIntegerField(null=True, editable=False)
    for _k in range(1, OPTION_COLUMNS + 1):
        vars()[f"p{_k:02d}"] = models.BigIntegerField(default=0, editable=False)
    del _k

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["round", "ma_phieu"]
        constraints = [models.UniqueConstraint(fields=["round", "ma_phieu"], name="uniq_round_ma_phieu")]
        indexes = [
            # Scope lookups (quota counts) and the near-duplicate check's recent entries.
            models.Index(fields=["round", "agency", "domain", "entered_at"], name="response_scope_entered"),
            # The few questionnaires still in the double-entry check, without scanning the round.
            models.Index(fields=["round"], condition=~models.Q(verification="none"), name="response_to_verify"),
        ]
        verbose_name = "phiếu"
        verbose_name_plural = "các phiếu"

    def __str__(self) -> str:
        return self.ma_phieu


class Answer(models.Model):
    """Câu trả lời. A multi-choice answer is one row per chosen option; text answers keep
    their text. Blank answers are not stored."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["response", "question__order", "value"]
        constraints = [models.UniqueConstraint(fields=["response", "question", "value"], name="uniq_answer")]
        verbose_name = "câu trả lời"
        verbose_name_plural = "các câu trả lời"

    def __str__(self) -> str:
        return f"{self.question.code}={self.value if self.value is not None else self.text}"


class SecondEntry(models.Model):
    """Lần nhập thứ hai of a paper questionnaire, by another officer, kept as keyed.

    `answers` maps question codes to what was typed (an option number, a list for multi-choice,
    text); comparing it with the first entry lists the differences a supervisor resolves
    against the paper.
    """

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="second_entry")
    answers = models.JSONField("câu trả lời nhập lần hai", default=dict)
    meta = models.JSONField("thông tin phiếu nhập lần hai", default=dict, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField("nhập lúc", auto_now_add=True)
    differences = models.PositiveSmallIntegerField("số câu khác nhau", default=0)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField("đối chiếu lúc", null=True, blank=True)
    resolution_note = models.TextField("ghi chú đối chiếu", blank=True)

    class Meta:
        verbose_name = "phiếu nhập lần hai"
        verbose_name_plural = "các phiếu nhập lần hai"

    def __str__(self) -> str:
        return f"{self.response.ma_phieu} (lần 2)"


class FlagKind(models.TextChoices):
    NEAR_DUPLICATE = "near_duplicate", "Gần trùng với phiếu khác"
    STRAIGHT_LINING = "straight_line", "Trả lời cùng một mức cho mọi tiêu chí"


class ResponseFlag(models.Model):
    """Cảnh báo chất lượng: a questionnaire set aside for a person to look at, never dropped."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField("loại cảnh báo", max_length=20, choices=FlagKind.choices)
    related = models.ForeignKey(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="phiếu liên quan"
    )
    detail = models.CharField("chi tiết", max_length=255, blank=True)
    created_at = models.DateTimeField("phát hiện lúc", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField("xem xét lúc", null=True, blank=True)
    review_note = models.TextField("kết luận", blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["response", "kind"], name="uniq_response_flag")]
        verbose_name = "cảnh báo chất lượng phiếu"
        verbose_name_plural = "các cảnh báo chất lượng phiếu"

    def __str__(self) -> str:
        return f"{self.response.ma_phieu}: {self.get_kind_display()}"
