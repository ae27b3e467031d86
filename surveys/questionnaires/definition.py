"""A questionnaire as plain, immutable data, and the pure rules that follow from it.

`QuestionnaireDef` is read from the database once (`load_definition`) and then drives
validation (`validate_answers`) and scoring (`score_answers`) without touching the ORM, so
the paper form, the online form, the workbook import and the tests all apply the same rules.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

AnswerValue = int | frozenset[int] | str
"""An answer: option number (single, scale), set of option numbers (multi), text (text)."""

SATISFIED_VALUES = frozenset({4, 5})  # "Hài lòng" and "Rất hài lòng"

# The sections of a SIPAS questionnaire whose single- and multi-choice questions the results
# show as option shares: who answered (A), how the transaction went (B), what they expect (D).
DEMOGRAPHIC_SECTION = "A"
PROCESS_SECTION = "B"
EXPECTATION_SECTION = "D"
CHOICE_KINDS = ("single", "multi")

# What the answer that opens a gate means, added to the validation message of a question asked
# out of turn. The builder has no field for it: these are the gates of the SIPAS questionnaires.
GATE_MEANINGS = {"B7": "có góp ý, phản ánh, kiến nghị", "B4": "trả kết quả muộn hơn hẹn"}


@dataclass(frozen=True)
class QuestionDef:
    code: str
    text: str
    kind: str  # single | multi | scale | text
    options: Mapping[int, str]
    max_choices: int | None = None
    factor: str | None = None
    condition_question: str | None = None
    condition_values: frozenset[int] = frozenset()

    @property
    def is_criterion(self) -> bool:
        return self.kind == "scale" and self.factor is not None

    def condition_text(self) -> str:
        values = " hoặc ".join(str(v) for v in sorted(self.condition_values))
        return f"{self.condition_question} = {values}"


@dataclass(frozen=True)
class FactorDef:
    code: str
    name: str


@dataclass(frozen=True)
class SectionDef:
    """Phần của phiếu: its questions' codes in questionnaire order."""

    code: str
    title: str
    question_codes: tuple[str, ...]


@dataclass(frozen=True)
class GateHint:
    """How a gated question's condition is told, composed once (`gate_hint`) for every page:
    the entry form, the detail page, the import guide and its errors say `condition`
    ("B7 = 1"), the paper form says `paper` to the respondent."""

    condition: str
    paper: str
    meaning: str = ""

    @property
    def entry(self) -> str:
        """Beside the field on the entry form."""
        return f"Chỉ trả lời khi {self.condition}."

    @property
    def error(self) -> str:
        """The validation message of an answer given while the gate is closed."""
        return f"chỉ trả lời khi {self.condition}" + (f" ({self.meaning})" if self.meaning else "")


def gate_hint(question: QuestionDef, gate: QuestionDef | None) -> GateHint:
    """The hint of a gated question; `gate` is the question it depends on (None if missing)."""
    values = sorted(question.condition_values)
    # Any of the values of a multi-choice gate opens it: the respondent "có chọn" it.
    verb = "có chọn" if gate is not None and gate.kind == "multi" else "chọn"
    return GateHint(
        condition=question.condition_text(),
        paper=f"Chỉ trả lời nếu {verb} {' hoặc '.join(str(v) for v in values)} ở câu {question.condition_question}.",
        meaning=GATE_MEANINGS.get(question.condition_question or "", ""),
    )


@dataclass(frozen=True)
class QuestionnaireDef:
    code: str
    questions: tuple[QuestionDef, ...]
    factors: tuple[FactorDef, ...]
    # The scale values that count as satisfied (b_i of methodology §2): one rule for the
    # respondent's score, the grouped SQL pass and the explanation pages.
    satisfied_values: frozenset[int] = SATISFIED_VALUES
    # Parts A, B, C, D in order: the paper form, the entry form, the detail page, the
    # dashboards and the report all group questions by these.
    sections: tuple[SectionDef, ...] = ()
    # Questionnaire.definition_version it was read at (in the cache key; "" when hand-made).
    version: str = ""
    by_code: Mapping[str, QuestionDef] = field(init=False, repr=False, compare=False)
    section_of: Mapping[str, str] = field(init=False, repr=False, compare=False)
    gate_hints: Mapping[str, GateHint] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code = {q.code: q for q in self.questions}
        object.__setattr__(self, "by_code", by_code)
        object.__setattr__(
            self, "section_of", {code: s.code for s in self.sections for code in s.question_codes}
        )
        object.__setattr__(self, "gate_hints", {
            q.code: gate_hint(q, by_code.get(q.condition_question))
            for q in self.questions if q.condition_question is not None
        })

    def gate_condition(self, code: str) -> str:
        """"B7 = 1" for a gated question, "" for one everyone answers."""
        hint = self.gate_hints.get(code)
        return hint.condition if hint is not None else ""

    def section_questions(self, section: str, kinds: tuple[str, ...] = CHOICE_KINDS) -> tuple[QuestionDef, ...]:
        """The questions of one section of the given kinds (by default those whose option
        shares the results show), in questionnaire order."""
        return tuple(q for q in self.questions if self.section_of.get(q.code) == section and q.kind in kinds)

    @property
    def criteria(self) -> tuple[QuestionDef, ...]:
        """Criteria in questionnaire order; a criterion's position is its bit in the masks."""
        return tuple(q for q in self.questions if q.is_criterion)

    @property
    def criterion_codes(self) -> tuple[str, ...]:
        return tuple(q.code for q in self.criteria)

    @property
    def factor_codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.factors)


