"""Helpers shared by the management commands."""
from django.core.management.base import CommandError

from surveys.models import SurveyRound


def get_round(code: str) -> SurveyRound:
    try:
        return SurveyRound.objects.select_related("questionnaire").get(code=code)
    except SurveyRound.DoesNotExist:
        raise CommandError(f"Không có đợt khảo sát mã {code}.") from None
