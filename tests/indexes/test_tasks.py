"""The Celery task wrapper around the recomputation (run eagerly here, see tests/conftest.py)."""
import pytest

from indexes import tasks
from indexes.models import IndexResult
from sipas_portal.celery import app
from surveys.models import SurveyRound

pytestmark = pytest.mark.django_db


def test_suite_runs_tasks_eagerly():
    assert app.conf.task_always_eager is True


def test_task_for_a_deleted_round_gives_up_instead_of_retrying():
    assert not SurveyRound.objects.filter(pk=987654).exists()
    result = tasks.recompute_round.delay(987654)
    assert result.successful()
    assert result.get() is False


def test_task_computes_a_stale_round_once(langson_round):
    assert tasks.recompute_round.delay(langson_round.pk).get() is True
    count = IndexResult.objects.filter(round=langson_round).count()
    assert count > 0
    assert tasks.recompute_round.delay(langson_round.pk).get() is False  # already current
    assert IndexResult.objects.filter(round=langson_round).count() == count


def test_sweep_sends_only_stale_rounds(langson_round):
    tasks.recompute_round.delay(langson_round.pk)
    assert tasks.recompute_stale_rounds.delay().get() == 0
    SurveyRound.objects.filter(pk=langson_round.pk).update(data_version=langson_round.data_version + 5)
    assert tasks.recompute_stale_rounds.delay().get() == 1
    assert SurveyRound.objects.get(pk=langson_round.pk).computed_version == langson_round.data_version + 5
