"""The own-account page and "Đăng xuất khỏi mọi thiết bị"."""
from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from surveys.accounts import users
from surveys.accounts.roles import ENTRY
from surveys.models import AuditEntry

from .conftest import sign_in

pytestmark = pytest.mark.django_db


def sessions_of(user) -> int:
    return sum(1 for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk))


def test_account_page_shows_name_roles_and_agencies(client, clerk, langson_round):
    agencies = [ra.agency for ra in langson_round.round_agencies.select_related("agency")[:2]]
    clerk.officer.agency = agencies[0]
    clerk.officer.save()
    clerk.officer.entry_agencies.set([agencies[1]])
    sign_in(client, clerk.username)

    html = client.get(reverse("account")).content.decode()
    assert "Trần Thị Nhập" in html
    assert clerk.username in html
    assert ENTRY in html
    assert agencies[0].name in html
    assert agencies[1].name in html
    assert reverse("password_change") in html
    assert "Đăng xuất khỏi mọi thiết bị" in html


def test_account_pages_need_a_login(client):
    for name in ("account", "password_change", "user_list"):
        response = client.get(reverse(name))
        assert response["Location"].startswith("/dang-nhap/?next="), name


def test_logout_everywhere_ends_the_other_sessions(clerk, make_user):
    here, elsewhere, someone_else = Client(), Client(), Client()
    sign_in(here, clerk.username)
    sign_in(elsewhere, clerk.username)
    sign_in(someone_else, make_user("nguoikhac").username)
    assert elsewhere.get(reverse("account")).status_code == 200
    assert sessions_of(clerk) == 2

    assert here.get(reverse("logout_everywhere")).status_code == 405  # POST only
    response = here.post(reverse("logout_everywhere"), follow=True)
    assert response.redirect_chain[0][0] == reverse("login")
    assert "Đã đăng xuất khỏi mọi thiết bị" in response.content.decode()

    assert sessions_of(clerk) == 0
    response = elsewhere.get(reverse("account"))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")
    assert here.get(reverse("account"))["Location"].startswith("/dang-nhap/")
    assert someone_else.get(reverse("account")).status_code == 200

    entry = AuditEntry.objects.get(action="đăng xuất mọi nơi")
    assert entry.actor == clerk and entry.target_id == str(clerk.pk)
    assert entry.after == {"so_phien": 2}


def test_logout_everywhere_service_counts_the_sessions(clerk):
    sign_in(Client(), clerk.username)
    assert users.logout_everywhere(user=clerk, actor=clerk) == 1
    assert sessions_of(clerk) == 0
