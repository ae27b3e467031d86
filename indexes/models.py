"""Stored index results per round and scope, and the published reference figures."""
from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from surveys.models import Domain, SurveyRound


class Scope(models.TextChoices):
    """Phạm vi tính chỉ số (methodology §3)."""

    PROVINCE = "province", "Toàn tỉnh"
    LEVEL = "level", "Cấp"
    AGENCY = "agency", "Cơ quan"
    DISTRICT_AREA = "district_area", "Địa bàn huyện"
    DOMAIN = "domain", "Lĩnh vực"
    AGENCY_DOMAIN = "agency_domain", "Cơ quan × lĩnh vực"


class IndexResult(models.Model):
    """Every index of one scope of a round, unrounded, as the engine computed it."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="index_results")
    scope = models.CharField("phạm vi", max_length=20, choices=Scope.choices)
    code = models.CharField("mã", max_length=80, blank=True)  # "" for the province
    name = models.CharField("tên", max_length=255)
    order = models.PositiveIntegerField(default=0)
    n = models.PositiveIntegerField("số phiếu hợp lệ")
    sipas = models.FloatField("SIPAS", null=True)
    factors = models.JSONField(default=dict)
    factors_n = models.JSONField(default=dict)
    criteria = models.JSONField(default=dict)
    criteria_n = models.JSONField(default=dict)
    shares = models.JSONField(default=dict)
    intervals = models.JSONField("khoảng tin cậy 95%", default=dict)

    class Meta:
        ordering = ["round", "order"]
        constraints = [models.UniqueConstraint(fields=["round", "scope", "code"], name="uniq_index_result")]
        verbose_name = "kết quả chỉ số"
        verbose_name_plural = "kết quả chỉ số"

    def __str__(self) -> str:
        return f"{self.round.code} {self.scope} {self.code}"


class PublishedResult(models.Model):
    """Kết quả SIPAS đã công bố (Bộ Nội vụ) of a province in a year, for trends."""

    province_name = models.CharField("tỉnh", max_length=100)
    year = models.PositiveSmallIntegerField("năm")
    sipas = models.DecimalField("SIPAS (%)", max_digits=5, decimal_places=2)
    national_rank = models.PositiveSmallIntegerField("xếp hạng", null=True, blank=True)
    national_total = models.PositiveSmallIntegerField("trên tổng số tỉnh", null=True, blank=True)
    source = models.CharField("nguồn", max_length=255, blank=True)

    class Meta:
        ordering = ["province_name", "year"]
        constraints = [models.UniqueConstraint(fields=["province_name", "year"], name="uniq_published_result")]
        verbose_name = "kết quả đã công bố"
        verbose_name_plural = "kết quả đã công bố"

    def __str__(self) -> str:
        return f"{self.province_name} {self.year}: {self.sipas}%"


class RoundTargets(models.Model):
    """Chỉ tiêu (targets) a round's results are held against, editable per round by Sở Nội vụ
    staff: SIPAS of the province, each level and each agency against `sipas`; the chosen
    domains (land, construction, investment by default) against `domain`."""

    round = models.OneToOneField(SurveyRound, on_delete=models.CASCADE, related_name="targets")
    sipas = models.DecimalField(
        "chỉ tiêu SIPAS (%)", max_digits=5, decimal_places=2, default=90,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    domain = models.DecimalField(
        "chỉ tiêu của các lĩnh vực trọng điểm (%)", max_digits=5, decimal_places=2, default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    domains = models.ManyToManyField(Domain, blank=True, related_name="+", verbose_name="lĩnh vực trọng điểm")
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "chỉ tiêu của đợt"
        verbose_name_plural = "chỉ tiêu của các đợt"

    def __str__(self) -> str:
        return f"{self.round.code}: SIPAS ≥ {self.sipas}%"
