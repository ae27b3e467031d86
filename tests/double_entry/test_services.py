"""Nhập kép: selection at first entry, the blind second entry, resolution, agreement rates."""
from __future__ import annotations

import random

import pytest

from surveys.models import AuditEntry, Channel, Response, SecondEntry, SurveyRound, Verification
from surveys.responses import double_entry, services
from tests.double_entry.conftest import stp_row as second_row

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- selection
class ScriptedRandom:
    """A stand-in for random.Random whose random() returns the given values in turn (the last one
    again once they run out), counting the calls: a draw is then known in advance."""

    def __init__(self, *values: float):
        self.values = list(values)
        self.calls = 0

    def random(self) -> float:
        self.calls += 1
        return self.values[min(self.calls, len(self.values)) - 1]


def at(percent: int) -> SurveyRound:
    """A round (unsaved: the draw reads only its percent) drawing `percent` % of paper questionnaires."""
    return SurveyRound(code="LS-THU", double_entry_percent=percent)


@pytest.mark.parametrize(
    ("percent", "draw", "drawn"),
    [
        (30, 0.0, True),
        (30, 0.2999, True),  # 29.99 < 30
        (30, 0.30, False),  # 30 is not below 30
        (30, 0.9999, False),
        (1, 0.0099, True),
        (1, 0.01, False),
        (99, 0.9899, True),
        (99, 0.99, False),
    ],
)
def test_a_paper_questionnaire_is_drawn_when_the_draw_is_below_the_percent(percent, draw, drawn):
    rng = ScriptedRandom(draw)
    assert services.drawn_for_double_entry(at(percent), Channel.BUU_DIEN, rng) is drawn
    assert rng.calls == 1  # the injected generator decided, once


@pytest.mark.parametrize("channel", sorted(services.PAPER_CHANNELS))
def test_the_boundaries_0_and_100_percent_whatever_the_draw(channel):
    for draw in (0.0, 0.5, 0.999999):
        assert not services.drawn_for_double_entry(at(0), channel, ScriptedRandom(draw))
        assert services.drawn_for_double_entry(at(100), channel, ScriptedRandom(draw))


@pytest.mark.parametrize("channel", [Channel.TRUC_TUYEN, Channel.DIEN_THOAI])
def test_online_and_telephone_answers_are_never_drawn(channel):
    rng = ScriptedRandom(0.0)
    for percent in (1, 50, 100):
        assert not services.drawn_for_double_entry(at(percent), channel, rng)


def test_selection_is_reproducible_with_a_seeded_generator():
    assert random.Random(7).random() == pytest.approx(0.3238327648)  # the first draw of seed 7
    assert not services.drawn_for_double_entry(at(30), Channel.TRUC_TIEP, random.Random(7))  # 32.38 ≥ 30
    assert services.drawn_for_double_entry(at(33), Channel.TRUC_TIEP, random.Random(7))  # 32.38 < 33
    rng_a, rng_b, reference = random.Random(2022), random.Random(2022), random.Random(2022)
    draws_a = [services.drawn_for_double_entry(at(30), Channel.BUU_DIEN, rng_a) for _ in range(400)]
    draws_b = [services.drawn_for_double_entry(at(30), Channel.BUU_DIEN, rng_b) for _ in range(400)]
    assert draws_a == draws_b == [reference.random() * 100 < 30 for _ in range(400)]
    assert sum(draws_a) == 116  # about 30 % of 400, and always these 116 with seed 2022


def test_record_response_uses_the_injected_generator(langson_round, entry_officer):
    langson_round.double_entry_percent = 50
    langson_round.save(update_fields=["double_entry_percent"])
    below, not_below = ScriptedRandom(0.49), ScriptedRandom(0.50)
    drawn = services.record_response(survey_round=langson_round, row=second_row(langson_round, "STP-0009"),
                                     entered_by=entry_officer, rng=below)
    kept = services.record_response(survey_round=langson_round, row=second_row(langson_round, "STP-0010"),
                                    entered_by=entry_officer, rng=not_below)
    assert (below.calls, not_below.calls) == (1, 1)
    assert drawn.verification == Verification.PENDING
    assert kept.verification == Verification.NOT_REQUIRED
    assert Response.objects.get(pk=drawn.pk).verification == Verification.PENDING


