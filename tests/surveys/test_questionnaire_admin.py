"""Admin for every model; questionnaires are only shown there (edited in the builder) and can be copied."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from surveys.models import Question, Response, SurveyRound
from surveys.responses import services
from surveys.responses.demo import generate_rows
from surveys.selectors import load_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_ls(client, langson_round):
    user = get_user_model().objects.create_superuser("quantri", "qt@example.com", "mat-khau-dai-123")
    client.force_login(user)
    return client


def add_one_response(survey_round: SurveyRound) -> None:
    definition = load_definition(survey_round.questionnaire)
    rows = list(generate_rows(definition, [("SNV", "TDKT", 1)], seed=1, first_day=survey_round.starts_on,
                              last_day=survey_round.ends_on, serial_prefix="A-"))
    services.save_parsed_rows(survey_round=survey_round, definition=definition, rows=rows, entered_by=None)


@pytest.mark.parametrize(
    "model",
    ["level", "agency", "domain", "questionnaire", "question", "surveyround", "response"],
)
def test_admin_changelists_open(admin_client_ls, model):
    app = "indexes" if model in ("indexresult", "publishedresult") else "surveys"
    response = admin_client_ls.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200


def test_admin_index_results_and_published(admin_client_ls):
    for model in ("indexresult", "publishedresult"):
        assert admin_client_ls.get(reverse(f"admin:indexes_{model}_changelist")).status_code == 200


def test_questions_are_view_only_in_the_admin_locked_or_not(admin_client_ls, langson_round):
    """Questionnaires change in the builder (/bo-cau-hoi/), which checks its rules and its own
    lock; the admin only shows them, before and after the round has responses."""
    questionnaire = langson_round.questionnaire
    question = Question.objects.get(questionnaire=questionnaire, code="C1.1")
    url = reverse("admin:surveys_question_change", args=[question.pk])
    builder = reverse("builder:questionnaire_detail", args=[questionnaire.code]).encode()
    for with_responses in (False, True):
        if with_responses:
            add_one_response(langson_round)
        assert questionnaire.is_locked is with_responses
        page = admin_client_ls.get(url)
        assert page.status_code == 200 and b'name="text"' not in page.content  # view only
        assert builder in page.content
        posted = admin_client_ls.post(url, {"text": "đã sửa"})
        assert posted.status_code == 403
        assert Question.objects.get(pk=question.pk).text != "đã sửa"


def test_copy_questionnaire_keeps_every_rule(langson_round):
    original = langson_round.questionnaire
    copy = services.copy_questionnaire(questionnaire=original, new_code="SIPAS-LS-2023")
    assert copy.copied_from == original
    assert load_definition(copy).questions == load_definition(original).questions
    assert load_definition(copy).factors == load_definition(original).factors
    gated = Question.objects.get(questionnaire=copy, code="C5.3")
    assert gated.condition_question.questionnaire == copy and gated.condition_question.code == "B7"
    assert not copy.is_locked


def test_response_admin_is_read_only(admin_client_ls, langson_round):
    add_one_response(langson_round)
    response = Response.objects.get()
    page = admin_client_ls.get(reverse("admin:surveys_response_change", args=[response.pk]))
    assert page.status_code == 200
    assert admin_client_ls.post(reverse("admin:surveys_response_delete", args=[response.pk]), {"post": "yes"}).status_code == 403
    assert Response.objects.count() == 1
