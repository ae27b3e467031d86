"""Nhật ký kiểm tra (audit trail): one append-only row for every change.

Services call `record` for the actions they perform (an import, an edited questionnaire with
its old and new answers, a recomputation, a report), always with the actor they were given —
a command, a shell or a Celery task has no request to take one from. Saves and deletes of the
configuration models — from the portal, the admin or a shell — are caught by the signal
handlers below, with the values before and after; their actor is the one a service declared
with `acting_as`, else (the admin site) the request's user. `AuditContextMiddleware` makes the
current request's address and user known without passing the request around.
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse

from surveys.models import (
    Agency,
    AuditEntry,
    Domain,
    Factor,
    Level,
    Officer,
    Option,
    Question,
    Questionnaire,
    RoundAgency,
    RoundAgencyDomain,
    Section,
    SurveyRound,
)

_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("audit_request", default=None)
T = TypeVar("T")
# The actor a service declared for the signal-driven rows its saves produce (see acting_as).
_service_actor: contextvars.ContextVar[tuple[AbstractBaseUser | None] | None] = contextvars.ContextVar(
    "audit_service_actor", default=None
)

# Fields never copied into the trail.
SECRET_FIELDS = {"password", "last_login"}
# Derived or bookkeeping fields whose changes are not user actions.
QUIET_FIELDS = {"data_version", "computed_version", "computed_at"}


class AuditAction(models.TextChoices):
    """Hành động in the trail: every action a row may name, stored as its Vietnamese text (what
    the trail has always stored, so older rows read the same). `record` refuses any other."""

    CREATE = "tạo"
    UPDATE = "sửa"
    DELETE = "xóa"
    ASSIGN_ROLES = "phân quyền"
    LOGIN = "đăng nhập"
    LOGOUT = "đăng xuất"
    LOGIN_FAILED = "đăng nhập sai"
    PASSWORD_CHANGED = "đổi mật khẩu"
    PASSWORD_RESET = "đặt lại mật khẩu"
    LOGOUT_EVERYWHERE = "đăng xuất mọi nơi"
    LOGIN_UNLOCKED = "mở khóa đăng nhập"
    ROUND_CREATED = "tạo đợt"
    ROUND_STATUS_CHANGED = "chuyển trạng thái"
    QUOTAS_CHANGED = "sửa chỉ tiêu"
    QUESTIONNAIRE_COPIED = "sao chép bộ câu hỏi"
    PAPER_PRINTED = "in phiếu giấy"
    PAPER_REPRINTED = "in phiếu giấy (in lại)"
    RESPONSE_ENTERED = "nhập phiếu"
    RESPONSE_EDITED = "sửa phiếu"
    WORKBOOK_IMPORTED = "nhập bảng tính"
    SECOND_ENTRY = "nhập lần hai"
    DOUBLE_ENTRY_RESOLVED = "đối chiếu nhập kép"
    DOUBLE_ENTRY_REOPENED = "trả về chờ kiểm tra nhập kép"
    RESPONSE_FLAGGED = "cảnh báo phiếu"
    FLAG_REVIEWED = "xem xét cảnh báo"
    FRAME_UPLOADED = "tải khung mẫu"
    FRAME_DELETED = "xoá khung mẫu"
    SAMPLE_DRAWN = "chọn mẫu"
    CONTACT_RETURNED = "thu về phiếu"
    CONTACT_STATUS_UPDATED = "cập nhật tình trạng"
    FRAMES_PURGED = "xoá thông tin cá nhân"
    PAPER_FOR_CONTACTS = "in phiếu cho người được chọn"
    INDEXES_RECOMPUTED = "tính lại chỉ số"
    TARGETS_SET = "đặt chỉ tiêu kết quả"
    REPORT_TEXT_EDITED = "sửa nội dung báo cáo"
    REPORT_DRAFTED = "tạo bản nháp báo cáo từ số liệu"
    REPORT_REQUESTED = "yêu cầu tạo báo cáo"
    REPORT_BUILT = "tạo xong báo cáo"
    REPORT_BUILT_BY_COMMAND = "tạo báo cáo (dòng lệnh)"
    PROGRESS_REPORTED = "báo cáo tiến độ"
    DOWNLOAD_REPORT = "tải báo cáo"
    DOWNLOAD_FLAGS = "tải cảnh báo chất lượng"
    DOWNLOAD_CONTACTS = "tải danh sách người được chọn"
    DOWNLOAD_MAILING_LIST = "tải danh sách gửi thư"
    DOWNLOAD_PHONE_LIST = "tải danh sách điện thoại"
    DOWNLOAD_RESPONSES = "tải danh sách phiếu"
    DOWNLOAD_RESPONSE_DATA = "tải dữ liệu phiếu"
    DOWNLOAD_MISMATCHES = "tải khác biệt nhập kép"
    DOWNLOAD_AUDIT = "tải nhật ký"
    DOWNLOAD_AGREEMENT = "tải tỷ lệ khớp nhập kép"


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _plain(value: Any) -> Any:
    """A JSON-safe copy of a field value."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The instance's own field values (no many-to-many), secrets left out."""
    data = model_to_dict(instance, fields=[f.name for f in instance._meta.concrete_fields])
    return {k: _plain(v) for k, v in data.items() if k not in SECRET_FIELDS}


ACTION_MAX_LENGTH = AuditEntry._meta.get_field("action").max_length


