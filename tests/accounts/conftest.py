"""Fixtures of the account tests: users with roles, signed in through the real login page
(so that django-axes and the audit trail see what a browser would do)."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from surveys.accounts.roles import ADMIN, ENTRY
from surveys.models import Officer

PASSWORD = "Mat-khau-thu-nghiem-2025"


@pytest.fixture
def make_user(db, django_user_model):
    def make(username: str, *roles: str, password: str = PASSWORD, **fields):
        fields.setdefault("first_name", username.capitalize())
        user = django_user_model.objects.create_user(username=username, password=password, **fields)
        user.groups.set(Group.objects.filter(name__in=roles))
        Officer.objects.create(user=user)
        return user

    return make


@pytest.fixture
def sonv_admin(make_user):
    """Quản trị Sở Nội vụ: manages users in the portal."""
    return make_user("quantri", ADMIN, first_name="Nguyễn Văn Quản", email="quantri@sonv.example")


@pytest.fixture
def clerk(make_user):
    """Cán bộ nhập liệu: no user management."""
    return make_user("nhaplieu", ENTRY, first_name="Trần Thị Nhập", email="nhaplieu@example.vn")


def sign_in(client, username: str, password: str = PASSWORD):
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


@pytest.fixture
def admin_client_in(client, sonv_admin):
    sign_in(client, sonv_admin.username)
    return client
