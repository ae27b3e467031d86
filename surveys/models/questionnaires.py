"""Questionnaires as data (bộ câu hỏi, phần, yếu tố, câu hỏi, phương án) and the limits of the
slot storage every response is also written to.
"""
from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models

# A response keeps its answers a second time as one wide row of fixed slots (as LimeSurvey
# does), so that one grouped SQL pass of plain SUM/COUNT computes every index (surveys.questionnaires.scoring,
# indexes.gather). A questionnaire may use at most this many slots of each kind.
MAX_FACTORS = 7
MAX_CRITERIA = 40
# Option counts are packed: each bigint column `pNN` holds three 20-bit counters, one per option
# (or per "answered" of a multi-choice question), so SUM adds up three options at once. 20 bits
# allow a million respondents per agency × domain; 3 × 20 bits stay clear of the sign bit.
OPTION_COLUMNS = 30
FIELDS_PER_COLUMN = 3
FIELD_BITS = 20
# The version of that layout. A round whose responses were written in an older one (a database
# upgraded across a layout change, such as 0003's packed counters) has them rebuilt from its
# answer rows before its next computation (indexes.services.recompute_round).
# 2: the ratios of both readings of the SIPAS denominator (`ratio`/`fN` and `ratio_all`/`faN`).
SLOT_LAYOUT = 2


class Questionnaire(models.Model):
    """Phiếu điều tra xã hội học, as data. Locked once a round using it has responses."""

    code = models.CharField("mã bộ câu hỏi", max_length=50, unique=True)
    name = models.CharField("tên", max_length=255)
    description = models.TextField("ghi chú", blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies", verbose_name="sao chép từ"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A new random value with every change the builder makes (surveys.questionnaires.services),
    # so the cached definition (surveys.selectors.cached_definition) is keyed by what it holds.
    # Random, not a counter: a counter comes back to a value already used when a database is
    # restored or a transaction rolled back, and would find another content under that key.
    definition_version = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = "bộ câu hỏi"
        verbose_name_plural = "các bộ câu hỏi"

    def __str__(self) -> str:
        return self.code

    @property
    def is_locked(self) -> bool:
        # Through the reverse relations: this module comes before rounds and responses.
        return self.rounds.filter(responses__isnull=False).exists()


class Factor(models.Model):
    """Yếu tố (F1..F5): a group of satisfaction criteria."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="factors")
    code = models.CharField("mã yếu tố", max_length=10)
    name = models.CharField("tên yếu tố", max_length=255)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["questionnaire", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="uniq_factor_code")]
        verbose_name = "yếu tố"
        verbose_name_plural = "các yếu tố"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Section(models.Model):
    """Phần của phiếu (A, B, C, D)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField("mã phần", max_length=10)
    title = models.CharField("tiêu đề", max_length=255)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["questionnaire", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="uniq_section_code")]
        verbose_name = "phần"
        verbose_name_plural = "các phần"

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Chọn một"
    MULTI = "multi", "Chọn nhiều"
    SCALE = "scale", "Thang hài lòng 1–5"
    TEXT = "text", "Tự trả lời"


class Question(models.Model):
    """Câu hỏi. A scale question bound to a factor is a criterion (tiêu chí) of the index.

    Gating (điều kiện): when `condition_question` is set the question applies only if the
    respondent chose one of `condition_values` there (e.g. C5.* only when B7 = 1).
    """

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField("mã câu hỏi", max_length=20)
    text = models.TextField("nội dung")
    kind = models.CharField("loại", max_length=10, choices=QuestionKind.choices)
    max_choices = models.PositiveSmallIntegerField("số lựa chọn tối đa", null=True, blank=True)
    factor = models.ForeignKey(
        Factor, on_delete=models.PROTECT, null=True, blank=True, related_name="criteria", verbose_name="yếu tố"
    )
    condition_question = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="gated", verbose_name="chỉ hỏi khi câu"
    )
    condition_values = models.JSONField("có giá trị thuộc", default=list, blank=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["questionnaire", "order"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="uniq_question_code")]
        verbose_name = "câu hỏi"
        verbose_name_plural = "các câu hỏi"

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        if self.kind == QuestionKind.SCALE and self.factor_id is None:
            raise ValidationError({"factor": "Câu hỏi thang hài lòng phải gắn với một yếu tố."})
        if self.kind != QuestionKind.SCALE and self.factor_id is not None:
            raise ValidationError({"factor": "Chỉ câu hỏi thang hài lòng mới gắn với yếu tố."})
        if self.kind == QuestionKind.MULTI and not self.max_choices:
            raise ValidationError({"max_choices": "Câu hỏi chọn nhiều cần số lựa chọn tối đa."})
        if self.condition_question_id and not self.condition_values:
            raise ValidationError({"condition_values": "Cần ít nhất một giá trị điều kiện."})


class Option(models.Model):
    """Phương án trả lời: the number printed beside the box and keyed by the officer."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    value = models.PositiveSmallIntegerField("số phương án")
    label = models.CharField("nội dung", max_length=255)

    class Meta:
        ordering = ["question", "value"]
        constraints = [models.UniqueConstraint(fields=["question", "value"], name="uniq_option_value")]
        verbose_name = "phương án"
        verbose_name_plural = "các phương án"

    def __str__(self) -> str:
        return f"{self.value}. {self.label}"
