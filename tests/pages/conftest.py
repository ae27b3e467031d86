"""Fixtures of the page tests: the Lạng Sơn 2022 reference round (`langson_round` of
tests/conftest.py), with or without the 600-questionnaire sample imported and its indexes computed."""
from __future__ import annotations

from pathlib import Path

import pytest

from indexes.services import recompute_round
from surveys.accounts import roles
from surveys.models import SurveyRound
from surveys.responses import services
from tests.security.users import make_user

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT.parent / "shared" / "samples"
SAMPLE_XLSX = SAMPLES / "langson-2022-sample.xlsx"
SAMPLE_EXPECTED = SAMPLES / "langson-2022-sample.expected.json"


@pytest.fixture
def user(db):
    """A Sở Nội vụ staff member (Cán bộ Sở Nội vụ): every page and every agency."""
    return make_user("canbo", roles.STAFF)


@pytest.fixture
def client_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def sample_round(langson_round) -> SurveyRound:
    """LS-2022 with the sample workbook imported and every index computed."""
    if not SAMPLE_XLSX.is_file():
        pytest.skip(f"không có tệp mẫu {SAMPLE_XLSX}")
    outcome = services.import_responses(survey_round=langson_round, source=str(SAMPLE_XLSX), entered_by=None)
    assert outcome.ok, [str(e) for e in outcome.errors[:5]]
    recompute_round(round_id=langson_round.pk, force=True)
    langson_round.refresh_from_db()
    return langson_round
