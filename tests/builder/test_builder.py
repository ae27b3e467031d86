"""Questionnaire builder: rules, lock, copy, audit, pages."""
from __future__ import annotations

import pytest

from surveys.models import AuditEntry, Factor, Option, Question, Questionnaire, Section
from surveys.questionnaires import services as bs
from surveys.questionnaires.definition import QuestionDef, QuestionnaireDef
from surveys.selectors import load_definition

from .conftest import add_response

SCALE = {v: str(v) for v in range(1, 6)}


def test_check_definition_names_each_problem():
    definition = QuestionnaireDef(
        code="T",
        questions=(
            QuestionDef("A1", "Giới tính", "single", {1: "Nam", 2: "Nữ"}),
            QuestionDef("B1", "Kênh", "multi", {1: "a", 2: "b"}, max_choices=3),
            QuestionDef("C1", "Trụ sở", "scale", SCALE),
            QuestionDef("C2", "Thái độ", "scale", SCALE, factor="F9", condition_question="A1",
                        condition_values=frozenset({3})),
            QuestionDef("C3", "x", "scale", SCALE, factor="F1", condition_question="D1",
                        condition_values=frozenset({1})),
            QuestionDef("D1", "Ý kiến", "text", {}),
        ),
        factors=(),
    )
    problems = bs.check_definition(definition)
    assert problems == [
        "Câu B1: số lựa chọn tối đa (3) lớn hơn số phương án (2).",
        "Câu C1: câu thang hài lòng phải gắn với một yếu tố.",
        "Câu C2: yếu tố F9 không có trong bộ câu hỏi.",
        "Câu C2: câu A1 không có phương án 3.",
        "Câu C3: yếu tố F1 không có trong bộ câu hỏi.",
        "Câu C3: câu điều kiện D1 phải là câu chọn một hoặc chọn nhiều.",
    ]


def test_reference_questionnaire_passes(langson_round):
    definition = load_definition(langson_round.questionnaire)
    assert bs.check_definition(definition) == []
    assert bs.completeness_warnings(definition) == []


def test_questionnaire_with_responses_is_locked(langson_round, staff_user):
    questionnaire = langson_round.questionnaire
    assert bs.lock_reason(questionnaire) is None
    add_response(langson_round)
    assert "đã có phiếu trả lời trong đợt LS-2022" in bs.lock_reason(questionnaire)
    question = Question.objects.get(questionnaire=questionnaire, code="A1")
    before = AuditEntry.objects.count()
    with pytest.raises(bs.BuilderError, match="chỉ được xem, không được sửa"):
        bs.save_question(questionnaire=questionnaire, question=question, changed_by=staff_user,
                         data=bs.QuestionInput(section=question.section, code="A1", text="Giới tính (sửa)",
                                               kind="single", order=1, options=((1, "Nam"), (2, "Nữ"))))
    with pytest.raises(bs.BuilderError):
        bs.save_section(questionnaire=questionnaire, code="E", title="Mới", order=9, changed_by=staff_user)
    with pytest.raises(bs.BuilderError):
        bs.delete_question(question=Question.objects.get(questionnaire=questionnaire, code="D2"),
                           changed_by=staff_user)
    assert Question.objects.get(pk=question.pk).text == "Giới tính"
    assert AuditEntry.objects.count() == before


def test_closed_round_locks_its_questionnaire(langson_round):
    type(langson_round).objects.filter(pk=langson_round.pk).update(status="closed")
    assert "đã đóng" in bs.lock_reason(langson_round.questionnaire)


@pytest.fixture
def draft(langson_round, staff_user) -> Questionnaire:
    return bs.copy_to_new_version(questionnaire=langson_round.questionnaire, new_code="SIPAS-2026",
                                  changed_by=staff_user)


def test_copy_to_new_version_is_editable_and_audited(langson_round, draft, staff_user):
    add_response(langson_round)  # the original is locked, the copy is not
    assert bs.lock_reason(draft) is None
    assert draft.copied_from == langson_round.questionnaire
    assert load_definition(draft).criterion_codes == load_definition(langson_round.questionnaire).criterion_codes
    assert AuditEntry.objects.filter(action="sao chép bộ câu hỏi", target_repr="SIPAS-2026").exists()
    with pytest.raises(bs.BuilderError, match="đã có"):
        bs.copy_to_new_version(questionnaire=draft, new_code="SIPAS-LS-2022", changed_by=staff_user)


