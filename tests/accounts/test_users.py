"""User management by Sở Nội vụ administrators: who may, what is recorded, what is refused."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from surveys.accounts.roles import ADMIN, AGENCY, ENTRY, LEADER
from surveys.models import AuditEntry

from .conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db
User = get_user_model()

NEW_PASSWORD = "Phieu-khao-sat-2025"


def form_data(user=None, **changes):
    data = {
        "full_name": user.get_full_name() if user else "",
        "email": user.email if user else "",
        "roles": list(user.groups.values_list("name", flat=True)) if user else [],
        "agency": "",
        "entry_agencies": [],
        "is_active": "on",
        "password1": "",
        "password2": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_only_administrators_reach_the_user_pages(client, clerk, sonv_admin):
    sign_in(client, clerk.username)
    for url in (reverse("user_list"), reverse("user_create"), reverse("user_edit", args=[sonv_admin.pk])):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Bạn không có quyền thực hiện việc này." in response.content.decode()
    assert client.post(reverse("user_create"), {"username": "x"}).status_code == 403
    assert client.post(reverse("user_unlock", args=[clerk.pk])).status_code == 403
    assert reverse("user_list") not in client.get(reverse("account")).content.decode()  # no menu link


def test_admin_creates_an_entry_clerk_and_the_audit_trail_shows_it(admin_client_in, sonv_admin, langson_round):
    agency = langson_round.round_agencies.select_related("agency").first().agency
    response = admin_client_in.post(reverse("user_create"), {
        "username": "canbo.moi", "full_name": "Hoàng Thị Mới", "email": "moi@example.vn",
        "roles": [ENTRY], "agency": "", "entry_agencies": [agency.pk],
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="canbo.moi")
    assert user.get_full_name() == "Hoàng Thị Mới"
    assert list(user.groups.values_list("name", flat=True)) == [ENTRY]
    assert list(user.officer.entry_agencies.all()) == [agency]
    assert user.check_password(NEW_PASSWORD)

    created = AuditEntry.objects.get(action="tạo", target_type="auth.User", target_id=str(user.pk))
    assert created.actor == sonv_admin
    assert created.actor_name == "Nguyễn Văn Quản"
    assert "password" not in created.after
    role = AuditEntry.objects.get(action="phân quyền", target_type="auth.User", target_id=str(user.pk))
    assert role.actor == sonv_admin
    assert role.after["doi_tuong"] == [ENTRY] and role.after["thao_tac"] == "thêm"
    entry = AuditEntry.objects.get(action="sửa", target_type="surveys.Officer", target_id=str(user.officer.pk))
    assert entry.actor == sonv_admin and entry.after["doi_tuong"] == [str(agency)]

    listing = admin_client_in.get(reverse("user_list"), {"q": "Mới", "vai_tro": ENTRY}).content.decode()
    assert "canbo.moi" in listing and "Chưa đăng nhập" in listing
    sign_in(Client(), "canbo.moi", NEW_PASSWORD)


def test_user_list_search_and_role_filter(admin_client_in, clerk, make_user):
    make_user("lanhdao", LEADER, first_name="Phạm Lãnh Đạo")
    html = admin_client_in.get(reverse("user_list")).content.decode()
    assert "nhaplieu" in html and "lanhdao" in html and "quantri" in html
    html = admin_client_in.get(reverse("user_list"), {"vai_tro": LEADER}).content.decode()
    assert "lanhdao" in html and "nhaplieu" not in html
    html = admin_client_in.get(reverse("user_list"), {"q": "trần thị"}).content.decode()
    assert "nhaplieu" in html and "lanhdao" not in html
    # Last login as dd/mm/yyyy HH:MM.
    assert clerk.last_login is None
    sign_in(Client(), clerk.username)
    clerk.refresh_from_db()
    from django.utils import timezone
    stamp = timezone.localtime(clerk.last_login).strftime("%d/%m/%Y %H:%M")
    assert stamp in admin_client_in.get(reverse("user_list")).content.decode()


def test_roles_need_their_scope(admin_client_in, langson_round):
    response = admin_client_in.post(reverse("user_create"), {
        "username": "thieu", "full_name": "Thiếu Phạm Vi", "roles": [ENTRY, AGENCY],
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    html = response.content.decode()
    assert "cần được giao ít nhất một cơ quan" in html
    assert "cần có cơ quan công tác" in html
    assert not User.objects.filter(username="thieu").exists()


def test_duplicate_username_is_refused(admin_client_in, clerk):
    response = admin_client_in.post(reverse("user_create"), {
        "username": "NhapLieu", "full_name": "Trùng Tên", "roles": [LEADER],
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    assert "đã có người dùng" in response.content.decode()


def test_admin_cannot_deactivate_themself_nor_drop_their_admin_role(admin_client_in, sonv_admin):
    url = reverse("user_edit", args=[sonv_admin.pk])
    response = admin_client_in.post(url, form_data(sonv_admin, is_active=None))
    assert response.status_code == 200
    assert "Bạn không thể tự khóa tài khoản của chính mình." in response.content.decode()
    sonv_admin.refresh_from_db()
    assert sonv_admin.is_active

    response = admin_client_in.post(url, form_data(sonv_admin, roles=[LEADER]))
    assert response.status_code == 200
    assert "Bạn không thể tự bỏ vai trò" in response.content.decode()
    assert sonv_admin.groups.filter(name=ADMIN).exists()

    # The service refuses it too, whoever calls it.
    from django.core.exceptions import ValidationError

    from surveys.accounts import users
    with pytest.raises(ValidationError):
        users.update_officer(user=sonv_admin, actor=sonv_admin, full_name="X", email="", roles=[ADMIN],
                             agency=None, entry_agencies=[], is_active=False)


def test_deactivating_a_user_ends_their_sessions_and_blocks_sign_in(admin_client_in, clerk):
    session = Client()
    sign_in(session, clerk.username)
    response = admin_client_in.post(reverse("user_edit", args=[clerk.pk]), form_data(clerk, is_active=None))
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert not clerk.is_active
    assert session.get(reverse("account"))["Location"].startswith("/dang-nhap/")
    assert Client().post(reverse("login"), {"username": clerk.username, "password": PASSWORD}).status_code == 200
    change = AuditEntry.objects.get(action="sửa", target_type="auth.User", target_id=str(clerk.pk))
    assert change.before == {"is_active": True} and change.after == {"is_active": False}
    assert User.objects.filter(pk=clerk.pk).exists()  # never deleted


def test_admin_sets_a_new_password_and_roles(admin_client_in, clerk, sonv_admin):
    response = admin_client_in.post(reverse("user_edit", args=[clerk.pk]), form_data(
        clerk, roles=[LEADER], password1=NEW_PASSWORD, password2=NEW_PASSWORD))
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(NEW_PASSWORD)
    assert list(clerk.groups.values_list("name", flat=True)) == [LEADER]
    assert AuditEntry.objects.filter(action="đặt lại mật khẩu", target_id=str(clerk.pk), actor=sonv_admin).exists()
    assert AuditEntry.objects.filter(action="phân quyền", target_type="auth.User", target_id=str(clerk.pk),
                                     actor=sonv_admin).count() == 2  # one role taken away, one given


def test_portal_administrators_cannot_edit_a_superuser(admin_client_in, django_user_model):
    root = django_user_model.objects.create_superuser("goc", "goc@example.vn", PASSWORD)
    assert admin_client_in.get(reverse("user_edit", args=[root.pk])).status_code == 403
    assert admin_client_in.post(reverse("user_edit", args=[root.pk]), form_data(
        root, password1=NEW_PASSWORD, password2=NEW_PASSWORD)).status_code == 403
    root.refresh_from_db()
    assert root.check_password(PASSWORD)


def test_there_is_no_self_registration(client):
    for path in ("/dang-ky/", "/tai-khoan/dang-ky/", "/dang-nhap/dang-ky/"):
        assert client.get(path).status_code in (302, 404), path
    assert client.get(reverse("user_create"))["Location"].startswith("/dang-nhap/")
