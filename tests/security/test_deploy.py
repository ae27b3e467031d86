"""The production configuration: `check --deploy` is clean, and errors never show Django's
debug page."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "sipas.example.gov.vn"
NO_ISSUES = "System check identified no issues (0 silenced)."
DEBUG_PAGE_MARKERS = ("Traceback", "DEBUG = True", "Using the URLconf", "technical_404", "Django tried these URL patterns")


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of the process, minus anything that would loosen production (such as
    DJANGO_ALLOW_ASYNC_UNSAFE, which the browser tests set for this process), plus the three
    variables production must set."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_SECURE", "DJANGO_HSTS", "DJANGO_SECRET", "DJANGO_DEBUG", "DJANGO_ALLOW"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="sipas_portal.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),  # 67 random characters
        DJANGO_ALLOWED_HOSTS=HOST,
        PYTHONIOENCODING="utf-8",
    )
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_deploy_check_reports_no_issues():
    result = run(["manage.py", "check", "--deploy"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == NO_ISSUES, result.stdout + result.stderr


@pytest.mark.parametrize(
    "overrides",
    [
        {"DJANGO_SECRET_KEY": ""},
        {"DJANGO_SECRET_KEY": "ngan-qua"},
        {"DJANGO_SECRET_KEY": "dev-only-insecure-key-change-me" + "x" * 30},
    ],
    ids=["missing", "short", "development-key"],
)
def test_production_refuses_to_start_without_a_real_secret_key(overrides):
    env = production_env(**overrides)
    if not overrides["DJANGO_SECRET_KEY"]:
        env.pop("DJANGO_SECRET_KEY")
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


PROBE = textwrap.dedent(
    f"""
    import django
    django.setup()
    from django.conf import settings
    from django.test import Client
    assert settings.DEBUG is False
    assert settings.SECURE_SSL_REDIRECT and settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SECURE_HSTS_SECONDS >= 31536000
    client = Client(HTTP_HOST="{HOST}", raise_request_exception=False)
    plain = client.get("/cong-khai/")
    print("HTTP", plain.status_code, plain.get("Location", ""))
    response = client.get("/trang-khong-co/", secure=True)
    print("STATUS", response.status_code)
    print("HSTS", response.get("Strict-Transport-Security", ""))
    print(response.content.decode("utf-8", "replace"))
    """
)


def test_an_unknown_url_in_production_shows_no_debug_page():
    result = run(["-c", PROBE], production_env())
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"HTTP 301 https://{HOST}/cong-khai/" in out  # plain HTTP is sent to HTTPS
    assert "STATUS 404" in out
    assert "max-age=31536000" in out
    for marker in DEBUG_PAGE_MARKERS:
        assert marker not in out, marker


@pytest.mark.django_db
def test_an_unknown_url_shows_no_debug_page_to_a_signed_in_user(client, django_user_model, settings):
    settings.DEBUG = False
    client.force_login(django_user_model.objects.create_user("canbo", password="mat-khau-thu-nghiem-1"))
    response = client.get("/trang-khong-co/")
    assert response.status_code == 404
    html = response.content.decode()
    for marker in DEBUG_PAGE_MARKERS:
        assert marker not in html, marker
