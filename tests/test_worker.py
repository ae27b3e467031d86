"""The real asynchronous path: PostgreSQL + Redis + a `celery worker` subprocess.

Importing a workbook commits the questionnaires, bumps the round's data version and, once the
transaction commits, sends `indexes.tasks.recompute_round` to the broker; the worker computes
and stores the indexes. Run by .ci/run's second pass; skipped elsewhere (see conftest.py).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from django.db.models import F

from indexes import tasks
from indexes.models import IndexResult
from sipas_portal.celery import app
from surveys.models import SurveyRound
from surveys.responses import services

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"
SAMPLE_XLSX = SAMPLES / "langson-2022-sample.xlsx"
EXPECTED_JSON = SAMPLES / "langson-2022-sample.expected.json"
WAIT_SECONDS = 30.0


def wait_until_computed(round_id: int, *, at_least: int, timeout: float = WAIT_SECONDS) -> SurveyRound:
    """Poll the database until the worker has stored indexes for data version `at_least`."""
    deadline = time.monotonic() + timeout
    while True:
        survey_round = SurveyRound.objects.get(pk=round_id)
        if survey_round.computed_at and survey_round.computed_version >= at_least:
            return survey_round
        if time.monotonic() > deadline:
            pytest.fail(
                f"worker chưa tính xong chỉ số sau {timeout:.0f} giây: data_version={survey_round.data_version}, "
                f"computed_version={survey_round.computed_version}, computed_at={survey_round.computed_at} "
                "(xem test-artifacts/worker.log)"
            )
        time.sleep(0.2)


def queued_messages(queue: str) -> int:
    with app.connection_for_read() as conn:
        try:
            return conn.default_channel.queue_declare(queue=queue, passive=True).message_count
        except conn.channel_errors:  # Redis: an empty queue has no key, so "not found" means 0
            return 0


def wait_until_worker_idle(node: str, timeout: float = WAIT_SECONDS) -> None:
    """Wait until the queue is empty and the worker runs, holds and schedules no task."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        queued = queued_messages("celery")
        inspect = app.control.inspect(destination=[node], timeout=1.0)
        active, reserved = inspect.active() or {}, inspect.reserved() or {}
        # Tasks sent with a countdown wait in the worker as "scheduled", not "reserved".
        scheduled = inspect.scheduled() or {}
        if queued == 0 and node in active and not active[node] and not reserved.get(node) and not scheduled.get(node):
            return
        time.sleep(0.2)
    pytest.fail(f"worker vẫn còn tác vụ sau {timeout:.0f} giây (xem test-artifacts/worker.log)")


@pytest.fixture
def imported_round(langson_round, celery_worker_process):
    if not SAMPLE_XLSX.exists():
        pytest.skip(f"không có tệp mẫu {SAMPLE_XLSX}")
    before = langson_round.data_version
    outcome = services.import_responses(survey_round=langson_round, source=str(SAMPLE_XLSX), entered_by=None)
    assert outcome.ok, [str(e) for e in outcome.errors[:5]]
    assert outcome.saved == 600
    survey_round = SurveyRound.objects.get(pk=langson_round.pk)
    assert survey_round.data_version > before  # the import committed and marked the round stale
    return wait_until_computed(survey_round.pk, at_least=survey_round.data_version)


def test_import_is_recomputed_by_the_real_worker(imported_round, celery_worker_process):
    wait_until_worker_idle(celery_worker_process["node"])  # nothing may run into the flush
    province = IndexResult.objects.get(round=imported_round, scope="province")
    expected = next(
        r for r in json.loads(EXPECTED_JSON.read_text(encoding="utf-8"))["results"] if r["scope"] == "province"
    )
    assert province.n == 600 == expected["n"]
    assert province.sipas == pytest.approx(expected["sipas"], abs=0.01)
    assert imported_round.computed_version == imported_round.data_version


def test_recompute_task_sent_twice_keeps_one_result_set(imported_round, celery_worker_process):
    round_id = imported_round.pk
    before = list(
        IndexResult.objects.filter(round_id=round_id).order_by("scope", "code").values_list("scope", "code", "n")
    )
    assert before
    # Mark the round stale, so the first task really recomputes and the second finds it current.
    SurveyRound.objects.filter(pk=round_id).update(data_version=F("data_version") + 1)
    version = SurveyRound.objects.get(pk=round_id).data_version
    tasks.recompute_round.delay(round_id)
    tasks.recompute_round.delay(round_id)
    after_round = wait_until_computed(round_id, at_least=version)
    wait_until_worker_idle(celery_worker_process["node"])

    after = list(
        IndexResult.objects.filter(round_id=round_id).order_by("scope", "code").values_list("scope", "code", "n")
    )
    assert after == before  # one result set, same scopes, same counts: nothing doubled
    assert IndexResult.objects.filter(round_id=round_id, scope="province").count() == 1
    assert after_round.computed_at > imported_round.computed_at
    assert SurveyRound.objects.get(pk=round_id).computed_version == version