@contextlib.contextmanager
def acting_as(actor: AbstractBaseUser | None) -> Iterator[None]:
    """Within a service: the configuration rows its saves produce (signal handlers below) name
    `actor`, whether it runs in a request, a command, a shell or a task."""
    token = _service_actor.set((actor,))
    try:
        yield
    finally:
        _service_actor.reset(token)


def signal_rows_by(actor_keyword: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorates a service that saves configuration models: the rows their signals write name
    the actor the service was given as `actor_keyword` (a required keyword of the service)."""

    def decorate(service: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(service)
        def run(*args: Any, **kwargs: Any) -> T:
            with acting_as(kwargs[actor_keyword]):
                return service(*args, **kwargs)

        return run

    return decorate


def signal_actor() -> AbstractBaseUser | None:
    """Who made a change caught by a signal: the actor a service declared, else — for the admin
    site, the only place that saves configuration models without a service — the request's user."""
    declared = _service_actor.get()
    if declared is not None:
        return declared[0]
    request = _request.get()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def record(
    *,
    action: AuditAction,
    actor: AbstractBaseUser | None,
    target: models.Model | None = None,
    target_type: str = "",
    target_repr: str = "",
    round_code: str = "",
    before: Any = None,
    after: Any = None,
    note: str = "",
) -> AuditEntry:
    """Ghi một mục nhật ký by `actor` (None: the system, or an anonymous citizen online). The
    actor is always the caller's to say, never taken from a request; the address is the
    current request's, if any."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}: add it to AuditAction")
    request = _request.get()
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=(actor.get_full_name() or actor.get_username()) if actor else "hệ thống",
        ip=client_ip(request),
        action=action,
        target_type=target_type or (target._meta.label if target is not None else ""),
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_repr=(target_repr or (str(target) if target is not None else ""))[:255],
        round_code=round_code,
        before=_plain(before),
        after=_plain(after),
        note=note,
    )


def record_download(
    *,
    actor: AbstractBaseUser | None,
    action: AuditAction,
    target: models.Model | None = None,
    target_type: str = "",
    target_repr: str = "",
    round_code: str = "",
    after: Any = None,
    note: str = "",
) -> AuditEntry:
    """Ghi một lượt tải tệp: every file that leaves the portal is one row of a download action
    (AuditAction.DOWNLOAD_*), so the trail can be searched for all of them."""
    if not action.name.startswith("DOWNLOAD_"):
        raise ValueError(f"{action!r} is not a download action")
    return record(action=action, actor=actor, target=target, target_type=target_type,
                  target_repr=target_repr, round_code=round_code, after=after, note=note)


# ---- configuration models: every save and delete, wherever it comes from -------------------

TRACKED_MODELS = (
    Level, Agency, Domain, Questionnaire, Section, Factor, Question, Option,
    SurveyRound, RoundAgency, RoundAgencyDomain, Officer, Group, get_user_model(),
)


def _round_code(instance: models.Model) -> str:
    if isinstance(instance, SurveyRound):
        return instance.code
    survey_round = getattr(instance, "round", None)
    return survey_round.code if isinstance(survey_round, SurveyRound) else ""


def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    previous = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(previous) if previous is not None else None


def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    after = snapshot(instance)
    before = None if created else getattr(instance, "_audit_before", None)
    if before is not None:
        changed = {k for k in after if before.get(k) != after.get(k)} - QUIET_FIELDS
        if not changed:
            return
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after[k] for k in sorted(changed)}
    record(action=AuditAction.CREATE if created else "sửa", actor=signal_actor(), target=instance,
           round_code=_round_code(instance), before=before, after=after)


def _record_delete(sender, instance, **kwargs):
    record(action=AuditAction.DELETE, actor=signal_actor(), target=instance, round_code=_round_code(instance),
           before=snapshot(instance))


# Connected per tracked model: a receiver for every sender would make each bulk delete of other
# models (stored index results, say) fetch its rows one by one to send signals.
for _model in TRACKED_MODELS:
    pre_save.connect(_remember_before, sender=_model, dispatch_uid=f"audit-before-{_model._meta.label}")
    post_save.connect(_record_save, sender=_model, dispatch_uid=f"audit-save-{_model._meta.label}")
    post_delete.connect(_record_delete, sender=_model, dispatch_uid=f"audit-delete-{_model._meta.label}")


@receiver(m2m_changed)
def _record_m2m(sender, instance, action, pk_set, model, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or type(instance) not in TRACKED_MODELS:
        return
    field = sender._meta.db_table
    names = sorted(str(obj) for obj in model._default_manager.filter(pk__in=pk_set or ()))
    verb = {"post_add": "thêm", "post_remove": "bỏ", "post_clear": "bỏ hết"}[action]
    record(
        action=AuditAction.ASSIGN_ROLES if model is Group or "group" in field else "sửa",
        actor=signal_actor(),
        target=instance,
        before=None,
        after={"quan_he": field, "thao_tac": verb, "doi_tuong": names},
    )


# ---- sign-in events ----------------------------------------------------------------------

@receiver(user_logged_in)
def _record_login(sender, request, user, **kwargs):
    record(action=AuditAction.LOGIN, target=user, actor=user)


@receiver(user_logged_out)
def _record_logout(sender, request, user, **kwargs):
    if user is not None:
        record(action=AuditAction.LOGOUT, target=user, actor=user)


@receiver(user_login_failed)
def _record_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record(action=AuditAction.LOGIN_FAILED, actor=None, target_type="auth.User", target_repr=username)
