"""Celery tasks: thin, idempotent, retried with backoff."""
from __future__ import annotations

import logging

from celery import shared_task
from django.db.models import F

from surveys.models import SurveyRound

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def recompute_round(round_id: int) -> bool:
    try:
        return services.recompute_round(round_id=round_id)
    except SurveyRound.DoesNotExist:
        # The round was deleted after the request was queued: nothing to compute, and
        # retrying would only fail again, so drop it instead of retrying with backoff.
        logger.info("Đợt %s không còn tồn tại; bỏ qua yêu cầu tính lại chỉ số.", round_id)
        return False


@shared_task(acks_late=True)
def recompute_stale_rounds() -> int:
    """Sweep: recompute every round whose results are older than its data."""
    stale = SurveyRound.objects.filter(computed_version__lt=F("data_version")).values_list("pk", flat=True)
    for round_id in stale:
        recompute_round.delay(round_id)
    return len(stale)
