"""A broker outage loses nothing (issue 6): stop Redis, save a questionnaire, start Redis again.

The test starts its OWN redis-server on a free port (the machine's Redis on 6379 serves other
people and CI) and a real `celery worker -B` (worker + beat) against it, with the stale-round
sweep every second. The test process sends its tasks to that private Redis too. While Redis is
stopped the save must succeed at once and without error (indexes.tasks.request_recompute
swallows the broker error, the round stays stale); once Redis is back, the beat's sweep
(indexes.tasks.recompute_stale_rounds) finds the stale round and the worker recomputes it.

Marked `worker`: skipped on SQLite / without a broker like tests/test_worker.py, run by .ci/run's
second pass (PostgreSQL + Redis, SIPAS_REQUIRE_WORKER_TESTS=1).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from indexes.models import IndexResult
from sipas_portal.celery import app
from surveys.models import AuditEntry, SurveyRound
from surveys.responses import services
from tests.conftest import ARTIFACTS, REPO_ROOT, WORKER_START_TIMEOUT, _log_tail, _test_database_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REDIS_SERVER = "/usr/bin/redis-server"
SWEEP_SECONDS = 1.0
RECOVERY_TIMEOUT = 60.0  # from Redis back up to the round recomputed (the worker reconnects with backoff)
SAVE_TIMEOUT = 10.0  # the save with the broker down: a publish retry or two, never a hang


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A throw-away redis-server on 127.0.0.1:<port>, keeping nothing on disk."""

    def __init__(self, port: int, folder: Path):
        self.port, self.folder, self.process = port, folder, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        log = open(self.folder / f"redis-{self.port}.log", "ab")
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if self.process.poll() is not None:
                pytest.fail(f"redis-server dừng ngay (mã {self.process.returncode})")
            time.sleep(0.1)
        pytest.fail(f"redis-server riêng trên cổng {self.port} không trả lời PING")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


def _reset_broker_connections() -> None:
    """Drop the app's pooled broker connections so the next send connects to the current URL."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def private_broker(tmp_path, monkeypatch):
    """A private Redis, and the Celery app of this process pointed at it for the test only.

    Celery reads CELERY_BROKER_URL from the environment before its configuration, so the
    environment is patched too (monkeypatch restores it); the pooled connections to the shared
    Redis are dropped on the way in and those to the private one on the way out.
    """
    if not os.path.exists(REDIS_SERVER):
        if os.environ.get("SIPAS_REQUIRE_WORKER_TESTS") == "1":
            pytest.fail(f"cần {REDIS_SERVER} cho kiểm thử mất kết nối hàng đợi")
        pytest.skip(f"cần {REDIS_SERVER}")
    redis = PrivateRedis(_free_port(), tmp_path)
    redis.start()
    _reset_broker_connections()
    monkeypatch.setenv("CELERY_BROKER_URL", redis.url)
    monkeypatch.delenv("CELERY_BROKER_READ_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    monkeypatch.setitem(app.conf, "broker_url", redis.url)
    try:
        assert app.connection_for_write().as_uri().endswith(f":{redis.port}/0")
        yield redis
    finally:
        _reset_broker_connections()
        redis.stop()


@pytest.fixture
def worker_with_beat(langson_round, private_broker, tmp_path):
    """`celery worker -B` on the test database and the private Redis; its log goes to
    test-artifacts/broker-outage-worker.log. Stopped before the database is flushed."""
    from django.db import connection

    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "broker-outage-worker.log"
    node = f"sipas-outage-{os.getpid()}-{uuid.uuid4().hex[:6]}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sipas_portal.settings",
        "DATABASE_URL": _test_database_url(connection.settings_dict),
        "CELERY_BROKER_URL": private_broker.url,
        "SIPAS_STALE_SWEEP_SECONDS": str(SWEEP_SECONDS),
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "sipas_portal", "worker", "-B",
        "-s", str(tmp_path / "beat-schedule"),  # beat's state file: never in the repository
        "--pool=solo", "-l", "info", "-n", node,
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while not app.control.ping(destination=[node], timeout=1.0):
            if process.poll() is not None:
                pytest.fail(f"worker dừng ngay khi khởi động (mã {process.returncode}):\n{_log_tail(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"worker không trả lời ping sau {WORKER_START_TIMEOUT:.0f} giây:\n{_log_tail(log_path)}")
        yield {"process": process, "node": node, "log": log_path}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _save(survey_round: SurveyRound, serial: str):
    from tests.surveys.test_import import good_row
    from tests.test_permission_matrix import _row

    row = _row(good_row(serial, ma_co_quan="STP", ma_linh_vuc="LLTP"))
    return services.record_response(survey_round=survey_round, row=row, entered_by=None)


def _wait_computed(round_id: int, version: int, timeout: float, log: Path) -> SurveyRound:
    deadline = time.monotonic() + timeout
    while True:
        survey_round = SurveyRound.objects.get(pk=round_id)
        if survey_round.computed_at and survey_round.computed_version >= version:
            return survey_round
        if time.monotonic() > deadline:
            pytest.fail(
                f"đợt chưa được tính lại sau {timeout:.0f} giây: data_version={survey_round.data_version}, "
                f"computed_version={survey_round.computed_version}\n{_log_tail(log)}"
            )
        time.sleep(0.2)


def _wait_idle(node: str, timeout: float = 30.0) -> None:
    """Nothing running, reserved or scheduled (countdown) in the worker: safe to flush the database."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        inspect = app.control.inspect(destination=[node], timeout=1.0)
        active, reserved, scheduled = inspect.active() or {}, inspect.reserved() or {}, inspect.scheduled() or {}
        if node in active and not active[node] and not reserved.get(node) and not scheduled.get(node):
            return
        time.sleep(0.2)
    pytest.fail(f"worker vẫn còn tác vụ sau {timeout:.0f} giây")


