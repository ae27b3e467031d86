"""audit.record refuses what the database would refuse, on every database."""
from __future__ import annotations

import pytest

from surveys.accounts import audit
from surveys.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_an_action_longer_than_the_column_is_refused_everywhere():
    longest = "x" * audit.ACTION_MAX_LENGTH
    assert audit.record(action=longest, actor=None).action == longest
    with pytest.raises(ValueError, match="audit action longer than"):
        audit.record(action=longest + "y", actor=None)
    assert AuditEntry.objects.filter(action__startswith="x").count() == 1


def test_the_report_draft_action_fits():
    entry = audit.record(action="tạo bản nháp báo cáo từ số liệu", actor=None)
    assert entry.action == "tạo bản nháp báo cáo từ số liệu"
