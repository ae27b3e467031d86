from django.apps import AppConfig
from django.db.models.signals import post_migrate


def sync_role_groups(sender, using="default", **kwargs) -> None:
    """Keep one group per role with exactly the permissions surveys.roles gives it."""
    from django.contrib.auth.models import Group, Permission

    from .roles import ROLE_PERMISSIONS

    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set(
            Permission.objects.using(using).filter(content_type__app_label="surveys", codename__in=codenames)
        )


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Khảo sát"

    def ready(self) -> None:
        from . import audit  # noqa: F401 — connects the audit signal handlers

        post_migrate.connect(sync_role_groups, sender=self)
