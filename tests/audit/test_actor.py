"""The audit actor is the real actor: services called from a command, the shell or a task (no
request) record the actor they are given — for their own rows and for the configuration rows
their saves produce — and inside a request the given actor wins over the request's user."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory

from surveys.accounts import audit, roles, users
from surveys.models import Agency, AuditEntry
from surveys.questionnaires import services as builder_services
from surveys.responses import services
from surveys.rounds import services as round_services
from tests.frames.conftest import paper_row
from tests.security.users import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(langson_round):
    return make_user("nhaplieu.bd", roles.ENTRY, agency="SNV", entry=("STP",), first_name="Nhập liệu Bưu điện")


@pytest.fixture
def sonv(langson_round):
    return make_user("canbo.snv", roles.STAFF, agency="SNV", first_name="Cán bộ SNV")


def rows_since(mark: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(pk__gt=mark).order_by("pk"))


def last_pk() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_entry_and_edit_outside_a_request_name_their_officers(langson_round, clerk, sonv):
    mark = last_pk()
    response = services.record_response(survey_round=langson_round, row=paper_row("BD-0001"), entered_by=clerk)
    row = paper_row("BD-0001")
    row.answers["C1.2"] = 1 if row.answers["C1.2"] != 1 else 2
    services.update_response(response=response, row=row, edited_by=sonv)
    entries = {e.action: e for e in rows_since(mark)}
    assert (entries["nhập phiếu"].actor, entries["nhập phiếu"].actor_name) == (clerk, "Nhập liệu Bưu điện")
    assert (entries["sửa phiếu"].actor, entries["sửa phiếu"].actor_name) == (sonv, "Cán bộ SNV")


def test_configuration_rows_of_a_service_name_its_actor(langson_round, sonv):
    mark = last_pk()
    round_services.update_round_settings(survey_round=langson_round, values={"ends_on": dt.date(2022, 12, 30)},
                                         changed_by=sonv)
    questionnaire = builder_services.create_questionnaire(code="THU-2027", name="Bộ thử", changed_by=sonv)
    builder_services.save_factor(questionnaire=questionnaire, code="F1", name="Tiếp cận dịch vụ", order=1,
                                 changed_by=sonv)
    entries = rows_since(mark)
    assert {(e.action, e.target_type) for e in entries} >= {
        ("sửa", "surveys.SurveyRound"), ("tạo", "surveys.Questionnaire"), ("tạo", "surveys.Factor"),
    }
    assert {e.actor for e in entries} == {sonv}


def test_user_management_rows_name_the_administrator(langson_round, sonv):
    admin = make_user("quantri", roles.ADMIN, agency="SNV", first_name="Quản trị")
    mark = last_pk()
    created = users.create_officer(actor=admin, username="moi.stp", full_name="Cán bộ mới", email="",
                                   roles=[roles.AGENCY], agency=Agency.objects.get(code="STP"), entry_agencies=[],
                                   password="mot-mat-khau-dai-du-9")
    users.update_officer(user=created, actor=admin, full_name="Cán bộ mới", email="moi@example.vn",
                         roles=[roles.AGENCY, roles.ENTRY], agency=Agency.objects.get(code="STP"),
                         entry_agencies=[], is_active=True, password="mat-khau-moi-dai-du-7")
    users.unlock_login(user=created, actor=admin)
    entries = rows_since(mark)
    assert {"tạo", "sửa", "phân quyền", "đặt lại mật khẩu", "mở khóa đăng nhập"} <= {e.action for e in entries}
    assert {e.actor for e in entries} == {admin}


def test_the_given_actor_wins_over_the_request_user(langson_round, clerk, sonv):
    """A service run inside someone's request (a resolver saving another officer's entry, say)
    records the actor it was given, not whoever's request it is."""
    request = RequestFactory().post("/")
    request.user = sonv
    mark = last_pk()

    def view(req):
        services.record_response(survey_round=langson_round, row=paper_row("BD-0002"), entered_by=clerk)
        round_services.update_round_settings(survey_round=langson_round, values={"ends_on": dt.date(2022, 12, 29)},
                                             changed_by=clerk)
        return None

    audit.AuditContextMiddleware(view)(request)
    entries = rows_since(mark)
    assert {e.action for e in entries} >= {"nhập phiếu", "sửa"}
    assert {e.actor for e in entries if e.action in ("nhập phiếu", "sửa")} == {clerk}


def test_the_request_user_remains_the_safety_net_for_admin_saves(langson_round, sonv):
    """Configuration saved outside any service (the admin site) names the request's user."""
    request = RequestFactory().post("/")
    request.user = sonv
    mark = last_pk()

    def view(req):
        agency = Agency.objects.get(code="STP")
        agency.name = agency.name + " (sửa thử)"
        agency.save()

    audit.AuditContextMiddleware(view)(request)
    [entry] = rows_since(mark)
    assert (entry.action, entry.actor) == ("sửa", sonv)


def test_record_requires_the_actor():
    with pytest.raises(TypeError):
        audit.record(action=audit.AuditAction.PROGRESS_REPORTED, target_repr="không có người thực hiện")  # type: ignore[call-arg]
