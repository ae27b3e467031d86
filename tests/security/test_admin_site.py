"""The admin site (/quan-tri/) is no way around the portal's rules.

A "Quản trị Sở Nội vụ" administrator is staff (the portal opens the admin site to them) but not
a superuser. Through the admin they must not make themself a superuser, take over a superuser's
account, give a role group more permissions, or move a round's status, settings, quotas or
agencies without the services of the set-up pages (which check the workflow and keep a
RoundStatusChange and the audit trail). Superusers keep the normal admin.
"""
from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from surveys.accounts import roles
from surveys.apps import sync_role_groups
from surveys.models import (
    Officer,
    Question,
    RoundAgency,
    RoundAgencyDomain,
    RoundStatus,
    RoundStatusChange,
    SurveyRound,
)

from .users import PASSWORD, make_user

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def sonv_admin(langson_round):
    """Quản trị Sở Nội vụ as the portal makes one (the role's group, is_staff, not a superuser),
    who was also handed the auth models' permissions directly: the admin must refuse even then."""
    sync_role_groups(apps.get_app_config("surveys"))
    user = make_user("quantri-snv", roles.ADMIN, agency="SNV", is_staff=True, email="quantri@snv.example.vn")
    assert user.is_staff and not user.is_superuser
    assert not user.has_perm("auth.change_user")  # the role grants nothing of auth …
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="auth"))
    user = User.objects.get(pk=user.pk)  # (fresh permission cache)
    assert user.has_perm("auth.change_user")  # … but a careless grant must not open the admin either
    return user


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("hethong", "hethong@snv.example.vn", PASSWORD)


@pytest.fixture
def admin_client(client, sonv_admin):
    client.force_login(sonv_admin)
    return client


