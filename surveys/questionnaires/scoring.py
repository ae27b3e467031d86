"""The derived slot columns of `Response`: a questionnaire's answers as one wide row.

Slots are assigned by position in the questionnaire: the k-th factor is `f{k}`, the k-th
criterion `c{k:02d}`. The options of the single- and multi-choice questions (plus, for each
multi-choice question, an "answered" counter) are numbered in questionnaire order and packed
three to a bigint column `pNN`, 20 bits each: a respondent's row holds 1 in the counter of each
option they chose, so summing a column over a group counts three options at once.
`derived_columns` is pure: the same answers always give the same row.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from surveys.models import FIELD_BITS, FIELDS_PER_COLUMN, MAX_CRITERIA, MAX_FACTORS, OPTION_COLUMNS
from surveys.questionnaires.definition import AnswerValue, QuestionnaireDef, score_answers

FIELD_MASK = (1 << FIELD_BITS) - 1
# Each questionnaire adds at most 1 to a counter, so a group of this many cannot carry one
# counter into its neighbour; a larger group could, and is refused rather than read wrong.
MAX_GROUP_SIZE = FIELD_MASK
ANSWERED = None  # the counter key of "answered this multi-choice question"


class SlotOverflow(Exception):
    """Một cơ quan × lĩnh vực có nhiều phiếu hơn bộ đếm phương án đếm được."""

OptionKey = tuple[str, int | None]  # (question code, option number or ANSWERED)


@dataclass(frozen=True)
class Slots:
    """Which column holds what, for one questionnaire."""

    factors: dict[str, str]  # factor code → column
    criteria: dict[str, str]  # criterion code → column
    options: dict[OptionKey, tuple[str, int]]  # (question, option) → (column, bit shift)

    @property
    def option_columns(self) -> list[str]:
        return sorted({column for column, _ in self.options.values()})


def share_questions(definition: QuestionnaireDef):
    return [q for q in definition.questions if q.kind in ("single", "multi")]


def _option_keys(definition: QuestionnaireDef) -> list[OptionKey]:
    keys: list[OptionKey] = []
    for question in share_questions(definition):
        keys += [(question.code, option) for option in sorted(question.options)]
        if question.kind == "multi":
            keys.append((question.code, ANSWERED))
    return keys


def slots(definition: QuestionnaireDef) -> Slots:
    return Slots(
        factors={code: f"f{k}" for k, code in enumerate(definition.factor_codes, start=1)},
        criteria={code: f"c{k:02d}" for k, code in enumerate(definition.criterion_codes, start=1)},
        options={
            key: (f"p{index // FIELDS_PER_COLUMN + 1:02d}", FIELD_BITS * (index % FIELDS_PER_COLUMN))
            for index, key in enumerate(_option_keys(definition))
        },
    )


def check_storable(definition: QuestionnaireDef) -> list[str]:
    """Why a questionnaire does not fit the slot columns (empty when it does)."""
    fields = len(_option_keys(definition))
    limits = (
        (len(definition.factors), MAX_FACTORS, "yếu tố"),
        (len(definition.criteria), MAX_CRITERIA, "tiêu chí"),
        (fields, OPTION_COLUMNS * FIELDS_PER_COLUMN, "phương án của các câu hỏi chọn một, chọn nhiều"),
    )
    return [f"Bộ câu hỏi có {n} {what}; tối đa {limit}." for n, limit, what in limits if n > limit]


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
    for question in share_questions(definition):
        value = answers.get(question.code)
        chosen = [value] if isinstance(value, int) else sorted(value) if isinstance(value, frozenset) else []
        keys = [(question.code, option) for option in chosen]
        if chosen and question.kind == "multi":
            keys.append((question.code, ANSWERED))
        for key in keys:
            column, shift = layout.options[key]
            row[column] = (row.get(column) or 0) + (1 << shift)
    return row


def unpack_counts(layout: Slots, sums: Mapping[str, int | None], *, group_size: int, group: str) -> dict[OptionKey, int]:
    """Option counters from the summed `pNN` columns of a group of `group_size` questionnaires
    (`group` names it in the refusal)."""
    if group_size > MAX_GROUP_SIZE:
        def thousands(number: int) -> str:
            return f"{number:,}".replace(",", ".")

        raise SlotOverflow(
            f"{group} có {thousands(group_size)} phiếu, quá {thousands(MAX_GROUP_SIZE)} phiếu mà bộ đếm phương án "
            "(20 bit) đếm chính xác được: không tính chỉ số để tránh sai số. Hãy tách lĩnh vực hoặc liên hệ quản trị "
            "hệ thống."
        )
    return {key: (int(sums.get(column) or 0) >> shift) & FIELD_MASK for key, (column, shift) in layout.options.items()}


def empty_columns() -> dict[str, float | int | None]:
    """Every slot column cleared (before writing a questionnaire's own)."""
    row: dict[str, float | int | None] = {"ratio": None}
    row.update(dict.fromkeys(f"f{k}" for k in range(1, MAX_FACTORS + 1)))
    row.update(dict.fromkeys(f"c{k:02d}" for k in range(1, MAX_CRITERIA + 1)))
    row.update(dict.fromkeys((f"p{k:02d}" for k in range(1, OPTION_COLUMNS + 1)), 0))
    return row
