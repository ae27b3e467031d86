"""The audit trail is append-only: read-only in the admin, refused by the model."""
from __future__ import annotations

import pytest
from django.urls import reverse

from surveys.accounts import audit
from surveys.models import AuditEntry, Officer

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, django_user_model):
    django_user_model.objects.create_superuser("sieuquantri", "sqt@example.vn", PASSWORD)
    client.post(reverse("login"), {"username": "sieuquantri", "password": PASSWORD})
    return client


def test_audit_entries_are_read_only_in_the_admin(superuser_client):
    entry = audit.record(action=audit.AuditAction.PROGRESS_REPORTED, actor=None, target_repr="một mục")
    url = reverse("admin:surveys_auditentry_change", args=[entry.pk])
    assert superuser_client.get(reverse("admin:surveys_auditentry_changelist")).status_code == 200
    assert superuser_client.get(url).status_code == 200  # view only
    response = superuser_client.post(url, {"action": "đã sửa", "target_repr": "khác"})
    assert response.status_code == 403
    assert superuser_client.post(reverse("admin:surveys_auditentry_delete", args=[entry.pk]), {"post": "yes"}
                                 ).status_code == 403
    assert superuser_client.get(reverse("admin:surveys_auditentry_add")).status_code == 403
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.action == "báo cáo tiến độ" and entry.target_repr == "một mục"


def test_audit_entries_cannot_be_updated_or_deleted_through_the_orm():
    entry = audit.record(action=audit.AuditAction.PROGRESS_REPORTED, actor=None, target_repr="một mục")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="đã sửa")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "báo cáo tiến độ"


def test_officer_admin_lists_and_edits_officers(superuser_client, clerk):
    html = superuser_client.get(reverse("admin:surveys_officer_changelist")).content.decode()
    assert clerk.username in html
    assert superuser_client.get(reverse("admin:surveys_officer_change", args=[clerk.officer.pk])).status_code == 200
    assert Officer.objects.filter(user=clerk).exists()
