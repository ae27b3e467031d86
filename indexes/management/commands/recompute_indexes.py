"""python manage.py recompute_indexes --round CODE"""
import time

from django.core.management.base import BaseCommand

from indexes import services
from surveys.management.commands._common import get_round


class Command(BaseCommand):
    help = "Tính lại mọi chỉ số của đợt khảo sát (đồng bộ, cùng mã nguồn với tác vụ nền)."

    def add_arguments(self, parser):
        parser.add_argument("--round", required=True, dest="round_code")

    def handle(self, round_code, **options):
        survey_round = get_round(round_code)
        started = time.perf_counter()
        services.recompute_round(round_id=survey_round.pk, force=True)
        self.stdout.write(f"Đã tính lại chỉ số đợt {round_code} trong {time.perf_counter() - started:.2f} giây.")
