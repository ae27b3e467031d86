"""Trả lời trực tuyến (issue 5 item 6): the public questionnaire per one-stop desk link or per
one-time token of a sample-frame contact.

Saving goes through `services.record_response` (the same rules as paper and import), then the
form's `submission_key` is set on the new questionnaire inside the same transaction: the column
is unique, so a double click or a resent form can never create a second questionnaire, even when
two requests race. A token is spent in that transaction too.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from surveys.models import Agency, Channel, Domain, FrameContact, Response, RoundAgencyDomain, RoundStatus, SurveyRound
from surveys.questionnaires.definition import AnswerValue, QuestionnaireDef, validate_answers
from surveys.responses import services
from surveys.responses.importing import ParsedRow
from surveys.sampling import frames

DESK_SERIAL_PREFIX = "TT-"
SERIAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
SERIAL_LENGTH = 8
SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

UNAVAILABLE = "Phiếu khảo sát trực tuyến này hiện không nhận trả lời."
TOKEN_USED = (
    "Mã này đã được dùng để trả lời phiếu khảo sát. Mỗi mã chỉ dùng được một lần; "
    "cảm ơn Ông/Bà đã tham gia."
)
TOKEN_UNKNOWN = "Mã trả lời không đúng hoặc đã hết hiệu lực. Ông/Bà hãy kiểm tra lại đường dẫn trên thư mời."


class OnlineUnavailable(Exception):
    """The round, agency or domain does not take online answers (now)."""


class LinkUnknown(OnlineUnavailable):
    """No such desk link (agency × domain of the round) or token."""


class TokenUnknown(LinkUnknown):
    """No drawn contact has this token."""


class TokenUsed(Exception):
    """The token's questionnaire was already answered (online, or on paper with its serial)."""


class DuplicateSubmission(Exception):
    """This form was already saved (same submission key)."""


@dataclass(frozen=True)
class OnlineTarget:
    """What an online form is about: the round, the agency and domain, and for a token its contact."""

    survey_round: SurveyRound
    agency: Agency
    domain: Domain
    contact: FrameContact | None = None


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


def valid_submission_key(key: str | None) -> bool:
    return bool(key) and bool(SUBMISSION_KEY.match(key))


def already_submitted(key: str | None) -> bool:
    return valid_submission_key(key) and Response.objects.filter(submission_key=key).exists()


def _ensure_online(survey_round: SurveyRound) -> None:
    if survey_round.status != RoundStatus.COLLECTING:
        raise OnlineUnavailable(
            f"Đợt khảo sát “{survey_round.name}” đang ở trạng thái “{survey_round.get_status_display()}”, "
            "không nhận trả lời trực tuyến."
        )
    if not survey_round.online_enabled:
        raise OnlineUnavailable(f"Đợt khảo sát “{survey_round.name}” không nhận trả lời trực tuyến.")


def desk_target(*, round_code: str, agency_code: str, domain_code: str) -> OnlineTarget:
    """The target of a one-stop desk link `/phieu/<round>/<agency>/<domain>/`."""
    pair = (
        RoundAgencyDomain.objects.select_related("round__questionnaire", "agency", "domain")
        .filter(round__code=round_code, agency__code=agency_code.upper(), domain__code=domain_code.upper())
        .first()
    )
    if pair is None:
        raise LinkUnknown(
            "Đường dẫn không đúng: không có phiếu khảo sát trực tuyến cho cơ quan và lĩnh vực này trong đợt."
        )
    _ensure_online(pair.round)
    return OnlineTarget(pair.round, pair.agency, pair.domain)


def token_target(*, token: str) -> OnlineTarget:
    """The target of a one-time token `/phieu/t/<token>/`; raises TokenUsed once answered."""
    contact = (
        FrameContact.objects.select_related("round__questionnaire", "agency", "domain", "frame")
        .filter(token=token, ma_phieu__isnull=False).first()
        if token else None
    )
    if contact is None or contact.frame.purged_at is not None:
        raise TokenUnknown(TOKEN_UNKNOWN)
    if _token_spent(contact):
        raise TokenUsed(TOKEN_USED)
    _ensure_online(contact.round)
    return OnlineTarget(contact.round, contact.agency, contact.domain, contact)


def _token_spent(contact: FrameContact) -> bool:
    return (
        contact.token_used_at is not None
        or contact.response_id is not None
        or Response.objects.filter(round_id=contact.round_id, ma_phieu=contact.ma_phieu).exists()
    )


