"""A builder change is seen by the next read of the cached definition, without waiting."""
from __future__ import annotations

from indexes.figures import round_definition
from surveys.models import Question, Section, SurveyRound
from surveys.questionnaires import services as bs
from surveys.selectors import cached_definition, definition_cache_key


def fresh(survey_round: SurveyRound) -> SurveyRound:
    """The round as the next request reads it."""
    return SurveyRound.objects.select_related("questionnaire").get(pk=survey_round.pk)


def test_renaming_a_section_is_seen_by_the_next_read(langson_round, staff_user):
    before = round_definition(fresh(langson_round))
    assert before.sections[1].title == "Quá trình giao dịch"
    questionnaire = fresh(langson_round).questionnaire
    old_key = definition_cache_key(questionnaire)
    section = Section.objects.get(questionnaire=questionnaire, code="B")
    bs.save_section(questionnaire=questionnaire, section=section, code="B", title="Quá trình làm thủ tục",
                    order=section.order, changed_by=staff_user)
    assert definition_cache_key(questionnaire) != old_key
    after = round_definition(fresh(langson_round))
    assert after.sections[1].title == "Quá trình làm thủ tục"
    assert after.version != before.version


def test_every_builder_change_bumps_the_version(langson_round, staff_user):
    questionnaire = fresh(langson_round).questionnaire
    versions = {questionnaire.definition_version}
    question = Question.objects.get(questionnaire=questionnaire, code="A1")
    bs.save_question(
        questionnaire=questionnaire, question=question, changed_by=staff_user,
        data=bs.QuestionInput(section=question.section, code="A1", text="Giới tính của ông/bà", kind="single",
                              order=question.order, options=((1, "Nam"), (2, "Nữ"))),
    )
    versions.add(fresh(langson_round).questionnaire.definition_version)
    assert len(versions) == 2
    assert cached_definition(fresh(langson_round).questionnaire).by_code["A1"].text == "Giới tính của ông/bà"
    bs.save_section(questionnaire=questionnaire, code="E", title="Phần mới", order=9, changed_by=staff_user)
    bs.delete_section(section=Section.objects.get(questionnaire=questionnaire, code="E"), changed_by=staff_user)
    versions.add(fresh(langson_round).questionnaire.definition_version)
    assert len(versions) == 3
    assert [s.code for s in cached_definition(fresh(langson_round).questionnaire).sections] == ["A", "B", "C", "D"]
