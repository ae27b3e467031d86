"""One cache for every process of a deployment, and only for it (settings.CACHES).

- The online form's POST limit holds across server processes: two processes together take 60
  posts from one address, not 60 each. The second process is a real `python` process running
  the view with its own rate-limit decorators, on the cache its settings give it.
- With Redis the counts are atomic: simultaneous posts of two processes are all counted.
- Each database has its own key namespace, the same in every process on it, so a shared store
  never serves one database's dashboard entries to another (deployment, test process).
- A Redis outage neither breaks nor closes the online form.

Runs on whatever the environment configures: the files of the default set-up in `make test`,
Redis when SIPAS_CACHE_URL is set.
"""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import environ
import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from sipas_portal.settings import database_cache_namespace
from surveys.models import Response
from surveys.sampling import online, online_views
from tests.caching import use_own_cache_namespace

REPO_ROOT = Path(__file__).resolve().parents[2]
DESK = "/phieu/LS-2022/STP/LLTP/"
OTHER_DESK = "/phieu/LS-2022/STP/CCHUNG/"
# The production limit is 60 a minute; a day-long window keeps the count from starting over
# halfway through the test (django-ratelimit's windows are fixed), which would let more through.
RATE = "60/d"
REDIS = "django_redis.cache.RedisCache"
LIMITED_PAGE = "Quá nhiều lượt gửi phiếu"
READ_TIMEOUT = 60.0

# The second server. It has no copy of the test database, so the link is not looked up and
# nothing is saved: what runs is the view and its own rate-limit decorators.
SECOND_SERVER = textwrap.dedent(
    """
    import json, sys, time
    import django
    django.setup()
    from django.conf import settings
    from django.http import HttpResponse
    from django.core.cache import cache
    from django.test import RequestFactory
    from surveys.sampling import online, online_views

    online.desk_target = lambda **kwargs: None
    online_views._answer = lambda request, target: HttpResponse(status=429 if request.limited else 200)
    path = sys.argv[1]
    factory = RequestFactory()
    config = settings.CACHES["default"]
    cache.get("warm-up")  # connected before any timed post
    print(json.dumps({"backend": config["BACKEND"], "location": str(config.get("LOCATION", ""))}), flush=True)
    for line in sys.stdin:
        count, start_at = json.loads(line)
        time.sleep(max(0.0, start_at - time.time()))
        statuses = []
        for _ in range(count):
            response = online_views.desk_form(
                factory.post(path, {"A1": "1"}), code="LS-2022", agency_code="STP", domain_code="LLTP"
            )
            statuses.append(response.status_code)
        print(json.dumps(statuses), flush=True)
    """
)

KEYS_OF_ANOTHER_PROCESS = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    keys = [cache.make_key("k")]
    settings.DATABASES["default"]["NAME"] = "test_sipas_gw1"  # what a test run does to it
    keys.append(cache.make_key("k"))
    print(json.dumps(keys))
    """
)


def process_env(**overrides: str) -> dict[str, str]:
    """This process's environment (so the same SIPAS_CACHE_URL, or none), with overrides. The
    key prefix is set, if only to "", so that a .env file cannot bring one in."""
    return {
        **os.environ, "DJANGO_SETTINGS_MODULE": "sipas_portal.settings", "PYTHONUNBUFFERED": "1",
        "SIPAS_CACHE_KEY_PREFIX": "", **overrides,
    }


class SecondServer:
    """Another server process on the same cache settings, posting to the desk link on demand."""

    def __init__(self, env: dict[str, str], log: Path, path: str = DESK):
        self._log = log
        with open(log, "wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SECOND_SERVER, path], cwd=REPO_ROOT, env=env, text=True,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
            )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.config = self._receive()

    def _pump(self) -> None:
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _receive(self):
        try:
            line = self._lines.get(timeout=READ_TIMEOUT)
        except queue.Empty:
            line = None
        if line is None:
            self.process.kill()
            pytest.fail(f"tiến trình máy chủ thứ hai không trả lời:\n{self._log.read_text(errors='replace')[-3000:]}")
        return json.loads(line)

    def send(self, count: int, start_at: float = 0.0) -> None:
        self.process.stdin.write(json.dumps([count, start_at]) + "\n")
        self.process.stdin.flush()

    def receive(self) -> list[int]:
        return self._receive()

    def post(self, count: int) -> list[int]:
        self.send(count)
        return self.receive()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def shared_namespace(settings) -> str:
    """A namespace of the cache for this test alone, in this process and the second server,
    and the online form's limits at 60 per window."""
    settings.SIPAS_ONLINE_RATE_PER_IP = RATE
    settings.SIPAS_ONLINE_RATE_PER_LINK = RATE
    return use_own_cache_namespace(settings)


def second_server_env(prefix: str) -> dict[str, str]:
    return process_env(
        SIPAS_CACHE_KEY_PREFIX=prefix, SIPAS_ONLINE_RATE_PER_IP=RATE, SIPAS_ONLINE_RATE_PER_LINK=RATE
    )


