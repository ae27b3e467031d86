"""Reference data: administrative levels (cấp), agencies (cơ quan) and service domains (lĩnh vực)."""
from __future__ import annotations

from django.db import models


class Level(models.Model):
    """Cấp hành chính: SO, HUYEN, XA for three-tier rounds; a two-tier round defines its own."""

    code = models.CharField("mã cấp", max_length=20, unique=True)
    name = models.CharField("tên cấp", max_length=100)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "cấp"
        verbose_name_plural = "các cấp"

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """Cơ quan: a sở, a district people's committee or a commune. Its current place in the
    tree; each round keeps its own snapshot in RoundAgency, so history never moves."""

    code = models.CharField("mã cơ quan", max_length=30, unique=True)
    name = models.CharField("tên cơ quan", max_length=255)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="agencies", verbose_name="cấp")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="thuộc"
    )
    is_active = models.BooleanField("đang hoạt động", default=True)

    class Meta:
        ordering = ["level__order", "code"]
        verbose_name = "cơ quan"
        verbose_name_plural = "các cơ quan"

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Domain(models.Model):
    """Lĩnh vực thủ tục hành chính."""

    code = models.CharField("mã lĩnh vực", max_length=30, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=255)

    class Meta:
        ordering = ["code"]
        verbose_name = "lĩnh vực"
        verbose_name_plural = "các lĩnh vực"

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"