def test_a_save_during_a_broker_outage_is_recomputed_once_redis_is_back(
    langson_round, private_broker, worker_with_beat
):
    log = worker_with_beat["log"]
    # 1. The set-up works: a save with Redis up is recomputed by the worker.
    _save(langson_round, "MAT-KET-NOI-1")
    first = SurveyRound.objects.get(pk=langson_round.pk)
    _wait_computed(first.pk, first.data_version, RECOVERY_TIMEOUT, log)
    _wait_idle(worker_with_beat["node"])
    assert IndexResult.objects.get(round=first, scope="province").n == 1

    # 2. Redis goes down; a questionnaire is saved: no error, quickly, and the round stays stale.
    private_broker.stop()
    started = time.monotonic()
    response = _save(langson_round, "MAT-KET-NOI-2")
    save_seconds = time.monotonic() - started
    assert response.pk is not None and save_seconds < SAVE_TIMEOUT, f"lưu phiếu mất {save_seconds:.1f} s"
    stale = SurveyRound.objects.get(pk=langson_round.pk)
    assert stale.data_version == first.data_version + 1
    assert stale.computed_version < stale.data_version  # nothing could compute it: the broker is down
    time.sleep(2 * SWEEP_SECONDS)  # beat ticks while the broker is down: still nothing computed
    assert SurveyRound.objects.get(pk=langson_round.pk).computed_version < stale.data_version
    assert IndexResult.objects.get(round=stale, scope="province").n == 1

    # 3. Redis comes back, empty (it keeps nothing on disk): the message the save tried to send
    #    is lost for good, so only the sweep can bring the results up to date.
    private_broker.start()
    back_at = time.monotonic()
    done = _wait_computed(stale.pk, stale.data_version, RECOVERY_TIMEOUT, log)
    recovered_seconds = time.monotonic() - back_at
    _wait_idle(worker_with_beat["node"])

    assert done.computed_version == done.data_version == stale.data_version
    province = IndexResult.objects.get(round=done, scope="province")
    assert province.n == 2  # the questionnaire saved during the outage is counted
    assert IndexResult.objects.get(round=done, scope="agency", code="STP").n == 2
    runs = AuditEntry.objects.filter(action="tính lại chỉ số", round_code=done.code).order_by("id")
    assert runs.last().after["phien_ban_du_lieu"] == stale.data_version
    assert "indexes.tasks.recompute_stale_rounds" in log.read_text(encoding="utf-8", errors="replace")
    print(f"lưu khi mất Redis: {save_seconds:.2f} s; tính lại sau khi Redis chạy lại: {recovered_seconds:.1f} s")
