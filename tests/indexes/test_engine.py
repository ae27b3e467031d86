"""The index engine against cases computed by hand (methodology.md §2–§3).

A small questionnaire: F1 = C1.1, C1.2; F2 = C2.1; F5 = C5.1 (asked only when B7 = 1).
Four respondents; the expected values are worked out in the comments.
"""
import pytest

from indexes.engine import AgencyNode, RoundStructure, compute_from_responses, percent, tally_response
from surveys.questionnaires.definition import FactorDef, QuestionDef, QuestionnaireDef, score_answers

SCALE = {1: "Rất không hài lòng", 2: "Không hài lòng", 3: "Bình thường", 4: "Hài lòng", 5: "Rất hài lòng"}

DEFINITION = QuestionnaireDef(
    code="TINY",
    questions=(
        QuestionDef("A1", "Giới tính", "single", {1: "Nam", 2: "Nữ"}),
        QuestionDef("B7", "Có góp ý?", "single", {1: "Có", 2: "Không"}),
        QuestionDef("C1.1", "Trụ sở", "scale", SCALE, factor="F1"),
        QuestionDef("C1.2", "Trang thiết bị", "scale", SCALE, factor="F1"),
        QuestionDef("C2.1", "Niêm yết", "scale", SCALE, factor="F2"),
        QuestionDef("C5.1", "Tiếp nhận góp ý", "scale", SCALE, factor="F5", condition_question="B7",
                    condition_values=frozenset({1})),
        QuestionDef("D1", "Cần cải thiện", "multi", {1: "a", 2: "b", 3: "c"}, max_choices=2),
    ),
    factors=(FactorDef("F1", "Tiếp cận"), FactorDef("F2", "Thủ tục"), FactorDef("F5", "Góp ý")),
)

STRUCTURE = RoundStructure(
    province_name="Tỉnh Thử",
    levels={"SO": "Sở", "HUYEN": "Huyện", "XA": "Xã"},
    agencies={
        "S": AgencyNode("S", "Sở S", "SO"),
        "H": AgencyNode("H", "UBND huyện H", "HUYEN"),
        "X1": AgencyNode("X1", "Xã X1", "XA", parent="H"),
        "X2": AgencyNode("X2", "Xã X2", "XA", parent="H"),
    },
    domains={"D": "Đất đai", "E": "Hộ tịch"},
    agency_domains=(("S", "E"), ("H", "D"), ("X1", "D"), ("X2", "D")),
)

RESPONSES = [
    # R1: B7=2, C1.1=5 C1.2=3 C2.1=4 → a=3 b=2 (2/3); F1 1/2; F2 1/1; F5 not applicable.
    ("X1", "D", {"A1": 1, "B7": 2, "C1.1": 5, "C1.2": 3, "C2.1": 4, "D1": frozenset({1, 2})}),
    # R2: B7=1, C1.1=4, C1.2 blank, C2.1=2, C5.1=5 → a=3 b=2 (2/3); F1 1/1; F2 0/1; F5 1/1.
    ("X1", "D", {"A1": 2, "B7": 1, "C1.1": 4, "C2.1": 2, "C5.1": 5, "D1": frozenset({2})}),
    # R3: C1.1=1 C1.2=2, C2.1 blank → a=2 b=0 (0); F1 0/2; no F2; no F5.
    ("H", "D", {"A1": 1, "B7": 2, "C1.1": 1, "C1.2": 2}),
    # R4: B7=1, C1.1=4 C1.2=5 C2.1=5 C5.1=3 → a=4 b=3 (3/4); F1 1; F2 1; F5 0.
    ("S", "E", {"B7": 1, "C1.1": 4, "C1.2": 5, "C2.1": 5, "C5.1": 3, "D1": frozenset({3})}),
]


@pytest.fixture(scope="module")
def results():
    rows = [(a, d, score_answers(DEFINITION, answers), answers) for a, d, answers in RESPONSES]
    computed = compute_from_responses(STRUCTURE, DEFINITION, rows, share_questions=("A1", "D1"))
    return {(r.scope, r.code): r.values for r in computed}


def test_score_counts_only_applicable_answered_criteria():
    score = score_answers(DEFINITION, RESPONSES[1][2])
    assert (score.a, score.b) == (3, 2)
    assert score.factor_answered == {"F1": 1, "F2": 1, "F5": 1}
    assert score.factor_satisfied == {"F1": 1, "F2": 0, "F5": 1}
    assert score.answered == {"C1.1", "C2.1", "C5.1"}
    assert score.satisfied == {"C1.1", "C5.1"}


def test_feedback_factor_ignored_when_gate_is_closed():
    # C5.1 answered although B7 = 2 (validation rejects this; scoring must still not count it).
    score = score_answers(DEFINITION, {"B7": 2, "C1.1": 4, "C5.1": 5})
    assert score.factor_answered["F5"] == 0
    assert (score.a, score.b) == (1, 1)


def test_province_is_pooled_mean_over_respondents(results):
    province = results[("province", None)]
    assert province.n == 4
    # (2/3 + 2/3 + 0 + 3/4) / 4 = 0.5208333…
    assert province.sipas == pytest.approx(100 * (2 / 3 + 2 / 3 + 0 + 3 / 4) / 4)
    assert province.sipas == pytest.approx(52.0833333333)
    # Not the mean of the level indexes (75 + 0 + 66.67) / 3 = 47.22.
    levels = [results[("level", code)].sipas for code in ("SO", "HUYEN", "XA")]
    assert sum(levels) / 3 == pytest.approx(47.2222222222)


