"""python manage.py export_template --round CODE --out PATH"""
from pathlib import Path

from django.core.management.base import BaseCommand

from surveys.management.commands._common import get_round
from surveys.responses.template_workbook import template_bytes


class Command(BaseCommand):
    help = "Xuất mẫu bảng tính nhập phiếu của đợt (trang Phieu và Huong_dan)."

    def add_arguments(self, parser):
        parser.add_argument("--round", required=True, dest="round_code")
        parser.add_argument("--out", required=True)

    def handle(self, round_code, out, **options):
        Path(out).write_bytes(template_bytes(get_round(round_code)))
        self.stdout.write(f"Đã ghi mẫu bảng tính đợt {round_code} vào {out}.")
