"""python manage.py seed_plan_demo --round LS-2022 [--user admin]: adds the demonstration
improvement plan (reporting/plans/demo.py) to the round, once."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from surveys.models import SurveyRound

from ...demo import seed_demo_plan


class Command(BaseCommand):
    help = "Thêm kế hoạch cải thiện minh họa (theo phụ lục Kế hoạch 183/KH-UBND) vào đợt khảo sát."

    def add_arguments(self, parser):
        parser.add_argument("--round", required=True, help="mã đợt, ví dụ LS-2022")
        parser.add_argument("--user", default="admin", help="tài khoản Sở Nội vụ ghi kế hoạch (mặc định: admin)")

    def handle(self, *args, round: str, user: str, **options):
        survey_round = SurveyRound.objects.select_related("questionnaire").filter(code=round).first()
        if survey_round is None:
            raise CommandError(f"Không có đợt khảo sát mã “{round}”.")
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"Không có tài khoản “{user}”.")
        try:
            plan = seed_demo_plan(survey_round=survey_round, actor=actor)
        except PermissionDenied:
            raise CommandError(f"Tài khoản “{user}” không có quyền quản lý đợt khảo sát.") from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        if plan is None:
            self.stdout.write(f"Đợt {survey_round.code} đã có kế hoạch minh họa; không thêm lại.")
        else:
            self.stdout.write(f"Đã thêm kế hoạch số {plan.number} với {plan.tasks.count()} nhiệm vụ vào đợt {survey_round.code}.")
