"""Password rules, password change (other sessions end) and reset by e-mail."""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from surveys.accounts.roles import ENTRY
from surveys.models import AuditEntry

from .conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Hai-long-cao-2025!"


def test_password_rules_reject_123456_in_vietnamese(admin_client_in, langson_round):
    response = admin_client_in.post(reverse("user_create"), {
        "username": "moi", "full_name": "Lê Văn Mới", "email": "", "roles": [ENTRY],
        "entry_agencies": [langson_round.round_agencies.first().agency_id],
        "password1": "123456", "password2": "123456",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in html
    assert "Mật khẩu này quá phổ biến." in html
    assert "Mật khẩu này hoàn toàn là số." in html
    assert not get_user_model().objects.filter(username="moi").exists()


def test_password_change_rejects_weak_passwords_in_vietnamese(client, clerk):
    sign_in(client, clerk.username)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "123456", "new_password2": "123456",
    })
    assert response.status_code == 200
    assert "Mật khẩu này quá phổ biến." in response.content.decode()


def test_password_change_keeps_this_session_and_ends_the_others(client, clerk):
    other = Client()
    sign_in(client, clerk.username)
    sign_in(other, clerk.username)
    page = client.get(reverse("password_change"))
    assert "Đổi mật khẩu" in page.content.decode()

    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response["Location"] == reverse("password_change_done")
    assert "Đã đổi mật khẩu" in client.get(reverse("password_change_done")).content.decode()
    assert client.get(reverse("account")).status_code == 200
    assert other.get(reverse("account"))["Location"].startswith("/dang-nhap/")
    assert AuditEntry.objects.filter(action="đổi mật khẩu", target_id=str(clerk.pk), actor=clerk).exists()


def test_password_reset_by_email(client, clerk):
    form = client.get(reverse("password_reset"))
    assert form.status_code == 200
    assert "Quên mật khẩu" in form.content.decode()

    response = client.post(reverse("password_reset"), {"email": clerk.email})
    assert response["Location"] == reverse("password_reset_done")
    assert "Hãy kiểm tra hộp thư" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [clerk.email]
    assert message.subject == "Đặt lại mật khẩu Cổng SIPAS"
    assert "Kính gửi Trần Thị Nhập" in message.body

    link = re.search(r"http://testserver(/dang-nhap/dat-lai/\S+/)", message.body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    set_password_url = response.redirect_chain[-1][0]
    assert "Đặt mật khẩu mới" in response.content.decode()

    response = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("password_reset_complete")
    assert "Đã đặt mật khẩu mới" in client.get(response["Location"]).content.decode()
    sign_in(Client(), clerk.username, NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="đặt lại mật khẩu", target_id=str(clerk.pk)).exists()

    # The link works once only.
    again = client.get(link, follow=True).content.decode()
    assert "Liên kết đặt lại mật khẩu không hợp lệ" in again


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "khong-co@example.vn"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_password_reset_also_ends_a_lockout(client, clerk):
    for attempt in range(5):
        client.post(reverse("login"), {"username": clerk.username, "password": f"sai-{attempt}"})
    assert client.post(reverse("login"), {"username": clerk.username, "password": PASSWORD}).status_code == 429
    client.post(reverse("password_reset"), {"email": clerk.email})
    link = re.search(r"http://testserver(/dang-nhap/dat-lai/\S+/)", mail.outbox[0].body).group(1)
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    sign_in(client, clerk.username, NEW_PASSWORD)
