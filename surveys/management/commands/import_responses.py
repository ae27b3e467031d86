"""python manage.py import_responses PATH --round CODE [--skip-invalid --errors-out PATH] [--entered-by USERNAME]"""
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from surveys.management.commands._common import get_round
from surveys.responses import services


class Command(BaseCommand):
    help = "Nhập phiếu khảo sát từ bảng tính (.xlsx) theo mẫu của đợt."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--round", required=True, dest="round_code")
        parser.add_argument("--skip-invalid", action="store_true")
        parser.add_argument("--errors-out")
        parser.add_argument("--entered-by")

    def handle(self, path, round_code, skip_invalid, errors_out, entered_by, **options):
        if skip_invalid and not errors_out:
            raise CommandError("--skip-invalid cần kèm --errors-out PATH để ghi các dòng lỗi.")
        survey_round = get_round(round_code)
        user = None
        if entered_by:
            user = get_user_model().objects.filter(username=entered_by).first()
            if user is None:
                raise CommandError(f"Không có người dùng {entered_by}.")
        if not Path(path).is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        try:
            outcome = services.import_responses(
                survey_round=survey_round, source=path, entered_by=user, skip_invalid=skip_invalid
            )
        except services.RoundNotOpen as exc:
            raise CommandError(str(exc)) from None
        if skip_invalid:
            Path(errors_out).write_text("".join(f"{e}\n" for e in outcome.errors), encoding="utf-8")
            self.stdout.write(
                f"Đã nhập {outcome.saved} phiếu; {outcome.skipped} dòng lỗi ghi vào {errors_out}."
            )
            return
        if outcome.errors:
            for error in outcome.errors:
                self.stderr.write(str(error))
            self.stderr.write(f"Có {len(outcome.errors)} lỗi; không phiếu nào được nhập.")
            sys.exit(1)
        self.stdout.write(f"Đã nhập {outcome.saved} phiếu vào đợt {survey_round.code}.")
