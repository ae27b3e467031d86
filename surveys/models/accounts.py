"""Officers (cán bộ) and the append-only audit trail (nhật ký)."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from .reference import Agency


class Officer(models.Model):
    """Cán bộ: the agency a user works for and the agencies they may key questionnaires for.

    Roles are Django groups (see surveys.accounts.access); this holds what scopes them.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="officers",
        verbose_name="cơ quan công tác",
    )
    entry_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="entry_officers", verbose_name="cơ quan được giao nhập phiếu"
    )
    phone = models.CharField("điện thoại", max_length=30, blank=True)

    class Meta:
        verbose_name = "cán bộ"
        verbose_name_plural = "các cán bộ"

    def __str__(self) -> str:
        return self.user.get_username()


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Nhật ký chỉ được ghi thêm, không được sửa.")

    def delete(self):
        raise PermissionError("Nhật ký chỉ được ghi thêm, không được xóa.")


class AuditEntry(models.Model):
    """Nhật ký: who did what, when, from where, with the values before and after.

    Append-only for everyone: the model refuses updates and deletes, the admin is read-only
    and, on PostgreSQL, a trigger refuses them at the database too.
    """

    at = models.DateTimeField("thời điểm", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        db_constraint=False, verbose_name="người thực hiện",
    )
    actor_name = models.CharField("tên người thực hiện", max_length=255, blank=True)
    ip = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True)
    action = models.CharField("hành động", max_length=60, db_index=True)
    target_type = models.CharField("loại đối tượng", max_length=60, blank=True, db_index=True)
    target_id = models.CharField("mã đối tượng", max_length=60, blank=True)
    target_repr = models.CharField("đối tượng", max_length=255, blank=True)
    round_code = models.CharField("đợt", max_length=30, blank=True, db_index=True)
    before = models.JSONField("trước", null=True, blank=True)
    after = models.JSONField("sau", null=True, blank=True)
    note = models.TextField("ghi chú", blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "mục nhật ký"
        verbose_name_plural = "nhật ký"

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_name} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Nhật ký chỉ được ghi thêm, không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Nhật ký chỉ được ghi thêm, không được xóa.")
