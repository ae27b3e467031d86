"""Signing in: the lockout after repeated wrong passwords (django-axes), the login page, and
the admin site's login sent to the portal's."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from surveys.models import AuditEntry

from .conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

LOGIN = "/dang-nhap/"


def test_login_page_offers_password_reset_and_no_registration(client):
    html = client.get(LOGIN).content.decode()
    assert "Quên mật khẩu?" in html
    assert reverse("password_reset") in html
    assert "đăng ký" not in html.replace("tự đăng ký", "").lower()


def test_wrong_password_shows_a_vietnamese_error(client, clerk):
    response = client.post(LOGIN, {"username": clerk.username, "password": "sai-mat-khau"})
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()


def test_lockout_after_five_wrong_passwords_even_with_the_right_one(client, clerk):
    assert settings.AXES_FAILURE_LIMIT == 5
    for attempt in range(1, 5):
        response = client.post(LOGIN, {"username": clerk.username, "password": f"sai-{attempt}"})
        assert response.status_code == 200, attempt
    response = client.post(LOGIN, {"username": clerk.username, "password": "sai-5"})
    assert response.status_code == 429

    response = client.post(LOGIN, {"username": clerk.username, "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Tài khoản tạm thời bị khóa" in html
    assert "nhập sai 5 lần" in html
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    assert f"{minutes} phút" in html
    assert "quản trị viên Sở Nội vụ" in html
    assert "_auth_user_id" not in client.session  # not signed in

    failures = AuditEntry.objects.filter(action="đăng nhập sai", target_repr=clerk.username)
    assert failures.count() >= 5
    assert not AuditEntry.objects.filter(action="đăng nhập", target_id=str(clerk.pk)).exists()


def test_lockout_is_per_username_so_colleagues_at_the_same_desk_can_still_sign_in(client, clerk, make_user):
    colleague = make_user("dongnghiep")
    for attempt in range(5):
        client.post(LOGIN, {"username": clerk.username, "password": f"sai-{attempt}"})
    sign_in(Client(), colleague.username)


def test_an_administrator_unlocks_a_locked_account(client, clerk, sonv_admin):
    for attempt in range(5):
        client.post(LOGIN, {"username": clerk.username, "password": f"sai-{attempt}"})
    admin = Client()
    sign_in(admin, sonv_admin.username)
    edit = admin.get(reverse("user_edit", args=[clerk.pk])).content.decode()
    assert "Mở khóa đăng nhập" in edit
    assert "Tạm khóa do nhập sai mật khẩu" in admin.get(reverse("user_list")).content.decode()

    response = admin.post(reverse("user_unlock", args=[clerk.pk]))
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="mở khóa đăng nhập")
    assert entry.actor == sonv_admin and entry.target_id == str(clerk.pk)
    sign_in(client, clerk.username)


def test_the_admin_login_page_sends_visitors_to_the_portal_login(client):
    response = client.get("/quan-tri/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/quan-tri/"


def test_staff_keep_the_admin_and_come_back_to_it_after_signing_in(client, make_user):
    make_user("nhanvien", is_staff=True)
    response = client.post(f"{LOGIN}?next=/quan-tri/", {"username": "nhanvien", "password": PASSWORD,
                                                        "next": "/quan-tri/"})
    assert response["Location"] == "/quan-tri/"
    assert client.get("/quan-tri/").status_code == 200
    assert client.get("/quan-tri/login/?next=/quan-tri/").headers["Location"] == "/quan-tri/"


def test_a_signed_in_user_without_admin_access_gets_403_not_a_redirect_loop(client, clerk):
    sign_in(client, clerk.username)
    response = client.get("/quan-tri/", follow=True)
    assert response.status_code == 403
    assert "không có quyền vào trang quản trị" in response.content.decode()
    assert len(response.redirect_chain) == 1


def test_an_expired_form_shows_the_vietnamese_csrf_page(clerk):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": clerk.username, "password": PASSWORD})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ; hãy tải lại trang và thử lại" in html
    assert "<html lang=\"vi\">" in html
