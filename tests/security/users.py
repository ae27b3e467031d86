"""Users in the portal's roles, for the scoping, upload and browser tests."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from surveys.models import Agency, Officer

PASSWORD = "mat-khau-thu-nghiem-1"


def role_group(role: str) -> Group:
    """The role's group, as the post_migrate hook keeps it (re-created if a flush removed it)."""
    group = Group.objects.filter(name=role).first()
    if group is None or not group.permissions.exists():
        from django.apps import apps

        from surveys.apps import sync_role_groups

        sync_role_groups(apps.get_app_config("surveys"))
        group = Group.objects.get(name=role)
    return group


def make_user(username: str, *roles: str, agency: str | None = None, entry: tuple[str, ...] = (), **extra):
    """A user in `roles` (surveys.accounts.roles names), working for `agency` and keying questionnaires
    for the `entry` agencies (codes)."""
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    for role in roles:
        user.groups.add(role_group(role))
    if agency or entry:
        officer = Officer.objects.create(user=user, agency=Agency.objects.get(code=agency) if agency else None)
        if entry:
            officer.entry_agencies.set(Agency.objects.filter(code__in=entry))
    return user
