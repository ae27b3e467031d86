"""Benchmark: saving one paper questionnaire through the real entry view, in a big round.

    DATABASE_URL=postgres://… python bench/entry.py --responses 100000 [--saves 200] [--double-entry 0]

Seeds (once, with bench/recompute.py's helpers) a round `BENCH-<N>-<seed>` of N questionnaires
on the database DATABASE_URL names, then logs in an entry officer with Django's test Client and
POSTs `--saves` valid questionnaires to `/dot/<code>/phieu/moi/` — the whole server path: the
middleware, the form, the checks (serial by the unique index, agency and domain, quota), the
double-entry draw, the save with answers and derived columns, the audit row and the quality
checks (near duplicates: a bounded, indexed query). Each POST must answer 302 (saved). The
recomputation the save asks for runs in the worker, not in the request: its dispatch is
replaced here by a no-op so that the figure is the officer's wait, not the worker's work.

The questionnaires saved by the run are deleted at the end, so the round keeps N and the next
run does not reseed. The last line is `median_ms=… p95_ms=… max_ms=… cpu_median_ms=… saves=… responses=…`
(cpu = this process's CPU time per save: the server's Python work, whatever else loads the machine).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import recompute as seeding  # bench/recompute.py: setup_django, bench_round

WARM_UP = 5

# A valid SIPAS-LS-2022 questionnaire as typed: on time (no B5), no feedback (no C5.*).
ANSWERS = {
    "A1": "1", "A2": "3", "A3": "2", "A4": "5", "A5": "3", "A6": "1",
    "B1": "1 3", "B2": "1", "B3": "2", "B4": "2", "B6": "2", "B7": "2",
    "C1.1": "3", "C1.2": "4", "C1.3": "4", "C2.1": "4", "C2.2": "4", "C2.3": "4", "C2.4": "4", "C2.5": "4",
    "C3.1": "5", "C3.2": "4", "C3.3": "4", "C3.4": "4", "C3.5": "4", "C3.6": "4",
    "C4.1": "4", "C4.2": "4", "C4.3": "4", "C4.4": "4", "D1": "2 3", "D2": "Đo hiệu năng",
}
SCALE_CODES = [code for code in ANSWERS if code.startswith("C")]


def officer():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from surveys.accounts import roles

    user, _ = get_user_model().objects.get_or_create(username="bench-nhap-phieu", defaults={"first_name": "Đo"})
    user.groups.add(Group.objects.get(name=roles.STAFF))  # enters for every agency
    return get_user_model().objects.get(pk=user.pk)


def questionnaires(survey_round, count: int, seed: int):
    """POST bodies spread over the round's agency × domain pairs, answers varied a little."""
    from surveys.models import RoundAgencyDomain

    pairs = list(
        RoundAgencyDomain.objects.filter(round=survey_round).order_by("agency__code", "domain__code")
        .values_list("agency__code", "domain__code")
    )
    rng = random.Random(seed)
    run = uuid.uuid4().hex[:6]
    for number in range(count):
        agency, domain = pairs[rng.randrange(len(pairs))]
        answers = dict(ANSWERS)
        for code in rng.sample(SCALE_CODES, 4):
            answers[code] = str(rng.randint(1, 5))
        yield {
            "ma_phieu": f"E-{run}-{number:05d}", "ma_co_quan": agency, "ma_linh_vuc": domain,
            "kenh": "TRUC_TIEP", "ngay_khao_sat": "05/10/2022", "luu_tiep": "1", **answers,
        }


def explain_lookups(survey_round) -> None:
    """EXPLAIN ANALYZE of the lookups a save makes that grow with the round: the serial, the
    quota count and the near-duplicate candidates (PostgreSQL only)."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from surveys.models import Response

    if connection.vendor != "postgresql":
        return
    sample = Response.objects.filter(round=survey_round).order_by("-id").first()
    lookups = {
        "serial": Response.objects.filter(round=survey_round, ma_phieu=sample.ma_phieu).order_by().values("id")[:1],
        "quota": Response.objects.filter(round=survey_round, agency_id=sample.agency_id,
                                         domain_id=sample.domain_id).order_by().values("id"),
        "near_duplicate": Response.objects.filter(
            round_id=survey_round.pk, agency_id=sample.agency_id, domain_id=sample.domain_id,
            entered_at__gte=timezone.now() - dt.timedelta(minutes=10),
        ).order_by("-entered_at").values_list("pk", flat=True)[:50],
    }
    with connection.cursor() as cursor:
        for name, queryset in lookups.items():
            sql, params = queryset.query.sql_with_params()
            if name == "quota":
                sql = f"SELECT COUNT(*) FROM ({sql}) q"
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            print(f"--- {name}", file=sys.stderr)
            for (line,) in cursor.fetchall():
                print(f"    {line}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--double-entry", type=int, default=0, help="double_entry_percent of the round (0–100)")
    parser.add_argument("--explain", action="store_true", help="print the plans of the per-save lookups")
    args = parser.parse_args()

    seeding.setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    import indexes.tasks
    from surveys.models import Response

    settings.DEBUG = False  # no query log in memory, as in production
    setup_test_environment()
    indexes.tasks.recompute_round.apply_async = lambda *a, **k: None  # the worker's job, not the request's

    call_command("migrate", verbosity=0)
    survey_round = seeding.bench_round(args.responses, args.seed)
    survey_round.double_entry_percent = args.double_entry
    survey_round.enforce_quota = False
    survey_round.save(update_fields=["double_entry_percent", "enforce_quota"])
    client = Client()
    client.force_login(officer())
    url = reverse("surveys:response_create", args=[survey_round.code])
    print(f"đợt {survey_round.code}: {Response.objects.filter(round=survey_round).count():,} phiếu; "
          f"CSDL {connection.vendor}", file=sys.stderr)

    timings: list[float] = []
    cpu: list[float] = []  # this process's CPU per save (view + client + driver; not PostgreSQL's)
    saved_serials: list[str] = []
    try:
        for index, body in enumerate(questionnaires(survey_round, args.saves + WARM_UP, args.seed)):
            started, cpu_started = time.perf_counter(), time.process_time()
            answer = client.post(url, body)
            elapsed = (time.perf_counter() - started) * 1000
            cpu_ms = (time.process_time() - cpu_started) * 1000
            if answer.status_code != 302:
                form = answer.context["form"] if answer.context else None
                raise SystemExit(f"phiếu {body['ma_phieu']} không lưu được ({answer.status_code}): "
                                 f"{form.errors.as_text() if form else ''}")
            saved_serials.append(body["ma_phieu"])
            if index >= WARM_UP:
                timings.append(elapsed)
                cpu.append(cpu_ms)
    finally:
        Response.objects.filter(round=survey_round, ma_phieu__in=saved_serials).delete()
    if args.explain:
        explain_lookups(survey_round)
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores; median CPU of this process per save "
          f"{statistics.median(cpu):.1f} ms", file=sys.stderr)
    print(f"median_ms={statistics.median(timings):.1f} p95_ms={p95:.1f} max_ms={timings[-1]:.1f} "
          f"cpu_median_ms={statistics.median(cpu):.1f} saves={len(timings)} "
          f"responses={Response.objects.filter(round=survey_round).count()}")


if __name__ == "__main__":
    main()
