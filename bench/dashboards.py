"""Benchmark: server time of every results dashboard page for a round of N questionnaires.

    DATABASE_URL=postgres://root@127.0.0.1:5432/sipas_bench python bench/dashboards.py --responses 1000000

Uses the round `BENCH-<N>-<seed>` of bench/recompute.py (seeding it the same way only if it is
not there yet), computes its indexes once if they are missing or stale, then requests each
dashboard page through Django's test Client as a leader (every result visible): a warm-up,
then the median of --repeat requests, timed around the whole request (middleware, views,
queries, templates, SVG charts). One line per page, then `max_ms=…` over the pages.

Filtered views (by channel) are computed on request by the grouped pass with a WHERE and then
cached per data_version and filter; their first (uncached) and cached times are printed too,
for information, but are not part of max_ms: the 300 ms figure is for the pages themselves.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sipas_portal.settings")

PAGES = (
    "tong-quan/",
    "theo-cap/",
    "xep-hang/",
    "co-quan/TPLS/",  # a district: its communes and district area too
    "co-quan/SKHDT/",
    "theo-linh-vuc/",
    "qua-trinh/",
    "nguoi-tra-loi/",
    "xu-huong/",
    "chi-tieu/",
    "trang-thai/",
    "tong-quan/?tai=xlsx",
    "xep-hang/?tai=xlsx",
)
FILTERED = ("tong-quan/?kenh=BUU_DIEN", "xep-hang/?kenh=BUU_DIEN&tu_ngay=01/11/2022")


def leader():
    from django.contrib.auth import get_user_model

    from surveys.accounts import roles
    from tests.security.users import make_user

    user = get_user_model().objects.filter(username="bench-lanhdao").first()
    return user or make_user("bench-lanhdao", roles.LEADER)


def timed(client, url: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, response.status_code, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()

    import django

    django.setup()
    import recompute as seeding  # bench/recompute.py: the same round, seeded the same way
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from indexes import services

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    survey_round = seeding.bench_round(args.responses, args.seed)
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    if survey_round.computed_at is None or survey_round.is_stale:
        started = time.perf_counter()
        services.recompute_round(round_id=survey_round.pk, force=True)
        print(f"  tính chỉ số lần đầu: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    print(f"Cơ sở dữ liệu: {vendor}; đợt {survey_round.code}: {args.responses:,} phiếu", file=sys.stderr)

    client = Client()
    client.force_login(leader())
    base = f"/chi-so/{survey_round.code}/"
    medians = {}
    for page in PAGES:
        for _ in range(args.warmup):
            timed(client, base + page)
        runs = [timed(client, base + page) for _ in range(args.repeat)]
        statuses = {status for _, status, _ in runs}
        assert statuses == {200}, f"{page}: HTTP {statuses}"
        times = [ms for ms, _, _ in runs]
        medians[page] = statistics.median(times)
        print(f"{page:<24} median_ms={medians[page]:.1f} min_ms={min(times):.1f} max_ms={max(times):.1f} "
              f"bytes={runs[-1][2]}")
    for page in FILTERED:
        cache.clear()
        first, status, _ = timed(client, base + page)
        assert status == 200, f"{page}: HTTP {status}"
        cached = statistics.median(timed(client, base + page)[0] for _ in range(args.repeat))
        print(f"{page:<24} (lọc) first_ms={first:.1f} cached_median_ms={cached:.1f}")
    print(f"max_ms={max(medians.values()):.1f}")


if __name__ == "__main__":
    main()
