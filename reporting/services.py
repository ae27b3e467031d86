"""The report's actions: write a section, draft sections from the data, request and build a
version (by the worker or synchronously), record downloads."""
from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from indexes.selectors import index_json
from surveys.accounts import audit
from surveys.models import SurveyRound

from .drafts import draft
from .models import ReportFormat, ReportSection, ReportStatus, ReportText, ReportVersion
from .selectors import report_content
from .signals import report_requested

MAX_SECTION_LENGTH = 20_000


class ReportInputError(ValueError):
    """Bad input from a person: the message says where and what, in Vietnamese."""


@transaction.atomic
def save_report_text(*, survey_round: SurveyRound, section_key: str, body: str, user) -> ReportText:
    """Staff save one prose section of the round's report."""
    if section_key not in ReportSection.values:
        raise ReportInputError(f"Phần báo cáo “{section_key}” không tồn tại.")
    body = body.replace("\r\n", "\n").strip()
    label = ReportSection(section_key).label
    if len(body) > MAX_SECTION_LENGTH:
        raise ReportInputError(
            f"Phần “{label}”: dài {len(body)} ký tự, vượt giới hạn {MAX_SECTION_LENGTH} ký tự; chưa lưu gì."
        )
    text, _ = ReportText.objects.select_for_update().get_or_create(round=survey_round, section_key=section_key)
    before = text.body
    if before == body:
        return text
    text.body = body
    text.updated_by = user
    text.save()
    audit.record(action=audit.AuditAction.REPORT_TEXT_EDITED, target=survey_round, round_code=survey_round.code,
                 before={section_key: before}, after={section_key: body}, note=label, actor=user)
    return text


@transaction.atomic
def draft_report_texts(*, survey_round: SurveyRound, user, replace: bool = False) -> list[str]:
    """Write a draft from the data into each section that is empty (or into every section
    with `replace`), for staff to edit. Returns the keys written."""
    content = report_content(survey_round)
    saved = {t.section_key: t for t in ReportText.objects.select_for_update().filter(round=survey_round)}
    written, before, after = [], {}, {}
    for key in ReportSection.values:
        current = saved.get(key)
        if current is not None and current.body.strip() and not replace:
            continue
        body = draft(content, key)
        if current is None:
            current = ReportText(round=survey_round, section_key=key)
        before[key] = current.body
        after[key] = body
        current.body = body
        current.updated_by = user
        current.save()
        written.append(key)
    if written:
        audit.record(action=audit.AuditAction.REPORT_DRAFTED, target=survey_round, round_code=survey_round.code,
                     before=before, after=after, note=", ".join(written), actor=user)
    return written


@transaction.atomic
def request_report(*, survey_round: SurveyRound, report_format: str, user) -> ReportVersion:
    """Queue a new version of the round's report; the worker builds it once this commits."""
    if report_format not in ReportFormat.values:
        raise ReportInputError(f"Định dạng “{report_format}” không hỗ trợ; chọn pdf hoặc xlsx.")
    version = ReportVersion.objects.create(round=survey_round, format=report_format, created_by=user)
    audit.record(action=audit.AuditAction.REPORT_REQUESTED, target=version, round_code=survey_round.code,
                 after={"dinh_dang": report_format}, actor=user)

    report_requested.send(sender=ReportVersion, version_id=version.pk)
    return version


def build_report_bytes(
    survey_round: SurveyRound, report_format: str, *, progress: Callable[[int], None] | None = None
) -> bytes:
    """The report file itself, from one read of the round's index export."""
    def step(value: int) -> None:
        if progress:
            progress(value)

    data = index_json(survey_round)
    step(10)
    content = report_content(survey_round, data=data)
    step(25)
    if report_format == ReportFormat.PDF:
        from .pdf import build_pdf

        return build_pdf(content, progress=lambda p: step(25 + p * 70 // 100))
    if report_format == ReportFormat.XLSX:
        from .workbook import build_xlsx

        return build_xlsx(content, data)
    raise ReportInputError(f"Định dạng “{report_format}” không hỗ trợ; chọn pdf hoặc xlsx.")


def _set_progress(version_id: int, value: int) -> None:
    ReportVersion.objects.filter(pk=version_id).update(progress=max(0, min(100, value)))


def build_version(*, version_id: int) -> ReportVersion:
    """Build a queued version (the worker's job). Idempotent: a finished version is left as
    it is, so a redelivered task does nothing twice. Progress is written outside any
    transaction so the page polling it sees it move."""
    version = ReportVersion.objects.select_related("round", "round__questionnaire").get(pk=version_id)
    if version.status == ReportStatus.DONE:
        return version
    ReportVersion.objects.filter(pk=version_id).update(status=ReportStatus.RUNNING, progress=5, error="")
    try:
        content = build_report_bytes(version.round, version.format, progress=lambda p: _set_progress(version_id, p))
    except Exception as exc:
        ReportVersion.objects.filter(pk=version_id).update(
            status=ReportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        version = ReportVersion.objects.select_for_update().get(pk=version_id)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        version.file.save(f"bao-cao-{version.round.code}-{stamp}-v{version.pk}.{version.format}",
                          ContentFile(content), save=False)
        version.size = len(content)
        version.status = ReportStatus.DONE
        version.progress = 100
        version.error = ""
        version.finished_at = timezone.now()
        version.save()
        audit.record(action=audit.AuditAction.REPORT_BUILT, target=version, round_code=version.round.code,
                     after={"dinh_dang": version.format, "kich_thuoc": version.size}, actor=None)
    return version


def record_download(*, version: ReportVersion, user) -> None:
    signed_in = bool(user and user.is_authenticated)
    audit.record_download(actor=user if signed_in else None, action=audit.AuditAction.DOWNLOAD_REPORT, target=version,
                          round_code=version.round.code, after={"dinh_dang": version.format},
                          note="" if signed_in else "trang công khai")