def test_factor_indexes_use_only_respondents_who_answered_the_factor(results):
    province = results[("province", None)]
    assert province.factors["F1"] == pytest.approx(100 * (0.5 + 1 + 0 + 1) / 4)  # 62.5
    assert province.factors_n["F1"] == 4
    assert province.factors["F2"] == pytest.approx(100 * (1 + 0 + 1) / 3)  # R3 left C2.1 blank
    assert province.factors_n["F2"] == 3
    assert province.factors["F5"] == pytest.approx(50.0)  # R2: 1, R4: 0 — only those with B7 = 1
    assert province.factors_n["F5"] == 2


def test_criterion_indexes_are_shares_of_4_or_5_among_answers(results):
    province = results[("province", None)]
    assert province.criteria == pytest.approx({"C1.1": 75.0, "C1.2": 100 / 3, "C2.1": 200 / 3, "C5.1": 50.0})
    assert province.criteria_n == {"C1.1": 4, "C1.2": 3, "C2.1": 3, "C5.1": 2}


def test_scope_without_respondents_is_null_not_zero(results):
    empty = results[("agency", "X2")]
    assert empty.n == 0
    assert empty.sipas is None
    assert set(empty.factors.values()) == {None}
    assert set(empty.criteria.values()) == {None}
    assert empty.factors_n == {"F1": 0, "F2": 0, "F5": 0}


def test_zero_is_a_value_when_respondents_were_all_unsatisfied(results):
    district = results[("agency", "H")]
    assert district.n == 1
    assert district.sipas == 0.0
    assert district.factors["F1"] == 0.0
    assert district.factors["F2"] is None  # R3 answered no F2 criterion
    assert district.factors["F5"] is None  # nobody there gave feedback


def test_district_area_rolls_up_the_district_and_its_communes(results):
    area = results[("district_area", "H")]
    assert area.n == 3
    assert area.sipas == pytest.approx(100 * (2 / 3 + 2 / 3 + 0) / 3)  # 44.44
    assert area.factors["F2"] == pytest.approx(50.0)
    assert area.factors_n["F2"] == 2
    assert area.factors["F5"] == pytest.approx(100.0)
    assert ("district_area", "S") not in results  # a sở has no communes


def test_levels_domains_and_agency_domains(results):
    assert results[("level", "XA")].sipas == pytest.approx(100 * 2 / 3)
    assert results[("level", "XA")].factors["F2"] == pytest.approx(50.0)
    assert results[("level", "SO")].sipas == pytest.approx(75.0)
    assert results[("domain", "D")].n == 3
    assert results[("domain", "E")].sipas == pytest.approx(75.0)
    assert results[("agency_domain", "X1/D")].n == 2
    assert results[("agency_domain", "X2/D")].sipas is None


def test_option_shares_use_respondents_who_answered_the_question(results):
    shares = results[("province", None)].shares
    assert shares["A1"]["n"] == 3
    assert shares["A1"]["options"] == pytest.approx({"1": 200 / 3, "2": 100 / 3})
    # Multi-choice: shares add up to more than 100.
    assert shares["D1"]["n"] == 3
    assert shares["D1"]["options"] == pytest.approx({"1": 100 / 3, "2": 200 / 3, "3": 100 / 3})
    assert sum(shares["D1"]["options"].values()) > 100
    assert results[("agency", "X2")].shares["D1"]["options"]["1"] is None


def test_percent_of_nobody_is_none():
    assert percent(0, 0) is None
    assert percent(0, 5) == 0.0


def test_respondent_without_answers_in_scope_of_factor_adds_nothing():
    tally = tally_response(score_answers(DEFINITION, {"C1.1": 2}))
    assert tally.sipas_n == 1 and tally.sipas_sum == 0.0
    assert dict(tally.factor_n) == {"F1": 1}


def test_two_tier_round_needs_no_code_change():
    """Since 1 July 2025: province-level bodies and (merged) communes, no districts."""
    structure = RoundStructure(
        province_name="Tỉnh Thử",
        levels={"TINH": "Cơ quan cấp tỉnh", "XA": "UBND cấp xã"},
        agencies={"S": AgencyNode("S", "Sở S", "TINH"), "XM": AgencyNode("XM", "Xã mới", "XA")},
        domains={"D": "Đất đai"},
        agency_domains=(("S", "D"), ("XM", "D")),
    )
    rows = [(a, d, score_answers(DEFINITION, ans), ans) for a, d, ans in
            [("S", "D", {"C1.1": 5}), ("XM", "D", {"C1.1": 2, "C1.2": 4})]]
    results = {(r.scope, r.code): r.values for r in compute_from_responses(structure, DEFINITION, rows)}
    assert [key for key in results if key[0] == "level"] == [("level", "TINH"), ("level", "XA")]
    assert not [key for key in results if key[0] == "district_area"]
    assert results[("level", "XA")].sipas == pytest.approx(50.0)
    assert results[("province", None)].sipas == pytest.approx(75.0)


def test_intervals_come_from_the_same_tallies(results):
    from indexes.statistics import mean_interval, share_interval, wilson_interval

    province = results[("province", None)]
    ratios = [2 / 3, 2 / 3, 0, 3 / 4]
    assert province.intervals["sipas"] == pytest.approx(
        list(mean_interval(sum(ratios), sum(r * r for r in ratios), 4))
    )
    assert province.intervals["factors"]["F5"] == pytest.approx(list(mean_interval(1 + 0, 1 + 0, 2)))
    assert results[("agency", "H")].intervals["sipas"] is None  # one respondent
    assert results[("agency", "X2")].intervals["factors"]["F1"] is None  # nobody
    # Proportions: the Wilson interval follows from the stored value and n.
    assert share_interval(province.criteria["C1.1"], province.criteria_n["C1.1"]) == pytest.approx(
        wilson_interval(3, 4)
    )
    d1 = province.shares["D1"]
    assert share_interval(d1["options"]["2"], d1["n"]) == pytest.approx(wilson_interval(2, 3))
