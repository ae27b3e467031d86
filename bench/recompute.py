"""Benchmark: recompute every index of a round of N questionnaires.

    python bench/recompute.py --responses 1000000            # on the database DATABASE_URL names

Seeds (once per N and seed) a round `BENCH-<N>` with the reference round's agencies, domains
and questionnaire and N synthetic, valid questionnaires spread over its quotas, then, in a
fresh child process, times

- full:  the whole recomputation the worker runs (grouped query, roll-up, storing every scope);
- floor: the fastest single SQL pass over the same stored answers — one GROUP BY agency, domain
  that sums (or counts, whichever is faster) every stored answer column and computes nothing;

each the median of --repeat runs, and the child's peak resident memory. The last line is
`full_s=… floor_s=… ratio=… peak_mb=…`. `--explain` prints the query plan of the full pass.

Answer rows (the record kept for editing and exports) are not seeded: the index pass never
reads them, so they would only lengthen seeding.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sipas_portal.settings")
REFERENCE_ROUND = "LS-2022"
CHUNK = 50_000
POOL = 20_000


def setup_django() -> None:
    import django

    django.setup()


def bench_round(n: int, seed: int):
    """The benchmark round, created and seeded if needed."""
    from django.core.management import call_command

    from surveys.models import Response, RoundAgency, RoundAgencyDomain, RoundStatus, SurveyRound

    call_command("migrate", verbosity=0)
    if not SurveyRound.objects.filter(code=REFERENCE_ROUND).exists():
        call_command("loaddata", str(REPO / "fixtures" / "langson_2022.json"), verbosity=0)
    reference = SurveyRound.objects.get(code=REFERENCE_ROUND)
    code = f"BENCH-{n}-{seed}"
    survey_round, created = SurveyRound.objects.get_or_create(
        code=code,
        defaults=dict(
            name=f"Đo hiệu năng {n:,} phiếu", year=reference.year, province_name=reference.province_name,
            questionnaire=reference.questionnaire, starts_on=reference.starts_on, ends_on=reference.ends_on,
            status=RoundStatus.COLLECTING,
        ),
    )
    if created:
        RoundAgency.objects.bulk_create(
            RoundAgency(round=survey_round, agency_id=e.agency_id, level_id=e.level_id, parent_id=e.parent_id,
                        quota=e.quota)
            for e in RoundAgency.objects.filter(round=reference)
        )
        RoundAgencyDomain.objects.bulk_create(
            RoundAgencyDomain(round=survey_round, agency_id=p.agency_id, domain_id=p.domain_id, quota=p.quota)
            for p in RoundAgencyDomain.objects.filter(round=reference)
        )
    have = Response.objects.filter(round=survey_round).count()
    if have != n:
        Response.objects.filter(round=survey_round).delete()
        seed_responses(survey_round, n, seed)
    return survey_round


def seed_responses(survey_round, n: int, seed: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from surveys.models import Agency, Channel, Domain, Response, RoundAgencyDomain, Verification
    from surveys.questionnaires.scoring import derived_columns, empty_columns
    from surveys.responses.demo import allocate, generate_rows
    from surveys.selectors import load_definition

    started = time.perf_counter()
    definition = load_definition(survey_round.questionnaire)
    quotas = list(
        RoundAgencyDomain.objects.filter(round=survey_round)
        .order_by("agency__code", "domain__code")
        .values_list("agency__code", "domain__code", "quota")
    )
    agencies = dict(Agency.objects.values_list("code", "id"))
    domains = dict(Domain.objects.values_list("code", "id"))
    slot_names = list(empty_columns())
    columns = ["round_id", "ma_phieu", "agency_id", "domain_id", "channel", "surveyed_on", "entered_at",
               "updated_at", "verification", *slot_names]
    now = timezone.now()
    # Generating every questionnaire answer by answer would take most of the run: draw a pool
    # of valid questionnaires once and deal them out over the plan.
    pool_plan = allocate(min(n, POOL), quotas)
    pool = [
        {**empty_columns(), **derived_columns(definition, row.answers)}
        for row in generate_rows(definition, pool_plan, seed=seed, first_day=survey_round.starts_on,
                                 last_day=survey_round.ends_on, serial_prefix="")
    ]
    rng = random.Random(seed)
    channels = Channel.values
    days = (survey_round.ends_on - survey_round.starts_on).days

    def rows():
        number = 0
        for agency, domain, count in allocate(n, quotas):
            for _ in range(count):
                number += 1
                slots = pool[rng.randrange(len(pool))]
                yield [survey_round.pk, f"B-{number:07d}", agencies[agency], domains[domain], rng.choice(channels),
                       survey_round.starts_on + dt.timedelta(days=rng.randint(0, days)), now, now,
                       Verification.NOT_REQUIRED, *(slots[name] for name in slot_names)]

    table = Response._meta.db_table
    with connection.cursor() as cursor:
        batch: list[list] = []
        done = 0
        for values in rows():
            batch.append(values)
            if len(batch) == CHUNK:
                _write(cursor, connection.vendor, table, columns, batch)
                done += len(batch)
                batch = []
                print(f"  đã tạo {done:,}/{n:,} phiếu ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
        if batch:
            _write(cursor, connection.vendor, table, columns, batch)
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
    print(f"  tạo {n:,} phiếu trong {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _write(cursor, vendor: str, table: str, columns: list[str], batch: list[list]) -> None:
    if vendor == "postgresql":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for values in batch:
            writer.writerow(["" if v is None else v for v in values])
        buffer.seek(0)
        cursor.cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '')", buffer
        )
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch)


def floor_sqls(survey_round) -> list[tuple[str, list]]:
    """Single passes that read every stored answer column once and compute nothing: one sums
    each column, one counts each; the floor is the faster of the two."""
    from surveys.models import Response
    from surveys.questionnaires.scoring import empty_columns

    table = Response._meta.db_table
    return [
        (f"SELECT agency_id, domain_id, COUNT(*), {', '.join(f'{aggregate}({name})' for name in empty_columns())} "
         f"FROM {table} WHERE round_id = %s GROUP BY agency_id, domain_id", [survey_round.pk])
        for aggregate in ("SUM", "COUNT")
    ]


def measure(code: str, repeat: int, explain: bool) -> None:
    """Run in a fresh child process: time full and floor, report peak memory."""
    from django.db import connection

    from indexes import gather, services
    from surveys.models import SurveyRound
    from surveys.selectors import load_definition

    survey_round = SurveyRound.objects.select_related("questionnaire").get(code=code)
    full, floor = [], {sql: [] for sql, _ in floor_sqls(survey_round)}
    for _ in range(repeat):
        started = time.perf_counter()
        services.recompute_round(round_id=survey_round.pk, force=True)
        full.append(time.perf_counter() - started)
        for sql, params in floor_sqls(survey_round):
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                floor[sql].append(time.perf_counter() - started)
    fastest_floor, (sql, params) = min(
        (statistics.median(floor[sql]), (sql, params)) for sql, params in floor_sqls(survey_round)
    )
    if explain:
        query = gather.grouped_rows(survey_round, load_definition(survey_round.questionnaire)).query
        full_sql, full_params = query.sql_with_params()
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        with connection.cursor() as cursor:
            for label, text, args in (("full", full_sql, full_params), ("floor", sql, params)):
                cursor.execute(prefix + text, args)
                print(f"-- kế hoạch truy vấn ({label}):", file=sys.stderr)
                print("\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall()), file=sys.stderr)
    print(f"{statistics.median(full)} {fastest_floor} {peak_resident_mb()}")


def peak_resident_mb() -> float:
    """This process's peak resident memory. (getrusage's ru_maxrss would also count the
    parent's peak before exec, which on Linux carries over into the child.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--measure-round", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    setup_django()
    if args.measure_round:
        measure(args.measure_round, args.repeat, args.explain)
        return
    from django.conf import settings

    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    survey_round = bench_round(args.responses, args.seed)
    print(f"Cơ sở dữ liệu: {vendor}; đợt {survey_round.code}: {args.responses:,} phiếu", file=sys.stderr)
    child = subprocess.run(
        [sys.executable, __file__, "--responses", str(args.responses), "--repeat", str(args.repeat),
         "--measure-round", survey_round.code, *(["--explain"] if args.explain else [])],
        check=True, stdout=subprocess.PIPE, text=True,
    )
    full_s, floor_s, peak_mb = (float(x) for x in child.stdout.split()[-3:])
    print(f"full_s={full_s:.3f} floor_s={floor_s:.3f} ratio={full_s / floor_s:.2f} peak_mb={peak_mb:.0f}")


if __name__ == "__main__":
    main()
