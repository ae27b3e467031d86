"""python manage.py build_report --round CODE --format pdf|xlsx --out PATH

Writes the round's annual report synchronously, with the same code the worker runs."""
from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting.models import ReportFormat
from reporting.services import build_report_bytes
from surveys.accounts import audit
from surveys.management.commands._common import get_round


class Command(BaseCommand):
    help = "Tạo báo cáo Chỉ số SIPAS của đợt (PDF hoặc XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("--round", required=True, dest="round_code")
        parser.add_argument("--format", required=True, dest="report_format", choices=ReportFormat.values)
        parser.add_argument("--out", required=True)

    def handle(self, round_code, report_format, out, **options):
        survey_round = get_round(round_code)
        path = Path(out)
        if not path.parent.exists():
            raise CommandError(f"--out {out}: thư mục {path.parent} không tồn tại.")
        started = time.perf_counter()
        content = build_report_bytes(survey_round, report_format)
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"--out {out}: không ghi được tệp ({exc.strerror}).") from None
        audit.record(action=audit.AuditAction.REPORT_BUILT_BY_COMMAND, actor=None, target=survey_round, round_code=survey_round.code,
                     after={"dinh_dang": report_format, "kich_thuoc": len(content)})
        self.stdout.write(
            f"Đã ghi báo cáo {report_format.upper()} đợt {round_code} vào {out} "
            f"({len(content)} byte, {time.perf_counter() - started:.1f} giây)."
        )
