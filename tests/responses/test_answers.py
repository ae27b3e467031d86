"""The one reader of stored answers (surveys.responses.answers) and the one audited download
(surveys.accounts.audit.record_download), on the Lạng Sơn questionnaire."""
from __future__ import annotations

from surveys.accounts import audit
from surveys.models import Answer, AuditEntry
from surveys.responses.answers import answers_snapshot, parsed_snapshot, read_answers
from surveys.selectors import load_definition

from .conftest import parsed_row


def test_reader_gives_single_multi_and_text_answers_in_questionnaire_order(langson_round, entry_officer, record):
    saved = record(entry_officer, "STP-0001", B1="3;1")
    snapshot = answers_snapshot(saved)
    assert snapshot["A1"] == 1 and snapshot["C1.2"] == 4  # single and scale: the option number
    assert snapshot["B1"] == [1, 3] and snapshot["D1"] == [2, 3]  # multi: a sorted list
    assert snapshot["D2"] == "Công chức nhiệt tình"  # text: as typed
    codes = [q.code for q in load_definition(langson_round.questionnaire).questions]
    assert list(snapshot) == [c for c in codes if c in snapshot]


def test_reader_leaves_out_blank_and_gated_questions(langson_round, entry_officer, record):
    saved = record(entry_officer, "STP-0002", D2=None)
    snapshot = answers_snapshot(saved)
    assert "D2" not in snapshot  # blank: not stored, not read back
    assert "B5" not in snapshot and "C5.1" not in snapshot  # gated off by B4 = 2 and B7 = 2


def test_reader_as_sets_is_what_the_rules_take_and_matches_the_parsed_row(langson_round, entry_officer, record):
    saved = record(entry_officer, "STP-0003")
    row = parsed_row(langson_round, agency="STP", ma_phieu="STP-0003")
    stored = read_answers(Answer.objects.filter(response=saved), as_sets=True)[saved.pk]
    assert stored == row.answers
    assert stored["B1"] == frozenset({1, 3})
    assert answers_snapshot(saved) == parsed_snapshot(load_definition(langson_round.questionnaire), row.answers)


def test_reader_over_many_responses_masks_text_and_skips_what_it_is_not_given(langson_round, entry_officer, record):
    first = record(entry_officer, "STP-0004", D2="Gọi 0912345678")
    second = record(entry_officer, "STP-0005", D2=None)
    found = read_answers(
        Answer.objects.filter(response__in=[first, second]).exclude(response_id=second.pk),
        shown_text=str.upper,
    )
    assert set(found) == {first.pk}
    assert found[first.pk]["D2"] == "GỌI 0912345678"
    coded = read_answers(Answer.objects.filter(response=first, value__isnull=False))[first.pk]
    assert "D2" not in coded and coded["B1"] == [1, 3]


def test_record_download_writes_one_audit_row_named_tai(langson_round, staff_user):
    before = AuditEntry.objects.count()
    entry = audit.record_download(actor=staff_user, action=audit.AuditAction.DOWNLOAD_RESPONSES, target=langson_round,
                                  round_code=langson_round.code, after={"so_phieu": 3})
    assert AuditEntry.objects.count() == before + 1
    assert entry.action == "tải danh sách phiếu"
    assert entry.actor == staff_user and entry.round_code == langson_round.code
    assert entry.target_type == "surveys.SurveyRound" and entry.after == {"so_phieu": 3}


def test_a_download_view_records_its_download(client, langson_round, staff_user, entry_officer, record):
    record(entry_officer, "STP-0006")
    client.force_login(staff_user)
    before = AuditEntry.objects.filter(action="tải danh sách phiếu").count()
    response = client.get(f"/dot/{langson_round.code}/phieu/xlsx/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="phieu-{langson_round.code}.xlsx"'
    downloads = AuditEntry.objects.filter(action="tải danh sách phiếu")
    assert downloads.count() == before + 1 and downloads.latest("pk").actor == staff_user