def test_a_burst_of_saves_is_computed_a_handful_of_times(langson_round, celery_worker_process):
    """20 questionnaires saved one by one (20 transactions, 20 tasks sent) → one or two runs."""
    from surveys.models import AuditEntry
    from tests.surveys.test_import import good_row
    from tests.test_permission_matrix import _row

    for number in range(20):
        row = _row(good_row(f"LOAT-{number:02d}", ma_co_quan="STP", ma_linh_vuc="LLTP"))
        services.record_response(survey_round=langson_round, row=row, entered_by=None)
    survey_round = SurveyRound.objects.get(pk=langson_round.pk)
    assert survey_round.data_version == 20
    wait_until_computed(survey_round.pk, at_least=20)
    wait_until_worker_idle(celery_worker_process["node"])
    runs = AuditEntry.objects.filter(action="tính lại chỉ số", round_code=survey_round.code).count()
    assert 1 <= runs <= 3
    assert IndexResult.objects.get(round=survey_round, scope="province").n == 20


def wait_until_report_built(version_id: int, timeout: float = 120.0):
    from reporting.models import ReportStatus, ReportVersion

    deadline = time.monotonic() + timeout
    while True:
        version = ReportVersion.objects.get(pk=version_id)
        if version.status in (ReportStatus.DONE, ReportStatus.FAILED):
            return version
        if time.monotonic() > deadline:
            pytest.fail(f"worker chưa tạo xong báo cáo sau {timeout:.0f} giây: {version.status} "
                        f"{version.progress}% (xem test-artifacts/worker.log)")
        time.sleep(0.5)


@pytest.mark.parametrize("report_format", ["pdf", "xlsx"])
def test_report_is_built_by_the_real_worker(imported_round, celery_worker_process, report_format):
    """The annual report requested on the page is built by the worker, with the round's numbers."""
    from openpyxl import load_workbook

    from reporting.models import ReportStatus
    from reporting.services import request_report
    from sipas_portal.formatting import format_percent
    from tests.reporting.conftest import pdftotext

    version = request_report(survey_round=imported_round, report_format=report_format, user=None)
    built = wait_until_report_built(version.pk)
    wait_until_worker_idle(celery_worker_process["node"])
    assert built.status == ReportStatus.DONE, built.error
    province = IndexResult.objects.get(round=imported_round, scope="province")
    path = Path(built.file.path)
    if report_format == "pdf":
        assert format_percent(province.sipas) in pdftotext(path)
    else:
        values = {cell for sheet in load_workbook(path, read_only=True) for row in sheet.iter_rows(values_only=True)
                  for cell in row if isinstance(cell, float)}
        assert any(abs(value - province.sipas) < 1e-9 or abs(value * 100 - province.sipas) < 1e-9 for value in values)


def test_a_saved_questionnaire_reaches_the_dashboard_within_five_seconds(langson_round, celery_worker_process):
    """Issue 6: with a running worker on Redis, the overview shows a questionnaire ≤ 5 s after its save."""
    from django.test import Client

    from sipas_portal.formatting import format_percent
    from surveys.accounts import roles
    from tests.security.users import make_user
    from tests.surveys.test_import import good_row
    from tests.test_permission_matrix import _row

    client = Client()
    client.force_login(make_user("lanhdao.xem", roles.LEADER))
    url = f"/chi-so/{langson_round.code}/tong-quan/"
    assert "n = 1<" not in client.get(url).content.decode()

    services.record_response(survey_round=langson_round, row=_row(good_row("NHANH-01", ma_co_quan="STP",
                             ma_linh_vuc="LLTP")), entered_by=None)
    saved_at = time.monotonic()
    while "n = 1<" not in (page := client.get(url).content.decode()):
        assert time.monotonic() - saved_at < 5.0, "bảng điều khiển chưa có phiếu mới sau 5 giây"
        time.sleep(0.1)
    elapsed = time.monotonic() - saved_at
    wait_until_worker_idle(celery_worker_process["node"])
    province = IndexResult.objects.get(round=langson_round, scope="province")
    assert province.n == 1 and format_percent(province.sipas) in page
    print(f"phiếu lên bảng điều khiển sau {elapsed:.1f} s")
