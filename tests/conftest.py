"""Shared fixtures and the Celery set-up of the test suite.

- Every test runs its Celery tasks eagerly (in-process), whatever CELERY_BROKER_URL says, so the
  suite is deterministic on a laptop with SQLite and in CI with PostgreSQL + Redis alike.
- Tests marked ``@pytest.mark.worker`` are the exception: they send tasks through a real broker
  to a real worker subprocess (`celery_worker_process`). They are skipped unless the broker is a
  reachable Redis and the database is PostgreSQL (a worker cannot share an SQLite test database).
  With SIPAS_REQUIRE_WORKER_TESTS=1 (set by .ci/run) that situation is an error instead of a skip.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command

REPO_ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO_ROOT / "test-artifacts"
FIXTURE = REPO_ROOT / "fixtures" / "langson_2022.json"

WORKER_SKIP_REASON = "cần CELERY_BROKER_URL (Redis) và một Celery worker thật"
WORKER_NEEDS_POSTGRES = "cần PostgreSQL (DATABASE_URL=postgres://...): worker thật không dùng chung được CSDL kiểm thử SQLite"
WORKER_START_TIMEOUT = 30.0

_worker_unavailable: list[str | None] = []  # memo of _worker_unavailable_reason()


def _celery_app():
    from sipas_portal.celery import app

    return app


def _broker_reachable(url: str) -> bool:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1, timeout=5)
            if conn.transport_cls in ("redis", "rediss") or url.startswith(("redis://", "rediss://")):
                conn.default_channel.client.ping()
        return True
    except Exception:
        return False


def _worker_unavailable_reason() -> str | None:
    """Why worker tests cannot run here, or None when they can (checked once per session)."""
    if not _worker_unavailable:
        from django.conf import settings

        broker = settings.CELERY_BROKER_URL or ""
        if not broker or broker.startswith("memory://") or not _broker_reachable(broker):
            reason = WORKER_SKIP_REASON
        elif settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            reason = WORKER_NEEDS_POSTGRES
        else:
            reason = None
        _worker_unavailable.append(reason)
    return _worker_unavailable[0]


def pytest_collection_modifyitems(config, items):
    worker_items = [item for item in items if item.get_closest_marker("worker")]
    if not worker_items:
        return
    reason = _worker_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("SIPAS_REQUIRE_WORKER_TESTS") == "1":
        raise pytest.UsageError(f"SIPAS_REQUIRE_WORKER_TESTS=1 nhưng không chạy được các kiểm thử worker: {reason}")
    for item in worker_items:
        item.add_marker(pytest.mark.skip(reason=reason))


AUDIT_TRUNCATE_TRIGGER = "surveys_auditentry_no_truncate"


@pytest.fixture(scope="session", autouse=True)
def _flush_steps_around_the_audit_guard():
    """Django empties the tables between transactional tests with TRUNCATE, which the audit
    table refuses on PostgreSQL (migration 0007). Only the test database's flush lifts that
    guard, for its own statement; the application's `manage.py flush` still meets it."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if not statements or "surveys_auditentry" not in tables:
            return statements
        return [
            f"ALTER TABLE surveys_auditentry DISABLE TRIGGER {AUDIT_TRUNCATE_TRIGGER};",
            *statements,
            f"ALTER TABLE surveys_auditentry ENABLE TRIGGER {AUDIT_TRUNCATE_TRIGGER};",
        ]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Many users and sign-ins per test: PBKDF2's deliberate slowness is not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _celery_task_mode(request):
    """Eager tasks for every test except those marked `worker`, which go through the broker."""
    conf = _celery_app().conf
    saved = conf.task_always_eager
    conf.task_always_eager = request.node.get_closest_marker("worker") is None
    yield
    conf.task_always_eager = saved


# ---- the reference data: loaded once per test database ------------------------------------------
REFERENCE_ROUND = "LS-2022"
_reference_db: dict = {}  # "blocker": set while the session's test database holds the reference data


def reference_data_loaded() -> bool:
    from surveys.models import SurveyRound

    return SurveyRound.objects.filter(code=REFERENCE_ROUND).exists()


def load_reference_data() -> None:
    """fixtures/langson_2022.json into the test database (committed unless inside a transaction)."""
    call_command("loaddata", str(FIXTURE), verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database (one per xdist worker), with the reference data loaded once,
    committed. An ordinary `django_db` test runs in a transaction rolled back at its end: it sees
    LS-2022 as the fixture defines it, whatever the test before changed."""
    with django_db_blocker.unblock():
        load_reference_data()
    _reference_db["blocker"] = django_db_blocker
    yield
    _reference_db.clear()


def _transactional(transaction=False, reset_sequences=False, *args, **kwargs) -> bool:
    return bool(transaction or reset_sequences)


def _runs_in_a_rolled_back_transaction(item: pytest.Item) -> bool:
    """As pytest-django decides: a test using the database that is not transactional."""
    names = getattr(item, "fixturenames", ())
    if {"transactional_db", "live_server", "django_db_reset_sequences"} & set(names):
        return False
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        return not _transactional(*marker.args, **marker.kwargs)
    return "db" in names


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """Transactional tests (browser, worker) empty the database when they end, and so may a
    session fixture (`built_report`): the next ordinary test finds the reference data gone. It is
    put back here, committed, before that test opens its transaction (and so once per emptying)."""
    blocker = _reference_db.get("blocker")
    if blocker is not None and _runs_in_a_rolled_back_transaction(item):
        with blocker.unblock():
            if not reference_data_loaded():
                load_reference_data()
    return (yield)


@pytest.fixture
def langson_round(db):
    """The reference round LS-2022 of fixtures/langson_2022.json (status: đang thu thập), loaded
    once per test database (`django_db_setup`); a transactional test that finds the database
    emptied loads it again, for good."""
    from surveys.models import SurveyRound

    if not reference_data_loaded():
        load_reference_data()
    return SurveyRound.objects.select_related("questionnaire").get(code=REFERENCE_ROUND)


def _test_database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or ""
    if host.startswith("/"):  # a Unix socket directory
        host_part, query = "", f"?host={quote(host, safe='')}"
    else:
        host_part, query = host, ""
    port = settings_dict.get("PORT")
    if port:
        host_part = f"{host_part}:{port}"
    return f"postgres://{auth}{host_part}/{quote(settings_dict['NAME'], safe='')}{query}"


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(không đọc được nhật ký worker)"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup):
    """A real `celery worker` subprocess on the test database and the test broker.

    Worker tests must also be marked ``django_db(transaction=True)``: the worker sees only
    committed rows. Its log goes to test-artifacts/worker.log.
    """
    reason = _worker_unavailable_reason()
    if reason:
        pytest.skip(reason)
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(WORKER_NEEDS_POSTGRES)

    app = _celery_app()
    app.control.purge()  # leftovers of an earlier run would otherwise run against this database

    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "worker.log"
    node = f"sipas-test-{os.getpid()}-{uuid.uuid4().hex[:6]}@localhost"  # pinged by name: no other worker answers
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sipas_portal.settings",
        "DATABASE_URL": _test_database_url(connection.settings_dict),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "sipas_portal", "worker",
        "--pool=solo", "-l", "info", "-Q", "celery", "-n", node,
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"Celery worker dừng ngay khi khởi động (mã {process.returncode}):\n{_log_tail(log_path)}")
            if app.control.ping(destination=[node], timeout=1.0):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"Celery worker không trả lời ping sau {WORKER_START_TIMEOUT:.0f} giây:\n{_log_tail(log_path)}")
        yield {"process": process, "node": node, "log": log_path}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
