"""The derived slot columns of `Response`: a questionnaire's answers as one wide row.

Slots are assigned by position in the questionnaire: the k-th criterion is `c{k:02d}`, the
k-th factor `f{k}`, the k-th single-choice question `s{k:02d}`, the k-th multi-choice question
`m{k}`. `derived_columns` is pure: the same answers always give the same row.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .definition import AnswerValue, QuestionnaireDef, score_answers
from .models import MAX_CRITERIA, MAX_FACTORS, MAX_MULTI_CHOICE, MAX_MULTI_OPTION, MAX_SINGLE_CHOICE


@dataclass(frozen=True)
class Slots:
    """Which column holds what, for one questionnaire (code → column name)."""

    factors: dict[str, str]
    criteria: dict[str, str]
    singles: dict[str, str]
    multis: dict[str, str]

    @property
    def answer_columns(self) -> list[str]:
        return [*self.criteria.values(), *self.singles.values(), *self.multis.values()]


def slots(definition: QuestionnaireDef) -> Slots:
    return Slots(
        factors={code: f"f{k}" for k, code in enumerate(definition.factor_codes, start=1)},
        criteria={code: f"c{k:02d}" for k, code in enumerate(definition.criterion_codes, start=1)},
        singles={q.code: f"s{k:02d}" for k, q in enumerate(_of_kind(definition, "single"), start=1)},
        multis={q.code: f"m{k}" for k, q in enumerate(_of_kind(definition, "multi"), start=1)},
    )


def _of_kind(definition: QuestionnaireDef, kind: str):
    return [q for q in definition.questions if q.kind == kind]


def check_storable(definition: QuestionnaireDef) -> list[str]:
    """Why a questionnaire does not fit the slot columns (empty when it does)."""
    limits = (
        (len(definition.factors), MAX_FACTORS, "yếu tố"),
        (len(definition.criteria), MAX_CRITERIA, "tiêu chí"),
        (len(_of_kind(definition, "single")), MAX_SINGLE_CHOICE, "câu hỏi chọn một"),
        (len(_of_kind(definition, "multi")), MAX_MULTI_CHOICE, "câu hỏi chọn nhiều"),
    )
    problems = [f"Bộ câu hỏi có {n} {what}; tối đa {limit}." for n, limit, what in limits if n > limit]
    for question in _of_kind(definition, "multi"):
        if question.options and max(question.options) > MAX_MULTI_OPTION:
            problems.append(f"Câu {question.code} có phương án số {max(question.options)}; tối đa {MAX_MULTI_OPTION}.")
    return problems


def derived_columns(definition: QuestionnaireDef, answers: Mapping[str, AnswerValue]) -> dict[str, float | int | None]:
    """The slot columns for these (validated) answers."""
    score = score_answers(definition, answers)
    layout = slots(definition)
    row: dict[str, float | int | None] = {"ratio": score.b / score.a if score.a else None}
    for code, column in layout.factors.items():
        answered = score.factor_answered[code]
        row[column] = score.factor_satisfied[code] / answered if answered else None
    for code, column in layout.criteria.items():
        row[column] = answers[code] if code in score.answered else None
    for code, column in layout.singles.items():
        value = answers.get(code)
        row[column] = value if isinstance(value, int) else None
    for code, column in layout.multis.items():
        value = answers.get(code)
        row[column] = sum(1 << option for option in value) if isinstance(value, frozenset) and value else None
    return row


def empty_columns() -> dict[str, None]:
    """Every slot column cleared (before writing a questionnaire's own)."""
    names = ["ratio", *(f"f{k}" for k in range(1, MAX_FACTORS + 1))]
    names += [f"c{k:02d}" for k in range(1, MAX_CRITERIA + 1)]
    names += [f"s{k:02d}" for k in range(1, MAX_SINGLE_CHOICE + 1)]
    names += [f"m{k}" for k in range(1, MAX_MULTI_CHOICE + 1)]
    return dict.fromkeys(names)
