"""Project-wide checks: migrations in step with the models, system checks clean, no CDN."""
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_migrations_match_models():
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


def test_system_check_is_clean():
    out = io.StringIO()
    call_command("check", stdout=out)
    assert "System check identified no issues" in out.getvalue()


def test_templates_load_nothing_from_the_internet():
    """Provincial intranets have no internet: every asset is served from static/."""
    external = re.compile(r"""(src|href)\s*=\s*["']\s*(https?:)?//""", re.IGNORECASE)
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "templates").rglob("*.html")
        if external.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_templates_have_no_inline_script_or_style():
    """The Content-Security-Policy forbids inline code; keep templates free of it."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle\s*=|\son[a-z]+\s*=", re.IGNORECASE)
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "templates").rglob("*.html")
        if inline.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
