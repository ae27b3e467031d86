"""Accounts of the portal (tài khoản cán bộ): one function per action, each one transaction.

Roles are Django groups named after surveys.accounts.roles; they are set with ``user.groups.set`` so
that the audit trail's m2m handler records every role given or taken away ("phân quyền").
The full name is kept whole in ``first_name`` (Vietnamese names put the family name first,
so splitting it into Django's first/last name would print it backwards).
"""
from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from surveys.accounts import audit
from surveys.accounts.roles import ADMIN, ALL_ROLES
from surveys.models import Agency, Officer

User = get_user_model()


def _groups(roles: Iterable[str]) -> list[Group]:
    names = set(roles)
    unknown = names - set(ALL_ROLES)
    if unknown:
        raise ValidationError(f"Vai trò không tồn tại: {', '.join(sorted(unknown))}.")
    groups = list(Group.objects.filter(name__in=names))
    if len(groups) != len(names):
        missing = names - {g.name for g in groups}
        raise ValidationError(
            f"Chưa có nhóm quyền cho vai trò {', '.join(sorted(missing))}; hãy chạy “manage.py migrate”."
        )
    return groups


def _opens_admin_site(groups: list[Group]) -> bool:
    """Administrators of Sở Nội vụ also work in the admin site (/quan-tri/)."""
    return any(group.name == ADMIN for group in groups)


def can_edit(*, actor: AbstractBaseUser | None, user: AbstractBaseUser) -> bool:
    """Only a superuser may change a superuser's account (its password, say): otherwise a
    portal administrator could take over the system account."""
    return not user.is_superuser or bool(actor and actor.is_superuser)


def check_self_edit(*, user: AbstractBaseUser, actor: AbstractBaseUser | None, roles: Iterable[str],
                    is_active: bool) -> None:
    """An administrator may neither lock themself out nor drop their own administrator role."""
    if actor is None or actor.pk != user.pk:
        return
    errors = []
    if not is_active:
        errors.append(ValidationError("Bạn không thể tự khóa tài khoản của chính mình.", code="self_deactivate"))
    if user.groups.filter(name=ADMIN).exists() and ADMIN not in set(roles):
        errors.append(ValidationError(
            f"Bạn không thể tự bỏ vai trò “{ADMIN}” của chính mình; hãy nhờ một quản trị viên khác.",
            code="self_demote",
        ))
    if errors:
        raise ValidationError(errors)


def _delete_sessions(user: AbstractBaseUser) -> int:
    """Delete every stored session (database session engine) signed in as the user."""
    user_id = str(user.pk)
    doomed = [
        session.pk
        for session in Session.objects.only("session_key", "session_data").iterator()
        if str(session.get_decoded().get(SESSION_KEY, "")) == user_id
    ]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


@transaction.atomic
@audit.signal_rows_by("actor")
def create_officer(
    *,
    actor: AbstractBaseUser | None,
    username: str,
    full_name: str,
    email: str,
    roles: Iterable[str],
    agency: Agency | None,
    entry_agencies: Iterable[Agency],
    password: str,
) -> AbstractBaseUser:
    """Tạo tài khoản cán bộ với vai trò, cơ quan công tác và cơ quan được giao nhập phiếu."""
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(f"Tên đăng nhập “{username}” đã có người dùng.", code="duplicate_username")
    groups = _groups(roles)
    user = User(username=username, first_name=full_name.strip(), last_name="", email=email.strip(),
                is_staff=_opens_admin_site(groups))
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    officer = Officer.objects.create(user=user, agency=agency)
    user.groups.set(groups)
    officer.entry_agencies.set(list(entry_agencies))
    return user


@transaction.atomic
@audit.signal_rows_by("actor")
def update_officer(
    *,
    user: AbstractBaseUser,
    actor: AbstractBaseUser | None,
    full_name: str,
    email: str,
    roles: Iterable[str],
    agency: Agency | None,
    entry_agencies: Iterable[Agency],
    is_active: bool,
    password: str = "",
) -> AbstractBaseUser:
    """Sửa tài khoản cán bộ. Khóa tài khoản (is_active=False) thay cho xóa; a locked account's
    sessions end at once. A new password, if given, ends the user's other sessions too."""
    roles = list(roles)
    if not can_edit(actor=actor, user=user):
        raise PermissionDenied("Chỉ quản trị hệ thống mới được sửa tài khoản quản trị hệ thống.")
    check_self_edit(user=user, actor=actor, roles=roles, is_active=is_active)
    groups = _groups(roles)
    user = User.objects.select_for_update().get(pk=user.pk)
    was_active = user.is_active
    user.first_name = full_name.strip()
    user.last_name = ""
    user.email = email.strip()
    user.is_active = is_active
    if not user.is_superuser:
        user.is_staff = _opens_admin_site(groups)
    if password:
        password_validation.validate_password(password, user)
        user.set_password(password)
    user.save()
    if password:
        # The saved snapshot leaves the password out, so the change would go unrecorded.
        audit.record(action=audit.AuditAction.PASSWORD_RESET, actor=actor, target=user)
    officer, _ = Officer.objects.get_or_create(user=user)
    if officer.agency_id != (agency.pk if agency else None):
        officer.agency = agency
        officer.save()
    user.groups.set(groups)
    officer.entry_agencies.set(list(entry_agencies))
    if was_active and not is_active:
        _delete_sessions(user)
    return user


@transaction.atomic
def logout_everywhere(*, user: AbstractBaseUser, actor: AbstractBaseUser | None) -> int:
    """Đăng xuất khỏi mọi thiết bị: delete every session of the user, this one included.
    Returns how many sessions ended."""
    count = _delete_sessions(user)
    audit.record(action=audit.AuditAction.LOGOUT_EVERYWHERE, actor=actor, target=user, after={"so_phien": count})
    return count


def locked_usernames() -> set[str]:
    """Usernames django-axes currently refuses after repeated wrong passwords (from any address)."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    limit = settings.AXES_FAILURE_LIMIT
    if not isinstance(limit, int):  # a callable limit depends on the request: not known here
        return set()
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=limit, username__isnull=False)
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return set(attempts.values_list("username", flat=True))


@transaction.atomic
def unlock_login(*, user: AbstractBaseUser, actor: AbstractBaseUser | None) -> int:
    """Mở khóa đăng nhập: forget the user's failed attempts (django-axes) before the cool-off ends."""
    from axes.utils import reset

    count = reset(username=user.get_username())
    audit.record(action=audit.AuditAction.LOGIN_UNLOCKED, actor=actor, target=user, after={"so_ban_ghi": count})
    return count