@pytest.mark.django_db
def test_two_server_processes_share_the_online_rate_limit(client, langson_round, settings, shared_namespace, tmp_path):
    """5 posts through the other process, 60 through this one, 3 more through the other: 60 are
    taken in all, and this process refuses its last 5 with the Vietnamese 429 page."""
    with SecondServer(second_server_env(shared_namespace), tmp_path / "second.log") as other:
        config = settings.CACHES["default"]
        assert other.config == {"backend": config["BACKEND"], "location": str(config.get("LOCATION", ""))}
        theirs_before = other.post(5)
        ours = [client.post(DESK, {"A1": "1"}) for _ in range(60)]  # counted even when invalid
        theirs_after = other.post(3)
    our_statuses = [response.status_code for response in ours]
    accepted = theirs_before.count(200) + our_statuses.count(200) + theirs_after.count(200)
    assert accepted == 60, f"{accepted} lượt được nhận từ một địa chỉ qua hai tiến trình (giới hạn 60)"
    assert theirs_before == [200] * 5
    assert our_statuses == [200] * 55 + [429] * 5
    assert LIMITED_PAGE in ours[-1].content.decode()
    assert theirs_after == [429] * 3
    assert Response.objects.count() == 0


def test_simultaneous_posts_of_two_processes_are_all_counted(settings, shared_namespace, monkeypatch, tmp_path):
    """Two links, one address: only the address's count is shared, so exactly 60 are taken when
    no increment is lost. (On one link both counts would be shared, each in its own order of
    arrival, and a post late in either is refused: at most 60, possibly fewer.)"""
    if settings.CACHES["default"]["BACKEND"] != REDIS:
        pytest.skip("chỉ Redis (SIPAS_CACHE_URL) đếm nguyên tử; bộ nhớ đệm tệp có thể để lọt vài lượt gửi cùng lúc")
    monkeypatch.setattr(online, "desk_target", lambda **kwargs: None)
    monkeypatch.setattr(online_views, "_answer", lambda request, target: HttpResponse(status=429 if request.limited else 200))
    factory = RequestFactory()
    cache.get("warm-up")
    with SecondServer(second_server_env(shared_namespace), tmp_path / "second.log", path=OTHER_DESK) as other:
        start_at = time.time() + 0.5
        other.send(50, start_at)
        time.sleep(max(0.0, start_at - time.time()))
        ours = [
            online_views.desk_form(
                factory.post(DESK, {"A1": "1"}), code="LS-2022", agency_code="STP", domain_code="LLTP"
            ).status_code
            for _ in range(50)
        ]
        theirs = other.receive()
    assert (ours + theirs).count(200) == 60


def test_each_database_has_its_own_namespace_the_same_in_every_process(settings):
    url = "postgres://sipas@db.example:5432/sipas"
    result = subprocess.run(
        [sys.executable, "-c", KEYS_OF_ANOTHER_PROCESS], cwd=REPO_ROOT, env=process_env(DATABASE_URL=url),
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    theirs, theirs_on_test_database = json.loads(result.stdout)
    database = environ.Env.db_url_config(url)
    assert theirs == f"{database_cache_namespace(database)}:1:k"  # this process agrees
    assert theirs_on_test_database == f"{database_cache_namespace({**database, 'NAME': 'test_sipas_gw1'})}:1:k"
    assert theirs_on_test_database != theirs
    assert database_cache_namespace({**database, "HOST": "db2.example"}) != database_cache_namespace(database)
    # This test process: its own test database's namespace, unless a KEY_PREFIX is set.
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "KEY_PREFIX": ""}}
    assert cache.make_key("k") == f"{database_cache_namespace(settings.DATABASES['default'])}:1:k"
    assert cache.make_key("k") != theirs


def test_django_ratelimit_finds_the_cache_shared(settings):
    from django_ratelimit import checks

    messages = [message.msg for message in checks.check_caches(None)]
    assert not [m for m in messages if checks.CACHE_NOT_SHARED in m or checks.CACHE_FAKE in m]
    if settings.CACHES["default"]["BACKEND"] == REDIS:
        assert messages == []


def test_a_redis_outage_neither_breaks_nor_closes_the_online_form(tmp_path):
    """Nothing listens on port 1: every cache operation fails at once. The answers are taken
    (the other guards still apply) rather than failing with 500 or refused with 429."""
    env = process_env(SIPAS_CACHE_URL="redis://127.0.0.1:1/10", SIPAS_ONLINE_RATE_PER_IP="3/m")
    with SecondServer(env, tmp_path / "second.log") as other:
        assert other.config["backend"] == REDIS
        statuses = other.post(5)
    assert statuses == [200] * 5
    assert "Exception ignored" in (tmp_path / "second.log").read_text(errors="replace")  # logged, not silent
