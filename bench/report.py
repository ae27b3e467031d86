"""Benchmark: build the annual report (PDF and XLSX) of a round of N questionnaires.

    python bench/report.py --responses 100000       # on the database DATABASE_URL names
    DATABASE_URL=postgres://root@127.0.0.1:5432/sipas_helper_c python bench/report.py --responses 100000

Seeds (once per N and seed) the round `BENCH-<N>-<seed>` with bench/recompute.py's seeding
(the reference round's agencies, domains, quotas and questionnaire; N valid questionnaires),
computes its indexes if they are stale, then times each format through the worker's path:
`reporting.services.request_report` creates the version and sends the task once the
transaction commits — run in-process without a broker, or by the worker when
CELERY_BROKER_URL is set — and the clock stops when the version is finished. The last line is
`pdf_s=… xlsx_s=…` (the issue asks for under 60 s each at N = 100 000).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import recompute

TIMEOUT_S = 900


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_version(survey_round, report_format: str) -> tuple[float, int, float]:
    """Seconds from the request to the finished file, its size, and the CPU seconds this
    process spent meanwhile (the task's work when it runs in-process; on a shared, busy machine
    the wall time also counts the time other processes held the cores)."""
    from reporting.models import ReportStatus, ReportVersion
    from reporting.services import request_report

    cpu_started = cpu_seconds()
    started = time.perf_counter()
    version = request_report(survey_round=survey_round, report_format=report_format, user=None)
    while True:
        version = ReportVersion.objects.get(pk=version.pk)
        if version.status in (ReportStatus.DONE, ReportStatus.FAILED):
            break
        if time.perf_counter() - started > TIMEOUT_S:
            raise SystemExit(f"Báo cáo {report_format} chưa xong sau {TIMEOUT_S} s (tiến độ {version.progress}%).")
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    if version.status == ReportStatus.FAILED:
        raise SystemExit(f"Không tạo được báo cáo {report_format}: {version.error}")
    return elapsed, version.size, cpu_seconds() - cpu_started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    recompute.setup_django()

    from django.conf import settings

    from indexes.services import recompute_round
    from surveys.models import SurveyRound

    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    survey_round = recompute.bench_round(args.responses, args.seed)
    survey_round = SurveyRound.objects.select_related("questionnaire").get(pk=survey_round.pk)
    if survey_round.computed_at is None or survey_round.computed_version < survey_round.data_version:
        started = time.perf_counter()
        recompute_round(round_id=survey_round.pk, force=True)
        print(f"  tính chỉ số trong {time.perf_counter() - started:.1f} s", file=sys.stderr)
        survey_round.refresh_from_db()
    mode = "worker" if not settings.CELERY_TASK_ALWAYS_EAGER else "trong tiến trình (không có broker)"
    print(f"Cơ sở dữ liệu: {vendor}; đợt {survey_round.code}: {args.responses:,} phiếu; tác vụ: {mode}",
          file=sys.stderr)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    pdf_s, pdf_size, pdf_cpu = timed_version(survey_round, "pdf")
    print(f"  PDF: {pdf_s:.1f} s ({pdf_cpu:.1f} s CPU của tiến trình này), {pdf_size:,} byte", file=sys.stderr)
    xlsx_s, xlsx_size, xlsx_cpu = timed_version(survey_round, "xlsx")
    print(f"  XLSX: {xlsx_s:.1f} s ({xlsx_cpu:.1f} s CPU), {xlsx_size:,} byte", file=sys.stderr)
    print(f"  tải trung bình của máy lúc bắt đầu: {load} (số lõi: {os.cpu_count()})", file=sys.stderr)
    print(f"pdf_s={pdf_s:.2f} xlsx_s={xlsx_s:.2f}")


if __name__ == "__main__":
    main()