def test_add_a_gated_criterion_and_edit_its_options(draft, staff_user):
    section = Section.objects.get(questionnaire=draft, code="C")
    factor = Factor.objects.get(questionnaire=draft, code="F3")
    gate = Question.objects.get(questionnaire=draft, code="B7")
    question = bs.save_question(questionnaire=draft, changed_by=staff_user, data=bs.QuestionInput(
        section=section, code="C3.7", text="Công chức đeo thẻ công chức", kind="scale", order=99, options=(),
        factor=factor, condition_question=gate, condition_values=(1,)))
    assert dict(question.options.values_list("value", "label"))[5] == "Rất hài lòng"  # default 1–5 scale
    definition = load_definition(draft)
    assert "C3.7" in definition.criterion_codes
    assert definition.by_code["C3.7"].condition_values == frozenset({1})
    created = AuditEntry.objects.filter(action="tạo", target_type="surveys.Question", target_repr="C3.7")
    assert created.count() == 1
    bs.save_question(questionnaire=draft, question=question, changed_by=staff_user, data=bs.QuestionInput(
        section=section, code="C3.7", text="Công chức đeo thẻ", kind="scale", order=99,
        options=((1, "Rất không hài lòng"), (2, "Không"), (3, "Bình thường"), (4, "Hài lòng"), (5, "Rất hài lòng")),
        factor=factor))
    assert Option.objects.get(question=question, value=2).label == "Không"
    assert AuditEntry.objects.filter(action="sửa", target_type="surveys.Option").exists()


def test_a_change_that_breaks_a_rule_saves_nothing(draft, staff_user):
    section = Section.objects.get(questionnaire=draft, code="B")
    gate = Question.objects.get(questionnaire=draft, code="B4")
    count = Question.objects.filter(questionnaire=draft).count()
    before = AuditEntry.objects.count()
    with pytest.raises(bs.BuilderError) as caught:
        bs.save_question(questionnaire=draft, changed_by=staff_user, data=bs.QuestionInput(
            section=section, code="B8", text="Câu hỏi mới", kind="single", order=99,
            options=((1, "Có"), (2, "Không")), condition_question=gate, condition_values=(7,)))
    assert caught.value.problems == ["Câu B8: câu B4 không có phương án 7."]
    assert Question.objects.filter(questionnaire=draft).count() == count
    assert AuditEntry.objects.count() == before  # the audit rows of the rolled-back change are gone too


def test_too_many_criteria_for_storage_are_refused(draft, staff_user):
    section = Section.objects.get(questionnaire=draft, code="C")
    factor = Factor.objects.get(questionnaire=draft, code="F1")
    for k in range(18):  # 22 + 18 = 40, the limit
        bs.save_question(questionnaire=draft, changed_by=staff_user, data=bs.QuestionInput(
            section=section, code=f"C9.{k}", text=f"Tiêu chí {k}", kind="scale", order=200 + k, options=(),
            factor=factor))
    with pytest.raises(bs.BuilderError, match="41 tiêu chí; tối đa 40"):
        bs.save_question(questionnaire=draft, changed_by=staff_user, data=bs.QuestionInput(
            section=section, code="C9.99", text="Một tiêu chí nữa", kind="scale", order=300, options=(),
            factor=factor))
    assert not Question.objects.filter(questionnaire=draft, code="C9.99").exists()


def test_delete_guards(draft, staff_user):
    with pytest.raises(bs.BuilderError, match="là điều kiện của các câu C5.1"):
        bs.delete_question(question=Question.objects.get(questionnaire=draft, code="B7"), changed_by=staff_user)
    with pytest.raises(bs.BuilderError, match="còn câu hỏi"):
        bs.delete_section(section=Section.objects.get(questionnaire=draft, code="D"), changed_by=staff_user)
    with pytest.raises(bs.BuilderError, match="còn tiêu chí"):
        bs.delete_factor(factor=Factor.objects.get(questionnaire=draft, code="F5"), changed_by=staff_user)
    bs.delete_question(question=Question.objects.get(questionnaire=draft, code="D2"), changed_by=staff_user)
    assert not Question.objects.filter(questionnaire=draft, code="D2").exists()


# ---- pages -----------------------------------------------------------------------------------

def test_pages_list_detail_preview(client, langson_round, staff_user):
    client.force_login(staff_user)
    assert "SIPAS-LS-2022" in client.get("/bo-cau-hoi/").content.decode()
    detail = client.get("/bo-cau-hoi/SIPAS-LS-2022/").content.decode()
    assert "C5.1" in detail and "B7 = 1" in detail and "22 tiêu chí" in detail
    preview = client.get("/bo-cau-hoi/SIPAS-LS-2022/xem-truoc/").content.decode()
    assert 'type="checkbox" name="D1"' in preview and 'type="radio" name="C1.1"' in preview
    assert "Nếu chọn 2 ở câu B7 thì bỏ qua các câu C5.1, C5.2, C5.3, C5.4." in preview


