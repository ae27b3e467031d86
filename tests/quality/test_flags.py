"""Duplicate and quality checks: serial reuse refused; near duplicates and straight-lining flagged."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import AuditEntry, FlagKind, Response, ResponseFlag
from surveys.responses import quality, services
from surveys.selectors import load_definition
from tests.responses.conftest import form_data

pytestmark = pytest.mark.django_db

ALL_FOURS = {f"C{f}_{c}": "4" for f, n in ((1, 3), (2, 5), (3, 6), (4, 4)) for c in range(1, n + 1)}


# --------------------------------------------------------------------------- pure checks
def test_straight_lining_needs_ten_equal_answers(langson_round):
    definition = load_definition(langson_round.questionnaire)
    criteria = definition.criterion_codes
    assert quality.straight_line_value(definition, {c: 5 for c in criteria[:10]}) == 5
    assert quality.straight_line_value(definition, {c: 5 for c in criteria[:9]}) is None
    mixed = {c: 5 for c in criteria[:12]} | {criteria[0]: 4}
    assert quality.straight_line_value(definition, mixed) is None


def test_coded_answers_leave_out_free_text(langson_round):
    definition = load_definition(langson_round.questionnaire)
    coded = quality.coded_answers(definition, {"A1": 1, "B1": frozenset({1, 3}), "D2": "ý kiến"})
    assert coded == {"A1": 1, "B1": frozenset({1, 3})}


# --------------------------------------------------------------------------- serial reused
def test_the_same_serial_twice_is_refused_with_a_clear_message(langson_round, entry_officer, record, client):
    record(entry_officer, "STP-0001")
    with pytest.raises(services.ResponseInvalid) as caught:
        record(entry_officer, "STP-0001")
    assert [(e.column, e.message) for e in caught.value.errors] == [
        ("ma_phieu", "mã phiếu STP-0001 đã có trong đợt LS-2022")
    ]
    client.force_login(entry_officer)
    page = client.post(reverse("surveys:response_create", args=[langson_round.code]),
                       form_data(langson_round, ma_phieu="STP-0001"))
    assert page.status_code == 200
    assert "Mã phiếu STP-0001 đã có trong đợt LS-2022" in page.content.decode()
    assert Response.objects.filter(ma_phieu="STP-0001").count() == 1


def test_the_serial_check_reads_one_serial_not_the_round(langson_round, entry_officer, record):
    """The single-entry path checks the serial with one indexed query (no load of every serial)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    record(entry_officer, "STP-0001")
    with CaptureQueriesContext(connection) as queries:
        record(entry_officer, "STP-0002")
    serial_reads = [q["sql"] for q in queries.captured_queries
                    if "ma_phieu" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
                    and "surveys_response" in q["sql"]]
    assert serial_reads, "the serial must be checked"
    # Each read of serials is bounded by the serial itself or a primary key, never the whole round.
    unbounded = [sql for sql in serial_reads if '"ma_phieu" = ' not in sql and '"id" = ' not in sql]
    assert unbounded == []
    assert any("'STP-0002'" in sql for sql in serial_reads)
    assert len(queries.captured_queries) < 40


# --------------------------------------------------------------------------- near duplicates
def test_a_copy_with_another_serial_minutes_later_is_flagged(langson_round, entry_officer, record):
    first = record(entry_officer, "STP-0001", D2="Nhanh")
    second = record(entry_officer, "STP-0002", D2="Rất tốt")  # only the comment differs
    flag = ResponseFlag.objects.get(response=second, kind=FlagKind.NEAR_DUPLICATE)
    assert flag.related == first
    assert "STP-0001" in flag.detail and "10 phút" in flag.detail
    assert not ResponseFlag.objects.filter(response=first).exists()
    assert Response.objects.filter(pk=second.pk).exists()  # flagged, not dropped
    assert AuditEntry.objects.filter(action="cảnh báo phiếu", target_id=str(second.pk)).exists()


def test_different_answers_or_agency_or_an_old_copy_are_not_flagged(langson_round, entry_officer, record):
    first = record(entry_officer, "STP-0001")
    record(entry_officer, "STP-0002", C1_1="5")  # one answer differs
    Response.objects.filter(pk=first.pk).update(entered_at=timezone.now() - dt.timedelta(minutes=11))
    record(entry_officer, "STP-0003", C1_1="5", A1="2")
    assert not ResponseFlag.objects.filter(kind=FlagKind.NEAR_DUPLICATE).exists()
    old = Response.objects.get(ma_phieu="STP-0002")
    Response.objects.filter(pk=old.pk).update(entered_at=timezone.now() - dt.timedelta(minutes=11))
    record(entry_officer, "STP-0004", C1_1="5")  # same as STP-0002, but 11 minutes later
    assert not ResponseFlag.objects.filter(kind=FlagKind.NEAR_DUPLICATE).exists()


# --------------------------------------------------------------------------- straight-lining
def test_straight_lining_is_flagged_with_its_value(langson_round, entry_officer, record):
    flat = record(entry_officer, "STP-0001", **ALL_FOURS)
    flag = ResponseFlag.objects.get(response=flat, kind=FlagKind.STRAIGHT_LINING)
    assert flag.detail == "cả 18 tiêu chí đã trả lời đều chọn mức 4"
    varied = record(entry_officer, "STP-0002")  # C1.1 = 3, C3.1 = 5
    assert not ResponseFlag.objects.filter(response=varied).exists()


# --------------------------------------------------------------------------- review page
def test_staff_review_a_flag_with_a_note_and_it_is_audited(langson_round, entry_officer, staff_user, record, client):
    flat = record(entry_officer, "STP-0001", **ALL_FOURS)
    flag = ResponseFlag.objects.get(response=flat)
    client.force_login(staff_user)
    listing = client.get(reverse("surveys:flag_list", args=[langson_round.code]))
    assert "STP-0001" in listing.content.decode()
    assert "Trả lời cùng một mức cho mọi tiêu chí" in listing.content.decode()
    url = reverse("surveys:flag_review", args=[langson_round.code, flag.pk])
    refused = client.post(url, {"ket_luan": "  "}, follow=True)
    assert "hãy ghi kết luận" in refused.content.decode()
    assert ResponseFlag.objects.get(pk=flag.pk).reviewed_at is None
    client.post(url, {"ket_luan": "Đã gọi điện xác minh: người dân trả lời đúng như vậy."})
    flag.refresh_from_db()
    assert flag.reviewed_by == staff_user and flag.review_note.startswith("Đã gọi điện")
    entry = AuditEntry.objects.get(action="xem xét cảnh báo")
    assert entry.actor == staff_user and entry.after["da_xem_xet"] is True
    export = client.get(reverse("surveys:flag_list_xlsx", args=[langson_round.code]) + "?trang_thai=")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_the_round_page_counts_open_flags(langson_round, entry_officer, staff_user, record, client):
    record(entry_officer, "STP-0001", **ALL_FOURS)
    client.force_login(staff_user)
    page = client.get(reverse("surveys:round_overview", args=[langson_round.code])).content.decode()
    assert "Cảnh báo chất lượng chưa xem xét: <strong>1</strong>" in page


def test_entry_officers_cannot_see_the_flags(langson_round, entry_officer, client):
    client.force_login(entry_officer)
    assert client.get(reverse("surveys:flag_list", args=[langson_round.code])).status_code == 403
