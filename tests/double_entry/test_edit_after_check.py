"""An edit cannot bypass double entry: a questionnaire drawn for it that is edited after its
check (or while waiting) waits again and does not count until another officer keys it or a Sở
Nội vụ officer resolves it against the paper; the edit, the state change and the resolution
are in the trail."""
from __future__ import annotations

import pytest

from surveys.accounts import access, roles
from surveys.models import AuditEntry, Response, SecondEntry, SurveyRound, Verification
from surveys.responses import double_entry, services
from tests.double_entry.conftest import stp_row as row

pytestmark = pytest.mark.django_db


def counted(response: Response) -> bool:
    return Response.objects.counted().filter(pk=response.pk).exists()


@pytest.fixture
def verified(double_round, entry_officer, other_officer, record) -> Response:
    """STP-0001 keyed alike twice: verified and counted (C1.2 = 4)."""
    saved = record(entry_officer, "STP-0001")
    double_entry.record_second_entry(response=saved, row=row(double_round), entered_by=other_officer)
    saved.refresh_from_db()
    assert saved.verification == Verification.VERIFIED and counted(saved)
    assert services.answers_snapshot(saved)["C1.2"] == 4
    return saved


def test_editing_a_verified_questionnaire_sends_it_back_to_be_resolved(
    double_round, verified, entry_officer, other_officer, staff_user, make_user
):
    version = SurveyRound.objects.get(pk=double_round.pk).data_version
    services.update_response(response=verified, row=row(double_round, C1_2="1"), edited_by=entry_officer)
    verified.refresh_from_db()
    assert verified.verification == Verification.MISMATCH
    assert not counted(verified)
    assert SurveyRound.objects.get(pk=double_round.pk).data_version == version + 1  # recomputed without it
    # The second entry still says 4: the resolver sees exactly that difference.
    result = double_entry.comparison(verified, services.load_storable_definition(double_round))
    assert [(d.code, d.first, d.second) for d in result.differences] == [("C1.2", 1, 4)]
    state = AuditEntry.objects.get(action="trả về chờ kiểm tra nhập kép")
    assert (state.actor, state.before, state.after) == (
        entry_officer, {"nhap_kep": "Đã đối chiếu"}, {"nhap_kep": "Có khác biệt, chờ đối chiếu"})
    edit = AuditEntry.objects.get(action="sửa phiếu")
    assert (edit.before["tra_loi"]["C1.2"], edit.after["tra_loi"]["C1.2"]) == (4, 1)
    # Sở Nội vụ resolves against the paper (it said 4): counted again, with the paper's value.
    assert access.resolvable_responses(staff_user, double_round).filter(pk=verified.pk).exists()
    double_entry.resolve_mismatch(response=verified, choices={"C1.2": "2"}, resolved_by=staff_user,
                                  note="Phiếu giấy ghi 4")
    verified.refresh_from_db()
    assert verified.verification == Verification.VERIFIED and counted(verified)
    assert services.answers_snapshot(verified)["C1.2"] == 4
    assert AuditEntry.objects.filter(action="đối chiếu nhập kép", actor=staff_user).count() == 1


def test_an_earlier_resolution_is_void_after_an_edit(double_round, entry_officer, other_officer, staff_user, record,
                                                      make_user):
    saved = record(entry_officer, "STP-0002")
    double_entry.record_second_entry(response=saved, row=row(double_round, "STP-0002", C1_2="5"),
                                     entered_by=other_officer)
    double_entry.resolve_mismatch(response=saved, choices={"C1.2": "1"}, resolved_by=staff_user)
    saved.refresh_from_db()
    assert saved.verification == Verification.VERIFIED
    # The resolver edits it later: waiting again, its resolution void, and not theirs to resolve.
    services.update_response(response=saved, row=row(double_round, "STP-0002", C1_2="2"), edited_by=staff_user)
    saved.refresh_from_db()
    entry = SecondEntry.objects.get(response=saved)
    assert saved.verification == Verification.MISMATCH and entry.resolved_at is None and entry.resolved_by is None
    assert not access.resolvable_responses(staff_user, double_round).filter(pk=saved.pk).exists()
    with pytest.raises(double_entry.DoubleEntryRefused, match="người khác"):
        double_entry.resolve_mismatch(response=saved, choices={"C1.2": "1"}, resolved_by=staff_user)
    another = make_user("canbosnv2", roles.STAFF, agency="SNV", full_name="Hoàng Văn Đối")
    double_entry.resolve_mismatch(response=saved, choices={"C1.2": "2"}, resolved_by=another)
    saved.refresh_from_db()
    assert saved.verification == Verification.VERIFIED and services.answers_snapshot(saved)["C1.2"] == 5


def test_editing_while_waiting_keeps_it_waiting_and_the_editor_cannot_key_it_again(
    double_round, entry_officer, other_officer, staff_user, record
):
    saved = record(entry_officer, "STP-0003")
    services.update_response(response=saved, row=row(double_round, "STP-0003", C1_2="3"), edited_by=staff_user)
    saved.refresh_from_db()
    assert saved.verification == Verification.PENDING and not counted(saved)
    assert not AuditEntry.objects.filter(action="trả về chờ kiểm tra nhập kép").exists()  # no state changed
    assert not access.second_entry_queue(staff_user, double_round).filter(pk=saved.pk).exists()
    with pytest.raises(double_entry.DoubleEntryRefused, match="nhập hoặc sửa"):
        double_entry.record_second_entry(response=saved, row=row(double_round, "STP-0003", C1_2="3"),
                                         entered_by=staff_user)
    # Keyed blind by another officer against the edited entry: equal, so it counts.
    double_entry.record_second_entry(response=saved, row=row(double_round, "STP-0003", C1_2="3"),
                                     entered_by=other_officer)
    saved.refresh_from_db()
    assert saved.verification == Verification.VERIFIED and counted(saved)


def test_a_mismatch_edited_stays_a_mismatch(double_round, entry_officer, other_officer, record):
    saved = record(entry_officer, "STP-0004")
    double_entry.record_second_entry(response=saved, row=row(double_round, "STP-0004", C1_2="5"),
                                     entered_by=other_officer)
    services.update_response(response=saved, row=row(double_round, "STP-0004", C1_2="5"), edited_by=entry_officer)
    saved.refresh_from_db()
    assert saved.verification == Verification.MISMATCH and not counted(saved)


def test_a_new_serial_alone_keeps_the_check(double_round, verified, entry_officer):
    """The serial is how the form is found, not a keyed item compared by double entry."""
    services.update_response(response=verified, row=row(double_round, "STP-0099"), edited_by=entry_officer)
    verified.refresh_from_db()
    assert verified.ma_phieu == "STP-0099" and verified.verification == Verification.VERIFIED and counted(verified)


def test_questionnaires_never_drawn_are_untouched(langson_round, entry_officer, record):
    saved = record(entry_officer, "STP-0005")
    services.update_response(response=saved, row=row(langson_round, "STP-0005", C1_2="1"), edited_by=entry_officer)
    saved.refresh_from_db()
    assert saved.verification == Verification.NOT_REQUIRED and counted(saved)
