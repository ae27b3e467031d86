"""Every round page holds in every state of a round, for every role: an empty draft, a collecting
round with five questionnaires, a round on its own copy of the questionnaire, a closed and a
published round. No page may fail (500); Sở Nội vụ staff reach every page of every state."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import transaction

from surveys.accounts import roles
from tests.conftest import load_reference_data, reference_data_loaded
from tests.test_permission_matrix import url_patterns

STATES = ("trống", "đang thu thập", "bộ câu hỏi riêng", "đã kết thúc", "đã công bố")
ROLES = ("anon", roles.ADMIN, roles.STAFF, roles.ENTRY, roles.AGENCY, roles.LEADER, roles.SUPERVISOR)
# Round pages: every GET route whose only parameter is the round's code.
ROUND_PAGES = sorted(
    p for p in url_patterns()
    if "<str:code>" in p and set(re.findall(r"<(?:\w+:)?(\w+)>", p)) == {"code"}
)
ANSWERED = {200, 302, 403, 404, 405, 410}
PUBLIC = "cong-khai/"  # the public pages exist only for a published round (tested below)


def _build() -> dict:
    from indexes.services import recompute_round
    from surveys.models import SurveyRound
    from surveys.responses import services
    from surveys.rounds import services as rs
    from tests.responses.conftest import parsed_row
    from tests.security.users import make_user

    if not reference_data_loaded():
        load_reference_data()
    users = {
        roles.ADMIN: make_user("qt.states", roles.ADMIN, agency="SNV", is_staff=True),
        roles.STAFF: make_user("snv.states", roles.STAFF, agency="SNV"),
        roles.ENTRY: make_user("nl.states", roles.ENTRY, entry=("STP", "TPLS")),
        roles.AGENCY: make_user("tpls.states", roles.AGENCY, agency="TPLS"),
        roles.LEADER: make_user("ld.states", roles.LEADER),
        roles.SUPERVISOR: make_user("gs.states", roles.SUPERVISOR),
    }
    staff = users[roles.STAFF]
    source = SurveyRound.objects.get(code="LS-2022")

    def new_round(code: str, **kwargs) -> SurveyRound:
        return rs.create_round(code=code, name=f"Đợt thử {code}", year=2023, starts_on=dt.date(2023, 9, 1),
                               ends_on=dt.date(2023, 12, 31), created_by=staff, source_round=source, **kwargs)

    def collect(survey_round: SurveyRound, count: int) -> None:
        if survey_round.status == "draft":
            rs.change_round_status(survey_round=survey_round, to_status="collecting", reason="", changed_by=staff)
            survey_round.refresh_from_db()
        for k in range(count):
            agency = ("STP", "TPLS", "SKHDT")[k % 3]
            services.record_response(survey_round=survey_round, row=parsed_row(
                survey_round, agency=agency, ma_phieu=f"{survey_round.code}-{k}"), entered_by=staff)
        recompute_round(round_id=survey_round.pk, force=True)

    rounds = {"trống": new_round("TT-TRONG"), "đang thu thập": source}
    collect(source, 5)
    rounds["bộ câu hỏi riêng"] = new_round("TT-RIENG", new_questionnaire_code="SIPAS-TT-RIENG")
    collect(rounds["bộ câu hỏi riêng"], 2)
    for state, code, steps in (("đã kết thúc", "TT-DONG", ("closed",)),
                               ("đã công bố", "TT-CONGBO", ("closed", "published"))):
        rounds[state] = new_round(code)
        collect(rounds[state], 3)
        for to_status in steps:
            rs.change_round_status(survey_round=rounds[state], to_status=to_status, reason="", changed_by=staff)
    return {"users": users, "rounds": {state: SurveyRound.objects.get(pk=r.pk) for state, r in rounds.items()}}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module in a transaction rolled back at the end."""
    from sipas_portal.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            app.conf.task_always_eager = eager


def test_the_round_pages_are_listed():
    assert len(ROUND_PAGES) > 30, ROUND_PAGES


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
def test_every_round_page_holds_in_every_state_for_every_role(world, client, state, role):
    survey_round = world["rounds"][state]
    if role != "anon":
        client.force_login(world["users"][role])
    failures = []
    for pattern in ROUND_PAGES:
        url = "/" + pattern.replace("<str:code>", survey_round.code)
        response = client.get(url)
        if response.status_code not in ANSWERED:
            failures.append(f"{url}: {response.status_code}")
        elif role == roles.STAFF and response.status_code in (403, 404) and not pattern.startswith(PUBLIC):
            failures.append(f"{url}: {response.status_code} cho cán bộ Sở Nội vụ")
    assert not failures, f"đợt {survey_round.code} ({state}), vai trò {role}: {failures}"


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
def test_the_public_page_exists_only_for_the_published_round(world, client, state):
    survey_round = world["rounds"][state]
    expected = 200 if state == "đã công bố" else 404
    assert client.get(f"/cong-khai/{survey_round.code}/").status_code == expected