def test_a_drawn_questionnaire_waits_and_does_not_count(double_round, entry_officer, record):
    saved = record(entry_officer, "STP-0001")
    assert saved.verification == Verification.PENDING
    assert not Response.objects.counted().filter(pk=saved.pk).exists()
    entry = AuditEntry.objects.get(action="nhập phiếu", target_id=str(saved.pk))
    assert entry.after["nhap_kep"] == "Chờ nhập lần hai"


# --------------------------------------------------------------------------- second entry
def test_an_equal_second_entry_verifies_and_counts(double_round, entry_officer, other_officer, record):
    saved = record(entry_officer, "STP-0001")
    version = SurveyRound.objects.get(pk=double_round.pk).data_version
    entry = double_entry.record_second_entry(response=saved, row=second_row(double_round), entered_by=other_officer)
    saved.refresh_from_db()
    assert entry.differences == 0
    assert saved.verification == Verification.VERIFIED
    assert Response.objects.counted().filter(pk=saved.pk).exists()
    assert SurveyRound.objects.get(pk=double_round.pk).data_version == version + 1
    assert AuditEntry.objects.get(action="nhập lần hai").after["khop"] is True


def test_a_different_second_entry_is_a_mismatch_listing_the_items(double_round, entry_officer, other_officer, record):
    saved = record(entry_officer, "STP-0001")
    entry = double_entry.record_second_entry(
        response=saved, row=second_row(double_round, C1_2="5", B1="1"), entered_by=other_officer
    )
    saved.refresh_from_db()
    assert saved.verification == Verification.MISMATCH
    assert entry.differences == 2
    assert entry.meta["khac_nhau"] == ["B1", "C1.2"]
    assert entry.answers["C1.2"] == 5 and entry.answers["B1"] == [1]
    assert entry.meta["lan_dau"] == {"B1": [1, 3], "C1.2": 4}
    assert not Response.objects.counted().filter(pk=saved.pk).exists()


def test_the_same_officer_cannot_key_both_entries(double_round, entry_officer, record):
    saved = record(entry_officer, "STP-0001")
    with pytest.raises(double_entry.DoubleEntryRefused, match="cán bộ khác"):
        double_entry.record_second_entry(response=saved, row=second_row(double_round), entered_by=entry_officer)
    assert not SecondEntry.objects.exists()
    assert Response.objects.get(pk=saved.pk).verification == Verification.PENDING


def test_a_second_entry_is_taken_once(double_round, entry_officer, other_officer, staff_user, record):
    saved = record(entry_officer, "STP-0001")
    double_entry.record_second_entry(response=saved, row=second_row(double_round), entered_by=other_officer)
    with pytest.raises(double_entry.DoubleEntryRefused, match="không còn chờ"):
        double_entry.record_second_entry(response=saved, row=second_row(double_round), entered_by=staff_user)


def test_an_invalid_second_entry_is_refused_with_the_question(double_round, entry_officer, other_officer, record):
    saved = record(entry_officer, "STP-0001")
    with pytest.raises(services.ResponseInvalid) as caught:
        double_entry.record_second_entry(response=saved, row=second_row(double_round, C5_1="4"),
                                         entered_by=other_officer)
    assert [e.column for e in caught.value.errors] == ["C5.1"]
    assert "chỉ trả lời khi B7 = 1" in caught.value.errors[0].message
    assert not SecondEntry.objects.exists()


