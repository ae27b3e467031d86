"""Celery tasks of the report: thin, idempotent, retried with backoff."""
from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from . import services
from .models import ReportVersion

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(Exception,),
    dont_autoretry_for=(ReportVersion.DoesNotExist,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=3,
)
def build_report_version(version_id: int) -> int:
    try:
        return services.build_version(version_id=version_id).progress
    except ReportVersion.DoesNotExist:
        # The version (or its round) was deleted after the request: nothing to build.
        logger.info("Phiên bản báo cáo %s không còn tồn tại; bỏ qua.", version_id)
        return 0


def on_report_requested(sender, *, version_id: int, **kwargs) -> None:
    """Receiver of reporting.signals.report_requested (connected in ReportingConfig.ready):
    the build goes to the worker once the request commits."""

    def send() -> None:
        try:
            build_report_version.delay(version_id)
        except Exception:
            # The version stays "queued": the worker's sweep (or a new request) picks it up.
            logger.exception("Không gửi được yêu cầu tạo báo cáo #%s tới hàng đợi.", version_id)

    transaction.on_commit(send)
