"""Celery tasks of the report: thin, idempotent, retried with backoff."""
from __future__ import annotations

import logging

from celery import shared_task

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
