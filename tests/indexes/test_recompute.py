"""The database path (derived columns + one grouped query) gives exactly what the pure engine
gives from the respondents themselves, and recomputation is safe to repeat."""
import pytest

from indexes import services
from indexes.engine import compute_from_responses
from indexes.gather import round_structure, share_question_codes
from indexes.models import IndexResult
from surveys.models import SLOT_LAYOUT, Response, RoundAgencyDomain, SurveyRound
from surveys.questionnaires.definition import score_answers
from surveys.responses import services as survey_services
from surveys.responses.demo import allocate, generate_rows
from surveys.selectors import load_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_rows(langson_round):
    definition = load_definition(langson_round.questionnaire)
    quotas = list(
        RoundAgencyDomain.objects.filter(round=langson_round)
        .order_by("agency__code", "domain__code")
        .values_list("agency__code", "domain__code", "quota")
    )
    # 120 over 895 of quota: some agency × domain pairs get nobody (null scopes).
    rows = list(
        generate_rows(
            definition, allocate(120, quotas), seed=7, first_day=langson_round.starts_on,
            last_day=langson_round.ends_on, serial_prefix="T-",
        )
    )
    survey_services.save_parsed_rows(survey_round=langson_round, definition=definition, rows=rows, entered_by=None)
    return definition, rows


def test_database_path_equals_pure_engine(langson_round, demo_rows):
    definition, rows = demo_rows
    from_db = services.compute_round(langson_round)
    reference = compute_from_responses(
        round_structure(langson_round),
        definition,
        [(r.agency_code, r.domain_code, score_answers(definition, r.answers), r.answers) for r in rows],
        share_question_codes(definition),
    )
    assert [(r.scope, r.code) for r in from_db] == [(r.scope, r.code) for r in reference]
    for mine, ref in zip(from_db, reference, strict=True):
        assert mine.values.n == ref.values.n
        assert mine.values.factors_n == ref.values.factors_n
        assert mine.values.criteria_n == ref.values.criteria_n
        assert mine.values.sipas == pytest.approx(ref.values.sipas, abs=1e-9)
        assert mine.values.factors == pytest.approx(ref.values.factors, abs=1e-9)
        assert mine.values.criteria == pytest.approx(ref.values.criteria, abs=1e-9)
        assert _flat(mine.values.intervals) == pytest.approx(_flat(ref.values.intervals), abs=1e-6)
        assert mine.values.shares.keys() == ref.values.shares.keys()
        for question, share in ref.values.shares.items():
            assert mine.values.shares[question]["n"] == share["n"]
            assert mine.values.shares[question]["options"] == pytest.approx(share["options"], abs=1e-9)
    assert any(r.values.n == 0 and r.values.sipas is None for r in from_db)


def test_recompute_stores_once_and_is_idempotent(langson_round, demo_rows):
    round_id = langson_round.pk
    assert services.recompute_round(round_id=round_id, force=True) is True
    first = list(IndexResult.objects.filter(round_id=round_id).values_list("scope", "code", "n", "sipas"))
    survey_round = SurveyRound.objects.get(pk=round_id)
    assert survey_round.computed_version == survey_round.data_version
    assert not survey_round.is_stale
    # Current results: nothing to do; forced: same numbers, no duplicates.
    assert services.recompute_round(round_id=round_id) is False
    assert services.recompute_round(round_id=round_id, force=True) is True
    again = list(IndexResult.objects.filter(round_id=round_id).values_list("scope", "code", "n", "sipas"))
    assert again == first
    assert len(first) == 86 + 3 + 1 + 11 + 36 + 169


def test_saving_responses_marks_the_round_stale_and_eager_task_recomputes(langson_round, demo_rows, django_capture_on_commit_callbacks):
    definition, rows = demo_rows
    before = SurveyRound.objects.get(pk=langson_round.pk)
    extra = [r for r in generate_rows(definition, [("SNV", "TDKT", 2)], seed=99, first_day=before.starts_on,
                                      last_day=before.ends_on, serial_prefix="X-")]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        survey_services.save_parsed_rows(survey_round=before, definition=definition, rows=extra, entered_by=None)
    assert len(callbacks) == 1
    after = SurveyRound.objects.get(pk=langson_round.pk)
    assert after.data_version == before.data_version + 1
    assert after.computed_version == after.data_version
    province = IndexResult.objects.get(round=after, scope="province")
    assert province.n == len(rows) + 2