# --------------------------------------------------------------------------- resolution
def test_a_resolver_picks_per_item_and_the_questionnaire_then_counts(
    double_round, entry_officer, other_officer, staff_user, record
):
    saved = record(entry_officer, "STP-0001")
    double_entry.record_second_entry(response=saved, row=second_row(double_round, C1_2="5", B1="1"),
                                     entered_by=other_officer)
    resolved = double_entry.resolve_mismatch(
        response=saved, choices={"C1.2": "2", "B1": "1"}, resolved_by=staff_user, note="Đối chiếu phiếu giấy"
    )
    assert resolved.verification == Verification.VERIFIED
    stored = services.answers_snapshot(Response.objects.get(pk=saved.pk))
    assert stored["C1.2"] == 5 and stored["B1"] == [1, 3]
    entry = SecondEntry.objects.get(response=saved)
    assert entry.resolved_by == staff_user and entry.resolution_note == "Đối chiếu phiếu giấy"
    edit = AuditEntry.objects.get(action="sửa phiếu", target_id=str(saved.pk))
    assert edit.before["tra_loi"]["C1.2"] == 4 and edit.after["tra_loi"]["C1.2"] == 5
    assert AuditEntry.objects.get(action="đối chiếu nhập kép").after["chon_lan"] == {"B1": "1", "C1.2": "2"}
    assert Response.objects.counted().filter(pk=saved.pk).exists()


def test_resolution_needs_a_choice_for_every_item_and_another_person(
    double_round, entry_officer, other_officer, staff_user, record
):
    saved = record(entry_officer, "STP-0001")
    double_entry.record_second_entry(response=saved, row=second_row(double_round, C1_2="5", B1="1"),
                                     entered_by=other_officer)
    with pytest.raises(double_entry.DoubleEntryRefused, match="B1"):
        double_entry.resolve_mismatch(response=saved, choices={"C1.2": "2"}, resolved_by=staff_user)
    with pytest.raises(double_entry.DoubleEntryRefused, match="người khác"):
        double_entry.resolve_mismatch(response=saved, choices={"C1.2": "2", "B1": "1"}, resolved_by=other_officer)
    assert Response.objects.get(pk=saved.pk).verification == Verification.MISMATCH
    assert services.answers_snapshot(Response.objects.get(pk=saved.pk))["C1.2"] == 4


# --------------------------------------------------------------------------- agreement
def test_agreement_rates_count_forms_and_items_for_both_officers():
    rates = {r.user_id: r for r in double_entry.agreement_rates(
        [(1, 2, 36, 0), (1, 2, 36, 2), (3, 1, 36, 0)], {1: "An", 2: "Bình", 3: "Chi"}
    )}
    assert (rates[1].forms, rates[1].forms_equal, rates[1].as_first, rates[1].as_second) == (3, 2, 2, 1)
    assert rates[1].form_rate == pytest.approx(200 / 3)
    assert rates[1].item_rate == pytest.approx(100 * 106 / 108)
    assert rates[2].form_rate == 50.0
    assert rates[3].form_rate == 100.0 and rates[3].item_rate == 100.0


def test_round_agreement_reads_the_second_entries(double_round, entry_officer, other_officer, record):
    one = record(entry_officer, "STP-0001")
    two = record(entry_officer, "STP-0002")
    double_entry.record_second_entry(response=one, row=second_row(double_round), entered_by=other_officer)
    double_entry.record_second_entry(response=two, row=second_row(double_round, "STP-0002", C1_2="5"),
                                     entered_by=other_officer)
    rates = {r.name: r for r in double_entry.round_agreement(double_round)}
    assert rates["Trần Thị Nhập"].forms == 2 and rates["Trần Thị Nhập"].forms_equal == 1
    assert rates["Lê Văn Khác"].as_second == 2
    items = rates["Lê Văn Khác"].items
    assert items == 2 * (4 + 37)  # 4 details + 37 questions of SIPAS-LS-2022, per form
    assert rates["Lê Văn Khác"].items_equal == items - 1
    per_question = {c: d for c, _label, _t, d in double_entry.question_agreement(
        double_round, services.load_storable_definition(double_round))}
    assert per_question["C1.2"] == 1 and per_question["C1.1"] == 0
