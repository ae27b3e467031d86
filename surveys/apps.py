from django.apps import AppConfig
from django.db.models.signals import post_migrate


def sync_role_groups(sender, using="default", **kwargs) -> None:
    """Keep one group per role with exactly the permissions surveys.accounts.roles gives it.

    The administrators' role also holds the model permissions the admin site needs, except
    any change to the audit trail.
    """
    from django.contrib.auth.models import Group, Permission

    from surveys.accounts.roles import ADMIN, ADMIN_SITE_APPS, ROLE_PERMISSIONS

    permissions = Permission.objects.using(using)
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        granted = permissions.filter(content_type__app_label="surveys", codename__in=codenames)
        if role == ADMIN:
            granted = granted | permissions.filter(content_type__app_label__in=ADMIN_SITE_APPS).exclude(
                codename__in=["add_auditentry", "change_auditentry", "delete_auditentry"]
            )
        group.permissions.set(granted)


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Khảo sát"

    def ready(self) -> None:
        from surveys.accounts import audit  # noqa: F401 — connects the audit signal handlers

        # After every app's migrations, not only this one's: the administrators' group also
        # takes the permissions of apps migrated later (indexes, reporting).
        post_migrate.connect(sync_role_groups, dispatch_uid="surveys-sync-role-groups")