@dataclass(frozen=True)
class AnswerError:
    """A problem with one answer (or the whole form when `question` is None)."""

    question: str | None
    message: str


def applies(question: QuestionDef, answers: Mapping[str, AnswerValue]) -> bool:
    """Whether a gated question applies, given the answers to the questions before it."""
    if question.condition_question is None:
        return True
    gate = answers.get(question.condition_question)
    if isinstance(gate, frozenset):
        return bool(gate & question.condition_values)
    return gate in question.condition_values


def validate_answers(definition: QuestionnaireDef, answers: Mapping[str, AnswerValue]) -> list[AnswerError]:
    """Every rule of methodology §4 and of the definition, as Vietnamese messages.

    `answers` holds only non-blank answers keyed by question code.
    """
    return check_values(definition, answers) + check_consistency(definition, answers)


def check_values(definition: QuestionnaireDef, answers: Mapping[str, AnswerValue]) -> list[AnswerError]:
    """Each answer on its own: a known question, existing options, not too many choices."""
    errors = [
        AnswerError(code, f"câu hỏi {code} không có trong bộ câu hỏi {definition.code}")
        for code in answers
        if code not in definition.by_code
    ]
    for question in definition.questions:
        if question.code in answers:
            errors.extend(_check_value(question, answers[question.code]))
    return errors


def check_consistency(definition: QuestionnaireDef, answers: Mapping[str, AnswerValue]) -> list[AnswerError]:
    """Rules across questions: gated questions answered only when their gate is open, and at
    least one answer to a criterion that applies to everyone (F1–F4 in SIPAS-LS-2022)."""
    errors = [
        AnswerError(q.code, definition.gate_hints[q.code].error)
        for q in definition.questions
        if q.code in answers and not applies(q, answers)
    ]
    if not any(q.code in answers for q in definition.criteria if q.condition_question is None):
        errors.append(
            AnswerError(None, "phiếu không có câu trả lời nào về mức độ hài lòng (phần C) nên không hợp lệ")
        )
    return errors


def _check_value(question: QuestionDef, value: AnswerValue) -> list[AnswerError]:
    code = question.code
    if question.kind == "text":
        return [] if isinstance(value, str) else [AnswerError(code, "phải là văn bản")]
    if question.kind == "multi":
        if not isinstance(value, frozenset):
            return [AnswerError(code, "phải là các số phương án cách nhau bởi dấu ;")]
        errors = [
            AnswerError(code, f"không có phương án {v} (chỉ có {_option_range(question)})")
            for v in sorted(value)
            if v not in question.options
        ]
        if question.max_choices and len(value) > question.max_choices:
            errors.append(AnswerError(code, f"chọn tối đa {question.max_choices} phương án, phiếu chọn {len(value)}"))
        return errors
    if not isinstance(value, int) or isinstance(value, bool):
        return [AnswerError(code, "phải là một số phương án")]
    if value not in question.options:
        return [AnswerError(code, f"không có phương án {value} (chỉ có {_option_range(question)})")]
    return []


def _option_range(question: QuestionDef) -> str:
    values = sorted(question.options)
    if values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}–{values[-1]}"
    return ", ".join(str(v) for v in values)


@dataclass(frozen=True)
class ResponseScore:
    """Derived counts of one respondent (a_i, b_i per factor and per criterion)."""

    answered: frozenset[str]  # criterion codes answered (and applicable)
    satisfied: frozenset[str]  # criterion codes answered 4 or 5
    factor_answered: Mapping[str, int]  # a_ik
    factor_satisfied: Mapping[str, int]  # b_ik

    @property
    def a(self) -> int:
        return sum(self.factor_answered.values())

    @property
    def b(self) -> int:
        return sum(self.factor_satisfied.values())


def score_answers(definition: QuestionnaireDef, answers: Mapping[str, AnswerValue]) -> ResponseScore:
    """a_i and b_i of methodology §2 for one (validated) respondent.

    Only criteria that apply to the respondent and that they answered count.
    """
    answered = {
        q.code for q in definition.criteria if isinstance(answers.get(q.code), int) and applies(q, answers)
    }
    satisfied = {code for code in answered if answers[code] in definition.satisfied_values}
    factor_of = {q.code: q.factor for q in definition.criteria}
    factor_answered = {f: 0 for f in definition.factor_codes}
    factor_satisfied = {f: 0 for f in definition.factor_codes}
    for code in answered:
        factor_answered[factor_of[code]] += 1
        factor_satisfied[factor_of[code]] += code in satisfied
    return ResponseScore(frozenset(answered), frozenset(satisfied), factor_answered, factor_satisfied)
