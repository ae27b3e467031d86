"""The questionnaire definition carries its sections and gate hints, and the pages read them."""
from __future__ import annotations

from indexes.dashboards import DEMOGRAPHIC_SECTION, EXPECTATION_SECTION, PROCESS_SECTION
from indexes.figures import round_definition, section_questions
from reporting.content import share_tables
from surveys.questionnaires.definition import GateHint, QuestionDef, QuestionnaireDef
from surveys.questionnaires.paper import PaperCopy, gating_notes, paper_questionnaires_html
from surveys.selectors import load_definition

LANGSON_SECTIONS = [
    ("A", "Thông tin chung (về người trả lời)", ("A1", "A2", "A3", "A4", "A5", "A6")),
    ("B", "Quá trình giao dịch", ("B1", "B2", "B3", "B4", "B5", "B6", "B7")),
    ("C", "Mức độ hài lòng", (
        "C1.1", "C1.2", "C1.3", "C2.1", "C2.2", "C2.3", "C2.4", "C2.5", "C3.1", "C3.2", "C3.3", "C3.4", "C3.5",
        "C3.6", "C4.1", "C4.2", "C4.3", "C4.4", "C5.1", "C5.2", "C5.3", "C5.4",
    )),
    ("D", "Mong đợi", ("D1", "D2")),
]


def test_the_definition_carries_the_sections_in_order_with_their_questions(langson_round):
    definition = load_definition(langson_round.questionnaire)
    assert [(s.code, s.title, s.question_codes) for s in definition.sections] == LANGSON_SECTIONS
    assert definition.section_of["B5"] == "B" and definition.section_of["C5.1"] == "C"
    assert definition.version == str(langson_round.questionnaire.definition_version)


def test_gate_hints_are_composed_once_for_every_gated_question(langson_round):
    definition = load_definition(langson_round.questionnaire)
    gated = {q.code for q in definition.questions if q.condition_question}
    assert set(definition.gate_hints) == gated
    assert definition.gate_hints["B5"] == GateHint(
        "B4 = 3", "Chỉ trả lời nếu chọn 3 ở câu B4.", "trả kết quả muộn hơn hẹn"
    )
    assert definition.gate_hints["C5.1"].entry == "Chỉ trả lời khi B7 = 1."
    assert definition.gate_condition("B5") == "B4 = 3" and definition.gate_condition("B4") == ""


def test_a_multi_choice_gate_reads_has_chosen():
    definition = QuestionnaireDef(
        code="T",
        questions=(
            QuestionDef("B1", "Kênh", "multi", {1: "a", 2: "b"}, max_choices=2),
            QuestionDef("B2", "Vì sao", "text", {}, condition_question="B1", condition_values=frozenset({1, 2})),
        ),
        factors=(),
    )
    assert definition.gate_hints["B2"].paper == "Chỉ trả lời nếu có chọn 1 hoặc 2 ở câu B1."


def test_the_paper_form_prints_the_definitions_gate_hints(langson_round):
    definition = load_definition(langson_round.questionnaire)
    _, beside = gating_notes(definition)
    assert beside == {code: hint.paper for code, hint in definition.gate_hints.items()}
    html = paper_questionnaires_html(
        survey_round=langson_round, copies=[PaperCopy("STP-LLTP-0001", "STP", "LLTP")], base_url="https://x.vn"
    )
    for hint in definition.gate_hints.values():
        assert hint.paper in html
    for code, title, _ in LANGSON_SECTIONS:  # the paper prints the definition's sections in order
        assert f"{code}. {title}" in html or title in html
    assert [html.index(title) for _, title, _ in LANGSON_SECTIONS] == sorted(
        html.index(title) for _, title, _ in LANGSON_SECTIONS
    )


def test_the_dashboard_and_the_report_group_questions_the_same_way(langson_round):
    definition = round_definition(langson_round)
    # A province result with option shares for every choice question of the questionnaire.
    province = {"shares": {
        q.code: {"n": 10, "options": {str(v): 100 / len(q.options) for v in q.options}}
        for q in definition.questions if q.kind in ("single", "multi")
    }}
    for section in (DEMOGRAPHIC_SECTION, PROCESS_SECTION, EXPECTATION_SECTION):
        dashboard = [q.code for q in section_questions(definition, section)]
        report = [t.code for t in share_tables(province, definition, section)]
        assert dashboard == report and dashboard
    assert [q.code for q in section_questions(definition, PROCESS_SECTION)] == ["B1", "B2", "B3", "B4", "B5", "B6", "B7"]