def user_form(user, **changes) -> dict:
    """What Django's UserAdmin change form posts for `user`, with `changes` applied."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "user_permissions": [],
    }
    flags = {"is_active": user.is_active, "is_staff": user.is_staff, "is_superuser": user.is_superuser}
    flags.update({k: v for k, v in changes.items() if k in flags})
    data.update({k: v for k, v in changes.items() if k not in flags})
    data.update({name: "on" for name, on in flags.items() if on})
    return data


# ---- accounts and roles ------------------------------------------------------------------------

def test_an_administrator_cannot_make_themself_a_superuser(admin_client, sonv_admin):
    url = f"/quan-tri/auth/user/{sonv_admin.pk}/change/"
    permissions_before = set(sonv_admin.user_permissions.values_list("pk", flat=True))
    response = admin_client.post(url, user_form(sonv_admin, is_superuser=True, is_staff=True))
    assert response.status_code == 403
    sonv_admin.refresh_from_db()
    assert not sonv_admin.is_superuser
    assert set(sonv_admin.user_permissions.values_list("pk", flat=True)) == permissions_before
    assert admin_client.get(url).status_code == 403


def test_an_administrator_cannot_change_a_superusers_email(admin_client, superuser):
    url = f"/quan-tri/auth/user/{superuser.pk}/change/"
    response = admin_client.post(url, user_form(superuser, email="ke-gian@example.com"))
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.email == "hethong@snv.example.vn"
    password_url = f"/quan-tri/auth/user/{superuser.pk}/password/"
    response = admin_client.post(password_url, {"password1": "Mat-khau-moi-2025!", "password2": "Mat-khau-moi-2025!"})
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.check_password(PASSWORD)


def test_users_groups_and_officers_are_not_in_the_admin_for_an_administrator(admin_client, sonv_admin):
    group = Group.objects.get(name=roles.ADMIN)
    for url in (
        "/quan-tri/auth/user/",
        "/quan-tri/auth/user/add/",
        "/quan-tri/auth/group/",
        f"/quan-tri/auth/group/{group.pk}/change/",
        "/quan-tri/surveys/officer/",
        f"/quan-tri/surveys/officer/{sonv_admin.officer.pk}/change/",
    ):
        assert admin_client.get(url).status_code == 403, url


def test_an_administrator_cannot_add_permissions_to_a_role_group(admin_client):
    group = Group.objects.get(name=roles.ENTRY)
    before = set(group.permissions.values_list("pk", flat=True))
    extra = Permission.objects.get(content_type__app_label="surveys", codename="manage_users")
    response = admin_client.post(
        f"/quan-tri/auth/group/{group.pk}/change/",
        {"name": group.name, "permissions": [str(pk) for pk in before | {extra.pk}]},
    )
    assert response.status_code == 403
    assert set(group.permissions.values_list("pk", flat=True)) == before


def test_an_administrator_cannot_change_whom_an_officer_keys_for(admin_client, sonv_admin):
    clerk = make_user("nhaplieu-x", roles.ENTRY, agency="SNV", entry=("STP",))
    officer = clerk.officer
    response = admin_client.post(
        f"/quan-tri/surveys/officer/{officer.pk}/change/",
        {"user": str(clerk.pk), "agency": "", "phone": "",
         "entry_agencies": [str(pk) for pk in RoundAgency.objects.values_list("agency", flat=True)[:5]]},
    )
    assert response.status_code == 403
    assert set(Officer.objects.get(pk=officer.pk).entry_agencies.values_list("code", flat=True)) == {"STP"}


# ---- survey rounds -----------------------------------------------------------------------------

def round_form(survey_round: SurveyRound, **changes) -> dict:
    """A complete, small change form of the round: its fields and empty inline formsets (which
    leave the round's agencies alone), as a browser could post it."""
    data = {
        "code": survey_round.code,
        "name": survey_round.name,
        "year": str(survey_round.year),
        "province_name": survey_round.province_name,
        "questionnaire": str(survey_round.questionnaire_id),
        "starts_on": survey_round.starts_on.isoformat(),
        "ends_on": survey_round.ends_on.isoformat(),
        "status": survey_round.status,
        "double_entry_percent": str(survey_round.double_entry_percent),
        "_save": "Lưu",
    }
    for flag in ("segregate_duties", "enforce_quota", "online_enabled"):
        if getattr(survey_round, flag):
            data[flag] = "on"
    for prefix in ("round_agencies", "agency_domains"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    data.update(changes)
    return data


def test_a_round_cannot_be_published_from_the_admin(admin_client, langson_round):
    assert langson_round.status == RoundStatus.COLLECTING
    url = f"/quan-tri/surveys/surveyround/{langson_round.pk}/change/"
    response = admin_client.post(url, round_form(langson_round, status=RoundStatus.PUBLISHED, enforce_quota="on",
                                                 double_entry_percent="100"))
    assert response.status_code == 403
    langson_round.refresh_from_db()
    assert langson_round.status == RoundStatus.COLLECTING
    assert not langson_round.enforce_quota and langson_round.double_entry_percent == 0
    assert not RoundStatusChange.objects.exists()


def test_rounds_cannot_be_added_or_deleted_from_the_admin(admin_client, langson_round):
    assert admin_client.get("/quan-tri/surveys/surveyround/add/").status_code == 403
    response = admin_client.post(f"/quan-tri/surveys/surveyround/{langson_round.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert SurveyRound.objects.filter(pk=langson_round.pk).exists()


def test_the_round_page_is_a_light_view_that_points_to_the_set_up_pages(admin_client, langson_round):
    assert RoundAgency.objects.filter(round=langson_round).count() + RoundAgencyDomain.objects.filter(
        round=langson_round).count() > 200  # the inlines used to make ~1 400 fields of these
    response = admin_client.get(f"/quan-tri/surveys/surveyround/{langson_round.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "TOTAL_FORMS" not in html  # no inline formset
    assert len(re.findall(r"<input\b", html)) < 20, len(re.findall(r"<input\b", html))
    assert 'name="status"' not in html
    assert reverse("surveys:round_setup", args=[langson_round.code]) in html


def test_questions_are_edited_in_the_builder_not_in_the_admin(admin_client, langson_round):
    question = Question.objects.get(questionnaire=langson_round.questionnaire, code="C1.1")
    url = f"/quan-tri/surveys/question/{question.pk}/change/"
    assert not langson_round.questionnaire.is_locked  # no response yet: the old lock let this through
    page = admin_client.get(url)
    assert page.status_code == 200 and b'name="text"' not in page.content
    response = admin_client.post(url, {"text": "đã sửa", "code": question.code, "kind": question.kind,
                                       "questionnaire": question.questionnaire_id, "section": question.section_id,
                                       "order": question.order, "condition_values": "[]"})
    assert response.status_code == 403
    assert Question.objects.get(pk=question.pk).text != "đã sửa"


# ---- what remains ------------------------------------------------------------------------------

def test_a_superuser_keeps_the_whole_admin(client, superuser, sonv_admin):
    client.force_login(superuser)
    assert client.get("/quan-tri/").status_code == 200
    assert client.get("/quan-tri/auth/user/").status_code == 200
    assert client.get(f"/quan-tri/auth/user/{sonv_admin.pk}/change/").status_code == 200


def test_an_administrator_still_sees_the_admin_index_with_the_remaining_models(admin_client):
    response = admin_client.get("/quan-tri/")
    assert response.status_code == 200
    html = response.content.decode()
    for url in ("/quan-tri/surveys/surveyround/", "/quan-tri/surveys/agency/", "/quan-tri/surveys/auditentry/",
                "/quan-tri/indexes/publishedresult/"):
        assert f'href="{url}"' in html, url
    for url in ("/quan-tri/auth/", "/quan-tri/surveys/officer/"):
        assert f'href="{url}' not in html, url
    assert admin_client.get("/quan-tri/surveys/surveyround/").status_code == 200


def test_the_copy_action_goes_through_the_builders_service(admin_client, langson_round):
    from surveys.models import AuditEntry, Questionnaire

    original = langson_round.questionnaire
    response = admin_client.post("/quan-tri/surveys/questionnaire/", {
        "action": "copy_selected", "_selected_action": [str(original.pk)], "index": "0",
    })
    assert response.status_code == 302
    copy = Questionnaire.objects.get(code=f"{original.code}-BANSAO")
    assert copy.copied_from == original
    assert AuditEntry.objects.filter(action="sao chép bộ câu hỏi", target_id=str(copy.pk)).exists()


def test_reference_lists_stay_editable_but_their_codes_are_fixed(admin_client, langson_round):
    from surveys.models import Agency

    agency = Agency.objects.get(code="STP")
    response = admin_client.post(f"/quan-tri/surveys/agency/{agency.pk}/change/", {
        "code": "STP-MOI", "name": "Sở Tư pháp tỉnh Lạng Sơn", "level": str(agency.level_id),
        "parent": str(agency.parent_id or ""), "is_active": "on", "_save": "Lưu",
    })
    assert response.status_code == 302  # saved: agency names are kept up to date here
    agency.refresh_from_db()
    assert agency.name == "Sở Tư pháp tỉnh Lạng Sơn"
    assert agency.code == "STP"  # stored results name the agency by this code


def test_the_administrators_role_holds_no_account_permissions_and_every_later_apps(db):
    """As migrated (post_migrate after every app): nothing of `auth`, and the models of the
    apps migrated after `surveys` (indexes) are there without a second migrate."""
    codenames = set(Group.objects.get(name=roles.ADMIN).permissions.values_list("content_type__app_label", "codename"))
    assert not {c for c in codenames if c[0] == "auth"}
    assert ("indexes", "view_indexresult") in codenames and ("surveys", "view_surveyround") in codenames
