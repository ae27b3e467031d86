"""Fixtures of the security tests: the Lạng Sơn 2022 round (`langson_round` of tests/conftest.py,
with the 600-questionnaire sample imported and its indexes computed when asked) and users in the
portal's roles."""
from __future__ import annotations

from pathlib import Path

import pytest

from surveys.accounts import roles
from surveys.models import SurveyRound

from .users import make_user

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_XLSX = REPO_ROOT.parent / "shared" / "samples" / "langson-2022-sample.xlsx"


def sample_path() -> Path:
    if not SAMPLE_XLSX.is_file():
        pytest.skip(f"không có tệp mẫu {SAMPLE_XLSX}")
    return SAMPLE_XLSX


_RESULTS: list[dict] = []  # the sample's computed IndexResult rows, kept after the first use


@pytest.fixture
def computed_round(langson_round) -> SurveyRound:
    """LS-2022 with the indexes of the 600-questionnaire sample stored (no questionnaires).

    The first use imports the sample (command path: unrestricted) and recomputes for real;
    later uses store the same results again, which is all the result pages read."""
    from django.utils import timezone

    from indexes.models import IndexResult
    from indexes.services import recompute_round
    from surveys.responses import services

    if not _RESULTS:
        outcome = services.import_responses(survey_round=langson_round, source=str(sample_path()), entered_by=None)
        assert outcome.ok, [str(e) for e in outcome.errors[:5]]
        recompute_round(round_id=langson_round.pk, force=True)
        _RESULTS.extend(IndexResult.objects.filter(round=langson_round).values())
    else:
        IndexResult.objects.bulk_create(
            IndexResult(**{**row, "id": None, "round_id": langson_round.pk}) for row in _RESULTS
        )
        SurveyRound.objects.filter(pk=langson_round.pk).update(computed_at=timezone.now())
    langson_round.refresh_from_db()
    return langson_round


@pytest.fixture
def staff_user(langson_round):
    return make_user("canbo-snv", roles.STAFF, agency="SNV")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
