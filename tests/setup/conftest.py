from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from surveys.accounts import roles
from surveys.models import Agency, Domain, Response


@pytest.fixture
def staff_user(db):
    user = get_user_model().objects.create_user("canbo.snv", password="Mat-khau-thu-2026", first_name="Cán bộ")
    user.groups.add(Group.objects.get(name=roles.STAFF))
    return user


@pytest.fixture
def agency_user(db):
    user = get_user_model().objects.create_user("tpls", password="Mat-khau-thu-2026")
    user.groups.add(Group.objects.get(name=roles.AGENCY))
    return user


def add_response(survey_round, serial="STP-LLTP-0001", agency="STP", domain="LLTP") -> Response:
    """A bare questionnaire row: enough to make a round 'have responses'."""
    return Response.objects.create(
        round=survey_round, ma_phieu=serial, agency=Agency.objects.get(code=agency),
        domain=Domain.objects.get(code=domain), channel="TRUC_TIEP", surveyed_on=dt.date(2022, 11, 2),
    )