def test_a_change_during_a_run_leaves_the_round_stale(langson_round, demo_rows):
    survey_round = SurveyRound.objects.get(pk=langson_round.pk)
    results = services.compute_round(survey_round)
    # A save lands after the computation started from version v …
    SurveyRound.objects.filter(pk=survey_round.pk).update(data_version=survey_round.data_version + 1)
    services.store_results(round_id=survey_round.pk, version=survey_round.data_version, results=results)
    # … so the stored results are for v and the round still asks for another run.
    assert SurveyRound.objects.get(pk=survey_round.pk).is_stale


def _flat(intervals: dict) -> list[float]:
    """Every bound of an `intervals` dict in a fixed order (None as -1)."""
    bounds = [intervals["sipas"], *intervals["factors"].values()]
    return [x for bound in bounds for x in (bound or [-1, -1])]


def test_rebuilding_derived_columns_from_answers_changes_nothing(langson_round, demo_rows):
    before = services.compute_round(langson_round)
    Response.objects.filter(round=langson_round).update(ratio=None, c01=None, p01=0, p02=0)
    survey_services.rebuild_derived_columns(survey_round=langson_round)
    after = services.compute_round(SurveyRound.objects.get(pk=langson_round.pk))
    assert [(r.scope, r.code, r.values.n, r.values.criteria, r.values.shares) for r in after] == [
        (r.scope, r.code, r.values.n, r.values.criteria, r.values.shares) for r in before
    ]
    assert [r.values.sipas for r in after] == pytest.approx([r.values.sipas for r in before], nan_ok=True)


# ---- slot storage: the 20-bit counters and the upgrade path ----------------------------------
def test_a_counter_holds_its_group_up_to_the_limit_and_a_larger_group_is_refused(langson_round):
    from surveys.questionnaires.scoring import FIELD_MASK, MAX_GROUP_SIZE, SlotOverflow, slots, unpack_counts

    layout = slots(load_definition(langson_round.questionnaire))
    (first, shift), second = layout.options[("A1", 1)], layout.options[("A1", 2)]
    assert second == (first, shift + 20)  # the next option's counter sits right above
    # Every questionnaire of the group chose A1 = 1: the counter reads the whole group …
    full = unpack_counts(layout, {first: MAX_GROUP_SIZE << shift}, group_size=MAX_GROUP_SIZE, group="STP × LLTP")
    assert (full[("A1", 1)], full[("A1", 2)]) == (FIELD_MASK, 0)
    # … one more would carry into option 2 (read as 0 and 1): that group is refused instead.
    carried = (MAX_GROUP_SIZE + 1) << shift
    assert ((carried >> shift) & FIELD_MASK, (carried >> (shift + 20)) & FIELD_MASK) == (0, 1)
    with pytest.raises(SlotOverflow, match=r"STP × LLTP có 1\.048\.576 phiếu, quá 1\.048\.575 phiếu"):
        unpack_counts(layout, {first: carried}, group_size=MAX_GROUP_SIZE + 1, group="STP × LLTP")


def test_the_computation_refuses_a_group_past_the_limit_by_name(langson_round, demo_rows, monkeypatch):
    from surveys.questionnaires import scoring

    group_sizes = Response.objects.filter(round=langson_round).values_list("agency__code", "domain__code")
    biggest = max({pair: list(group_sizes).count(pair) for pair in set(group_sizes)}.items(), key=lambda i: i[1])
    monkeypatch.setattr(scoring, "MAX_GROUP_SIZE", biggest[1] - 1)  # the limit, scaled down
    with pytest.raises(scoring.SlotOverflow, match=rf"lĩnh vực {biggest[0][1]} có {biggest[1]} phiếu"):
        services.recompute_round(round_id=langson_round.pk, force=True)
    assert not IndexResult.objects.filter(round=langson_round).exists()


def test_an_upgraded_database_rebuilds_its_counters_before_computing(langson_round, demo_rows):
    """As after migration 0003 (packed counters added empty) and 0009 (rounds marked layout 0)."""
    services.recompute_round(round_id=langson_round.pk, force=True)
    before = {(r.scope, r.code): r.shares for r in IndexResult.objects.filter(round=langson_round)}
    assert before[("province", "")]["A1"]
    Response.objects.filter(round=langson_round).update(**{f"p{k:02d}": 0 for k in range(1, 31)})
    SurveyRound.objects.filter(pk=langson_round.pk).update(slot_layout=0)
    assert services.recompute_round(round_id=langson_round.pk, force=True)
    after = {(r.scope, r.code): r.shares for r in IndexResult.objects.filter(round=langson_round)}
    assert after == before
    assert SurveyRound.objects.get(pk=langson_round.pk).slot_layout == SLOT_LAYOUT
