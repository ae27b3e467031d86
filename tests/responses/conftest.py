"""Users with roles and questionnaires of the reference round, for the phiếu and nhật ký pages."""
from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group

from surveys.accounts import roles
from surveys.models import Agency, Officer, RoundAgencyDomain
from surveys.responses import services
from surveys.responses.importing import ParsedRow

PASSWORD = "mat-khau-thu-nghiem-1"

# A valid questionnaire as the officer types it: B4 = 2 (on time, so no B5), B7 = 2 (no
# feedback, so no C5.*), every F1–F4 criterion answered 4 except C1.1.
BASE_ANSWERS = {
    "A1": "1", "A2": "3", "A3": "2", "A4": "5", "A5": "3", "A6": "1",
    "B1": "1;3", "B2": "1", "B3": "2", "B4": "2", "B6": "2", "B7": "2",
    "C1.1": "3", "C1.2": "4", "C1.3": "4",
    "C2.1": "4", "C2.2": "4", "C2.3": "4", "C2.4": "4", "C2.5": "4",
    "C3.1": "5", "C3.2": "4", "C3.3": "4", "C3.4": "4", "C3.5": "4", "C3.6": "4",
    "C4.1": "4", "C4.2": "4", "C4.3": "4", "C4.4": "4",
    "D1": "2;3", "D2": "Công chức nhiệt tình",
}


def domain_of(survey_round, agency_code: str) -> str:
    return (
        RoundAgencyDomain.objects.filter(round=survey_round, agency__code=agency_code)
        .order_by("domain__code").values_list("domain__code", flat=True).first()
    )


def form_data(survey_round, *, agency: str = "STP", ma_phieu: str = "STP-0001", **answers) -> dict[str, str]:
    """The POST of the entry form; keyword answers use “_” for “.” (C1_1 → C1.1), None drops one."""
    data = {
        "ma_phieu": ma_phieu,
        "ma_co_quan": agency,
        "ma_linh_vuc": domain_of(survey_round, agency),
        "kenh": "TRUC_TIEP",
        "ngay_khao_sat": "05/10/2022",
        **BASE_ANSWERS,
    }
    for key, value in answers.items():
        code = key.replace("_", ".") if re.fullmatch(r"[A-Z]\d+_\d+", key) else key
        if value is None:
            data.pop(code, None)
        else:
            data[code] = value
    return data


def parsed_row(survey_round, *, agency: str, ma_phieu: str, **answers) -> ParsedRow:
    """The same questionnaire for the service (to set up data without the form)."""
    from surveys.responses.importing import parse_answer, parse_date
    from surveys.selectors import load_definition

    definition = load_definition(survey_round.questionnaire)
    data = form_data(survey_round, agency=agency, ma_phieu=ma_phieu, **answers)
    parsed = {}
    for question in definition.questions:
        if data.get(question.code):
            value, message = parse_answer(question, data[question.code])
            assert message is None, message
            parsed[question.code] = value
    return ParsedRow(
        row=1, ma_phieu=ma_phieu, agency_code=agency, domain_code=data["ma_linh_vuc"], channel=data["kenh"],
        surveyed_on=parse_date(data["ngay_khao_sat"]), answers=parsed,
    )


@pytest.fixture
def make_user(db, django_user_model):
    """make_user("ten", roles.ENTRY, agency="SNV", entry_agencies=["SNV", "STP"], full_name="…")."""

    def make(username: str, role: str | None = None, *, agency: str | None = None,
             entry_agencies: tuple[str, ...] | list[str] = (), full_name: str = ""):
        first, _, last = full_name.rpartition(" ")
        user = django_user_model.objects.create_user(
            username=username, password=PASSWORD, first_name=first, last_name=last or "",
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        if agency or entry_agencies:
            officer = Officer.objects.create(
                user=user, agency=Agency.objects.get(code=agency) if agency else None
            )
            officer.entry_agencies.set(Agency.objects.filter(code__in=entry_agencies))
        return django_user_model.objects.get(pk=user.pk)  # fresh permission cache

    return make


@pytest.fixture
def entry_officer(make_user):
    """Cán bộ nhập liệu of Sở Nội vụ, assigned to key questionnaires of SNV and STP."""
    return make_user("nhaplieu", roles.ENTRY, agency="SNV", entry_agencies=["SNV", "STP"],
                     full_name="Trần Thị Nhập")


@pytest.fixture
def other_officer(make_user):
    return make_user("nhaplieu2", roles.ENTRY, agency="SNV", entry_agencies=["STP"], full_name="Lê Văn Khác")


@pytest.fixture
def staff_user(make_user):
    return make_user("canbosnv", roles.STAFF, agency="SNV", full_name="Nguyễn Văn Sửa")


@pytest.fixture
def supervisor(make_user):
    return make_user("giamsat", roles.SUPERVISOR, full_name="Phạm Giám Sát")


@pytest.fixture
def record(langson_round):
    """record(user, ma_phieu, agency="STP", **answers): a questionnaire saved through the service."""

    def save(user, ma_phieu: str, *, agency: str = "STP", **answers):
        return services.record_response(
            survey_round=langson_round,
            row=parsed_row(langson_round, agency=agency, ma_phieu=ma_phieu, **answers),
            entered_by=user,
        )

    return save
