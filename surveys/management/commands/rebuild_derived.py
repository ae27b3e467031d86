"""python manage.py rebuild_derived --round CODE"""
from django.core.management.base import BaseCommand, CommandError

from surveys.management.commands._common import get_round
from surveys.responses import services


class Command(BaseCommand):
    help = "Tính lại các cột dẫn xuất của mọi phiếu trong đợt từ câu trả lời đã lưu, rồi tính lại chỉ số."

    def add_arguments(self, parser):
        parser.add_argument("--round", required=True, dest="round_code")

    def handle(self, round_code, **options):
        try:
            count = services.rebuild_derived_columns(survey_round=get_round(round_code))
        except services.QuestionnaireUnsupported as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Đã tính lại cột dẫn xuất của {count} phiếu trong đợt {round_code}.")
