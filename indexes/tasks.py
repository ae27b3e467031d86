"""Celery tasks: thin, idempotent, retried with backoff."""
from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
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


def request_recompute(*, round_id: int) -> None:
    """Send the recomputation to the worker once the current transaction commits.

    A broker that is down must never cost the officer their saved questionnaire: the round
    stays marked stale (data_version > computed_version) and the periodic sweep picks it up.
    """

    def send() -> None:
        try:
            recompute_round.apply_async((round_id,), countdown=settings.SIPAS_RECOMPUTE_DELAY_SECONDS)
        except Exception:
            logger.exception("Không gửi được yêu cầu tính lại chỉ số đợt %s; sẽ tính lại khi hàng đợi hoạt động.", round_id)

    transaction.on_commit(send)


def on_round_data_changed(sender, *, round_id: int, **kwargs) -> None:
    """Receiver of surveys.signals.round_data_changed (connected in IndexesConfig.ready)."""
    request_recompute(round_id=round_id)
