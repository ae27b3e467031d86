"""Câu trả lời đã lưu: the one reader that turns stored `Answer` rows back into answers.

A questionnaire is stored as one Answer row per single or scale value, one per chosen option of
a multi-choice question and one per free text (value NULL, the text kept); blanks are not
stored. Everything that reads them back — the audit snapshot, the entry form and the detail
page, the rebuild of derived columns, the questionnaire list download, the anonymised data
export, the near-duplicate check, the double-entry comparison — goes through `read_answers`, so
a multi-choice answer always comes back with its options in ascending order and a free text as
its text (or as `shown_text` makes it for the reader).

Two shapes of the same answers: by default multi-choice as a sorted list (JSON-able: what the
audit trail, the forms and the downloads hold); with `as_sets=True` as a frozenset — the
`AnswerValue` the rules and the scoring take, as in a parsed row.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from django.db.models import QuerySet

from surveys.models import Answer, Response
from surveys.questionnaires.definition import AnswerValue, QuestionnaireDef


def read_answers(
    rows: QuerySet[Answer],
    *,
    as_sets: bool = False,
    shown_text: Callable[[str], str] | None = None,
    chunk_size: int = 5000,
) -> dict[int, dict[str, object]]:
    """response id → {question code: value} for the Answer rows of `rows` (the caller narrows
    them: which responses, no free text, …). Responses without a row are absent; within one,
    the questions come in questionnaire order."""
    found: dict[int, dict[str, object]] = {}
    values = rows.order_by("response_id", "question__order", "value").values_list(
        "response_id", "question__code", "question__kind", "value", "text"
    )
    for response_id, code, kind, value, text in values.iterator(chunk_size=chunk_size):
        bucket = found.setdefault(response_id, {})
        if value is None:
            bucket[code] = text if shown_text is None else shown_text(text)
        elif kind == "multi":
            bucket.setdefault(code, []).append(value)
        else:
            bucket[code] = value
    if as_sets:
        for bucket in found.values():
            for code, value in bucket.items():
                if isinstance(value, list):
                    bucket[code] = frozenset(value)
    return found


def answers_snapshot(response: Response) -> dict[str, object]:
    """One questionnaire's stored answers as {code: value}, multi-choice as a sorted list (the
    audit trail's “tra_loi”, the entry form's initial values)."""
    return read_answers(Answer.objects.filter(response_id=response.pk)).get(response.pk, {})


def parsed_snapshot(definition: QuestionnaireDef, answers: Mapping[str, AnswerValue]) -> dict[str, object]:
    """What `answers_snapshot` reads back once parsed `answers` are stored, without storing or
    reading them (the audit row of a new questionnaire)."""
    snapshot: dict[str, object] = {}
    for question in definition.questions:
        value = answers.get(question.code)
        if value is None:
            continue
        snapshot[question.code] = sorted(value) if isinstance(value, frozenset) else value
    return snapshot