def test_locked_questionnaire_pages_are_read_only(client, langson_round, staff_user):
    add_response(langson_round)
    client.force_login(staff_user)
    detail = client.get("/bo-cau-hoi/SIPAS-LS-2022/").content.decode()
    assert 'id="khoa"' in detail and "Thêm câu hỏi" not in detail
    question = Question.objects.get(questionnaire=langson_round.questionnaire, code="A1")
    response = client.post(f"/bo-cau-hoi/SIPAS-LS-2022/cau-hoi/{question.pk}/", {
        "section": question.section_id, "code": "A1", "text": "Đổi", "kind": "single", "order": "1",
        "options": "1. Nam\n2. Nữ"})
    assert response.status_code == 400 and "chỉ được xem, không được sửa" in response.content.decode()
    assert Question.objects.get(pk=question.pk).text == "Giới tính"


def test_question_form_with_the_keyboard_style_options(client, draft, staff_user):
    client.force_login(staff_user)
    section = Section.objects.get(questionnaire=draft, code="A")
    response = client.post("/bo-cau-hoi/SIPAS-2026/cau-hoi/moi/", {
        "section": section.pk, "code": "A7", "text": "Nơi cư trú", "kind": "single", "order": "7",
        "options": "Thành thị\nNông thôn\n5) Khác"})
    assert response.status_code == 302
    question = Question.objects.get(questionnaire=draft, code="A7")
    assert list(question.options.values_list("value", "label")) == [(1, "Thành thị"), (2, "Nông thôn"), (5, "Khác")]
    response = client.post("/bo-cau-hoi/SIPAS-2026/cau-hoi/moi/", {
        "section": section.pk, "code": "A8", "text": "Hỏi", "kind": "multi", "order": "8", "options": "a\nb",
        "max_choices": "5"})
    assert response.status_code == 400
    assert "Câu A8: số lựa chọn tối đa (5) lớn hơn số phương án (2)." in response.content.decode()
    assert not Question.objects.filter(questionnaire=draft, code="A8").exists()


def test_sections_and_factors_from_the_page(client, draft, staff_user):
    client.force_login(staff_user)
    client.post("/bo-cau-hoi/SIPAS-2026/phan/", {"phan-moi-code": "E", "phan-moi-title": "Phần thêm",
                                                "phan-moi-order": "5"})
    section = Section.objects.get(questionnaire=draft, code="E")
    client.post("/bo-cau-hoi/SIPAS-2026/phan/", {"pk": section.pk, "code": "E", "title": "Phần E (sửa)", "order": "5"})
    assert Section.objects.get(pk=section.pk).title == "Phần E (sửa)"
    client.post("/bo-cau-hoi/SIPAS-2026/phan/", {"pk": section.pk, "action": "delete"})
    assert not Section.objects.filter(pk=section.pk).exists()
    client.post("/bo-cau-hoi/SIPAS-2026/yeu-to/", {"yeu-to-moi-code": "F6", "yeu-to-moi-name": "Số hóa",
                                                  "yeu-to-moi-order": "6"})
    assert Factor.objects.filter(questionnaire=draft, code="F6").exists()
    page = client.get("/bo-cau-hoi/SIPAS-2026/").content.decode()
    assert "Yếu tố chưa có tiêu chí: F6." in page
    response = client.post("/bo-cau-hoi/SIPAS-2026/phan/", {"phan-moi-code": "A", "phan-moi-title": "Trùng",
                                                           "phan-moi-order": "1"}, follow=True)
    assert "Phần A đã có trong bộ câu hỏi." in response.content.decode()


def test_copy_and_create_pages(client, langson_round, staff_user):
    client.force_login(staff_user)
    response = client.post("/bo-cau-hoi/SIPAS-LS-2022/sao-chep/", {"new_code": "SIPAS-2027", "new_name": ""})
    assert response.status_code == 302 and response["Location"] == "/bo-cau-hoi/SIPAS-2027/"
    response = client.post("/bo-cau-hoi/moi/", {"code": "TRONG", "name": "Bộ câu hỏi trống"})
    assert response["Location"] == "/bo-cau-hoi/TRONG/"
    assert "chưa có câu thang hài lòng" in client.get("/bo-cau-hoi/TRONG/").content.decode()


def test_builder_refuses_other_roles(client, langson_round, agency_user):
    client.force_login(agency_user)
    assert client.get("/bo-cau-hoi/").status_code == 403
    assert client.post("/bo-cau-hoi/SIPAS-LS-2022/sao-chep/", {"new_code": "X"}).status_code == 403
    assert not Questionnaire.objects.filter(code="X").exists()
