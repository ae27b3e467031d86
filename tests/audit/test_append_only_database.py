"""On PostgreSQL the audit table refuses UPDATE and DELETE even from raw SQL."""
import pytest
from django.db import DatabaseError, connection, transaction

from surveys.accounts import audit
from surveys.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger chỉ có trên PostgreSQL")
@pytest.mark.parametrize("statement", [
    "UPDATE surveys_auditentry SET note = 'sửa lén'",
    "DELETE FROM surveys_auditentry",
    "TRUNCATE surveys_auditentry",
    "TRUNCATE surveys_auditentry RESTART IDENTITY CASCADE",
])
def test_raw_sql_cannot_change_the_trail(statement):
    entry = audit.record(action=audit.AuditAction.PROGRESS_REPORTED, actor=None, target_type="kiểm thử", target_repr="một mục")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    entry.refresh_from_db()
    assert entry.note == "" and AuditEntry.objects.filter(pk=entry.pk).exists()
