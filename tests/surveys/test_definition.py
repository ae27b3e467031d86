"""Validation rules of methodology §4 on the pure questionnaire definition."""
from surveys.questionnaires.definition import validate_answers
from tests.indexes.test_engine import DEFINITION


def messages(answers):
    return [(e.question, e.message) for e in validate_answers(DEFINITION, answers)]


def test_valid_form_has_no_error():
    assert messages({"A1": 1, "B7": 1, "C1.1": 4, "C5.1": 5, "D1": frozenset({1, 3})}) == []


def test_feedback_criterion_without_feedback_is_rejected_naming_the_gate():
    assert messages({"B7": 2, "C1.1": 4, "C5.1": 5}) == [
        ("C5.1", "chỉ trả lời khi B7 = 1 (có góp ý, phản ánh, kiến nghị)")
    ]
    # A blank B7 is not "1" either.
    assert messages({"C1.1": 4, "C5.1": 5})[0][0] == "C5.1"


def test_form_without_any_f1_to_f4_answer_is_invalid():
    errors = messages({"A1": 1, "B7": 1, "C5.1": 5})
    assert errors == [(None, "phiếu không có câu trả lời nào về mức độ hài lòng (phần C) nên không hợp lệ")]


def test_wrong_option_numbers_are_named():
    assert messages({"A1": 3, "C1.1": 6}) == [
        ("A1", "không có phương án 3 (chỉ có 1–2)"),
        ("C1.1", "không có phương án 6 (chỉ có 1–5)"),
    ]


def test_multi_choice_limits():
    assert messages({"C1.1": 4, "D1": frozenset({1, 2, 3})}) == [
        ("D1", "chọn tối đa 2 phương án, phiếu chọn 3")
    ]
    assert messages({"C1.1": 4, "D1": frozenset({4})}) == [("D1", "không có phương án 4 (chỉ có 1–3)")]


def test_unknown_question_code():
    assert messages({"C1.1": 4, "Z9": 1}) == [("Z9", "câu hỏi Z9 không có trong bộ câu hỏi TINY")]


def test_a_questionnaire_too_wide_for_the_slot_columns_is_refused():
    from surveys.questionnaires.definition import FactorDef, QuestionDef, QuestionnaireDef
    from surveys.questionnaires.scoring import check_storable, derived_columns

    scale = {v: str(v) for v in range(1, 6)}
    wide = QuestionnaireDef(
        code="RONG",
        questions=tuple(QuestionDef(f"C{k}", "?", "scale", scale, factor="F1") for k in range(41)),
        factors=(FactorDef("F1", "Một"),),
    )
    assert check_storable(wide) == ["Bộ câu hỏi có 41 tiêu chí; tối đa 40."]
    many_options = QuestionnaireDef(
        code="NHIEU", factors=(),
        questions=tuple(QuestionDef(f"Q{k}", "?", "single", {v: str(v) for v in range(1, 10)}) for k in range(11)),
    )
    assert check_storable(many_options) == [
        "Bộ câu hỏi có 99 phương án của các câu hỏi chọn một, chọn nhiều; tối đa 90."
    ]
    assert check_storable(DEFINITION) == []
    row = derived_columns(DEFINITION, {"A1": 2, "B7": 1, "C1.1": 5, "C1.2": 3, "C5.1": 4, "D1": frozenset({1, 3})})
    assert row["ratio"] == 2 / 3 and row["f1"] == 0.5 and row["f2"] is None and row["f3"] == 1.0
    assert (row["c01"], row["c02"], row["c03"], row["c04"]) == (5, 3, None, 4)
    # Option counters, 20 bits each, three to a column, in questionnaire order:
    # A1:1, A1:2, B7:1 | B7:2, D1:1, D1:2 | D1:3, D1:answered.
    assert row["p01"] == (1 << 20) + (1 << 40)  # A1 = 2, B7 = 1
    assert row["p02"] == 1 << 20  # D1 option 1
    assert row["p03"] == 1 + (1 << 20)  # D1 option 3, D1 answered
