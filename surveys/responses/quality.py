"""Quality checks of an entered questionnaire (kiểm tra chất lượng phiếu).

Two patterns are set aside for a person to look at, never dropped (issue 5 item 8):

- near duplicate (gần trùng): another questionnaire of the same round, agency and domain, with
  the same coded answers, entered less than `NEAR_DUPLICATE_WINDOW` before this one — the mark
  of a form keyed twice under two serials, or of forms filled in by one hand;
- straight-lining (trả lời một mức): every answered criterion given the same value, with at least
  `STRAIGHT_LINE_MIN_ANSWERS` answered.

Free text is left out of the comparison on purpose: a copied form with a different comment is
still a copy. The pure checks take plain answers; `flag_response` runs them for one saved
questionnaire with one bounded, indexed query (round, agency, domain → response_round_scope).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from surveys.accounts import audit
from surveys.models import Answer, FlagKind, Response, ResponseFlag
from surveys.questionnaires.definition import AnswerValue, QuestionnaireDef
from surveys.responses.answers import read_answers

NEAR_DUPLICATE_WINDOW = dt.timedelta(minutes=10)
# The newest questionnaires of the group looked at: a desk keys far fewer than this in 10 minutes.
NEAR_DUPLICATE_CANDIDATES = 50
STRAIGHT_LINE_MIN_ANSWERS = 10


def coded_answers(definition: QuestionnaireDef, answers: Mapping[str, AnswerValue]) -> dict[str, object]:
    """The option answers (single, scale, multi), comparable across questionnaires."""
    coded: dict[str, object] = {}
    for question in definition.questions:
        value = answers.get(question.code)
        if question.kind == "text" or value is None:
            continue
        coded[question.code] = frozenset(value) if isinstance(value, (set, frozenset, list, tuple)) else value
    return coded


def straight_line_value(definition: QuestionnaireDef, answers: Mapping[str, AnswerValue]) -> int | None:
    """The one value given to every answered criterion, when at least 10 are answered; else None."""
    values = [answers[q.code] for q in definition.criteria if isinstance(answers.get(q.code), int)]
    if len(values) >= STRAIGHT_LINE_MIN_ANSWERS and len(set(values)) == 1:
        return values[0]
    return None


def _candidate_answers(response: Response) -> dict[int, dict[str, object]]:
    """Coded answers of the newest questionnaires of the same round, agency and domain entered
    within the window before `response` (two queries, bounded)."""
    since = (response.entered_at or timezone.now()) - NEAR_DUPLICATE_WINDOW
    ids = list(
        Response.objects.filter(
            round_id=response.round_id, agency_id=response.agency_id, domain_id=response.domain_id,
            entered_at__gte=since,
        )
        .exclude(pk=response.pk)
        .order_by("-entered_at")
        .values_list("pk", flat=True)[:NEAR_DUPLICATE_CANDIDATES]
    )
    # Coded answers only (free text is no part of the comparison), newest candidate first.
    stored = read_answers(Answer.objects.filter(response_id__in=ids, value__isnull=False), as_sets=True)
    return {pk: stored.get(pk, {}) for pk in ids}


@transaction.atomic
def flag_response(
    *, response: Response, definition: QuestionnaireDef, answers: Mapping[str, AnswerValue]
) -> list[ResponseFlag]:
    """Run both checks on a saved questionnaire and store a flag for each that holds (once per
    kind: a re-check after an edit keeps the existing flag and its review)."""
    flags: list[ResponseFlag] = []
    mine = coded_answers(definition, answers)
    if mine:
        for other_id, theirs in _candidate_answers(response).items():
            if theirs == mine:
                other = Response.objects.only("ma_phieu").get(pk=other_id)
                flags.append(_flag(response, FlagKind.NEAR_DUPLICATE, related=other,
                                   detail=f"cùng câu trả lời với phiếu {other.ma_phieu}, nhập cách nhau dưới "
                                          f"{int(NEAR_DUPLICATE_WINDOW.total_seconds() // 60)} phút"))
                break
    value = straight_line_value(definition, answers)
    if value is not None:
        answered = sum(isinstance(answers.get(q.code), int) for q in definition.criteria)
        flags.append(_flag(response, FlagKind.STRAIGHT_LINING, related=None,
                           detail=f"cả {answered} tiêu chí đã trả lời đều chọn mức {value}"))
    return flags


def _flag(response: Response, kind: str, *, related: Response | None, detail: str) -> ResponseFlag:
    flag, created = ResponseFlag.objects.get_or_create(
        response=response, kind=kind, defaults={"related": related, "detail": detail[:255]}
    )
    if created:
        # Raised by the portal's own check, not by the officer who keyed the questionnaire.
        audit.record(action=audit.AuditAction.RESPONSE_FLAGGED, actor=None, target=response, round_code=response.round.code,
                     after={"loai": flag.get_kind_display(), "chi_tiet": flag.detail})
    return flag


@transaction.atomic
def review_flag(*, flag: ResponseFlag, reviewed_by, note: str) -> ResponseFlag:
    """Đánh dấu đã xem xét một cảnh báo, with the reviewer's conclusion (audited)."""
    locked = ResponseFlag.objects.select_for_update().select_related("response__round").get(pk=flag.pk)
    before = {"da_xem_xet": locked.reviewed_at is not None, "ket_luan": locked.review_note}
    locked.reviewed_by = reviewed_by
    locked.reviewed_at = timezone.now()
    locked.review_note = note.strip()
    locked.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    audit.record(action=audit.AuditAction.FLAG_REVIEWED, target=locked.response, round_code=locked.response.round.code,
                 before=before, after={"da_xem_xet": True, "ket_luan": locked.review_note,
                                       "loai": locked.get_kind_display()}, actor=reviewed_by)
    return locked
