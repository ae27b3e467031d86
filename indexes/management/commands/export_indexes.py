"""python manage.py export_indexes --round CODE --format json [--out PATH]"""
import json
from pathlib import Path

from django.core.management.base import BaseCommand

from indexes.selectors import index_json
from surveys.management.commands._common import get_round


class Command(BaseCommand):
    help = "Xuất kết quả chỉ số của đợt dạng JSON."

    def add_arguments(self, parser):
        parser.add_argument("--round", required=True, dest="round_code")
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument("--out")

    def handle(self, round_code, out, **options):
        text = json.dumps(index_json(get_round(round_code)), ensure_ascii=False, indent=1)
        if out:
            Path(out).write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)