def new_desk_serial(survey_round: SurveyRound) -> str:
    """TT-XXXXXXXX, unused in the round (32⁸ ≈ 10¹² serials: a clash is retried, not expected)."""
    while True:
        serial = DESK_SERIAL_PREFIX + "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(SERIAL_LENGTH))
        if not Response.objects.filter(round=survey_round, ma_phieu=serial).exists():
            return serial


def submit_online(*, target: OnlineTarget, answers: dict[str, AnswerValue], submission_key: str) -> Response:
    """Lưu phiếu trả lời trực tuyến, once per submission key and once per token.

    Raises DuplicateSubmission (already saved: show the thank-you page), TokenUsed,
    services.ResponseInvalid (answers break a rule; nothing saved) or services.RoundNotOpen."""
    if not valid_submission_key(submission_key):
        raise ValueError("submission_key")
    try:
        with transaction.atomic():
            if Response.objects.filter(submission_key=submission_key).exists():
                raise DuplicateSubmission()
            contact = target.contact
            if contact is not None:
                contact = FrameContact.objects.select_for_update().get(pk=contact.pk)
                if contact.token is None or _token_spent(contact):
                    raise TokenUsed(TOKEN_USED)
            serial = contact.ma_phieu if contact is not None else new_desk_serial(target.survey_round)
            row = ParsedRow(
                row=0, ma_phieu=serial, agency_code=target.agency.code, domain_code=target.domain.code,
                channel=Channel.TRUC_TUYEN, surveyed_on=timezone.localdate(), answers=dict(answers),
            )
            response = services.record_response(survey_round=target.survey_round, row=row, entered_by=None)
            Response.objects.filter(pk=response.pk).update(submission_key=submission_key)
            if contact is not None:
                FrameContact.objects.filter(pk=contact.pk).update(token_used_at=timezone.now())
                frames.mark_returned(survey_round=target.survey_round, ma_phieu=serial, response=response,
                                    actor=None)
            return response
    except IntegrityError:
        # Two requests with the same key (or token) raced: the other one saved it.
        if Response.objects.filter(submission_key=submission_key).exists():
            raise DuplicateSubmission() from None
        if target.contact is not None:
            raise TokenUsed(TOKEN_USED) from None
        raise


# --------------------------------------------------------------------------- reading the form
MAX_TEXT = 2000


def _option(raw: str) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 4 else None


def read_answers(definition: QuestionnaireDef, data) -> tuple[dict[str, AnswerValue], dict[str, list[str]]]:
    """The posted form (a QueryDict: one field per question code, several values for a
    multi-choice question) as answers, checked by surveys.questionnaires.definition. Errors are keyed by
    question code ("" for the whole form), in Vietnamese, ready to show beside the question."""
    answers: dict[str, AnswerValue] = {}
    errors: dict[str, list[str]] = {}
    for question in definition.questions:
        if question.kind == "multi":
            raw = [v for v in data.getlist(question.code) if str(v).strip()]
            values = [_option(v) for v in raw]
            if any(v is None for v in values):
                errors.setdefault(question.code, []).append("Lựa chọn không hợp lệ.")
            elif values:
                answers[question.code] = frozenset(values)
        elif question.kind == "text":
            text = str(data.get(question.code, "")).strip()
            if len(text) > MAX_TEXT:
                errors.setdefault(question.code, []).append(
                    f"Ý kiến dài {len(text)} ký tự; xin viết gọn trong {MAX_TEXT} ký tự."
                )
            elif text:
                answers[question.code] = text
        else:
            raw = str(data.get(question.code, "")).strip()
            if raw:
                value = _option(raw)
                if value is None:
                    errors.setdefault(question.code, []).append("Lựa chọn không hợp lệ.")
                else:
                    answers[question.code] = value
    if not errors:
        for problem in validate_answers(definition, answers):
            errors.setdefault(problem.question or "", []).append(_online_message(definition, problem.question,
                                                                                 problem.message))
    return answers, errors


def _online_message(definition: QuestionnaireDef, code: str | None, message: str) -> str:
    text = message[:1].upper() + message[1:]
    question = definition.by_code.get(code or "")
    if question is not None and question.condition_question and message.startswith("chỉ trả lời khi"):
        text += f". Hãy bỏ chọn câu này hoặc sửa câu trả lời ở câu {question.condition_question}."
    if code is None and "phần C" in message:
        text = "Ông/Bà chưa đánh giá mức độ hài lòng ở câu nào (phần C); xin chọn ít nhất một câu."
    return text
