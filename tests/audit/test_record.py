"""audit.record takes only the enumerated actions (AuditAction), each of which the column holds
on every database."""
from __future__ import annotations

import pytest

from surveys.accounts import audit
from surveys.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_every_action_fits_the_column_and_any_other_text_is_refused():
    assert max(len(action) for action in audit.AuditAction.values) <= audit.ACTION_MAX_LENGTH
    with pytest.raises(ValueError, match="unknown audit action 'sửa lén'"):
        audit.record(action="sửa lén", actor=None)
    assert not AuditEntry.objects.filter(action="sửa lén").exists()


def test_the_report_draft_action_fits():
    entry = audit.record(action=audit.AuditAction.REPORT_DRAFTED, actor=None)
    assert entry.action == "tạo bản nháp báo cáo từ số liệu"
