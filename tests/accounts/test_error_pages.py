"""Vietnamese error pages (DEBUG off)."""
from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from .conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    return settings


def test_404_is_vietnamese(client, production):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html
    assert '<html lang="vi">' in html


def test_404_for_a_signed_in_user_keeps_the_menu(client, clerk, production):
    sign_in(client, clerk.username)
    html = client.get("/dot/KHONG-CO/").content.decode()
    assert "Không tìm thấy trang" in html
    assert "Đăng xuất" in html


def test_403_shows_our_message(client, clerk, production):
    sign_in(client, clerk.username)
    response = client.get(reverse("user_list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Không có quyền truy cập" in html
    assert "Bạn không có quyền thực hiện việc này." in html


def test_400_and_500_render_without_a_request_context():
    html_500 = render_to_string("500.html")
    assert "Lỗi hệ thống" in html_500 and "/static/css/sipas.css" in html_500
    html_400 = render_to_string("400.html")
    assert "Yêu cầu không hợp lệ" in html_400
    assert "Đăng nhập" not in html_400  # no user known: no misleading sign-in button


def test_no_inline_script_or_style_in_our_templates():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    paths = [*root.glob("registration/*.html"), *root.glob("accounts/*.html"),
             *(root / name for name in ("400.html", "403.html", "404.html", "500.html", "403_csrf.html", "base.html"))]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert "style=" not in text and "<style" not in text, path
        assert "<script>" not in text and "<script " not in text.replace('<script src="', ""), path
