"""Which factors (yếu tố) and criteria (tiêu chí) of the round's questionnaire a task targets.

Pure: checked against the questionnaire as data (surveys.questionnaires.definition), never against the ORM.
"""
from __future__ import annotations

from collections.abc import Iterable

from surveys.questionnaires.definition import QuestionnaireDef


def normalise_codes(codes: Iterable[str]) -> list[str]:
    """Trimmed, upper-cased, without repeats, in the given order."""
    seen: dict[str, None] = {}
    for code in codes:
        text = str(code).strip().upper()
        if text:
            seen.setdefault(text, None)
    return list(seen)


def check_targets(definition: QuestionnaireDef, *, factor_codes: Iterable[str],
                  criterion_codes: Iterable[str]) -> list[str]:
    """Vietnamese messages, one per code the questionnaire does not have (empty = all good)."""
    problems = []
    known_factors = set(definition.factor_codes)
    for code in factor_codes:
        if code not in known_factors:
            problems.append(
                f"Yếu tố “{code}” không có trong bộ câu hỏi {definition.code} "
                f"(có: {', '.join(definition.factor_codes)})."
            )
    known_criteria = set(definition.criterion_codes)
    for code in criterion_codes:
        if code not in known_criteria:
            problems.append(
                f"Tiêu chí “{code}” không có trong bộ câu hỏi {definition.code} "
                f"(tiêu chí từ {definition.criterion_codes[0]} đến {definition.criterion_codes[-1]})."
                if definition.criterion_codes else f"Bộ câu hỏi {definition.code} không có tiêu chí nào."
            )
    return problems


def sorted_targets(definition: QuestionnaireDef, codes: Iterable[str]) -> list[str]:
    """Codes in questionnaire order (F1 before F2, C1.2 before C1.10), unknown ones last."""
    order = {code: i for i, code in enumerate(definition.factor_codes + definition.criterion_codes)}
    return sorted(codes, key=lambda c: (order.get(c, len(order)), c))


def factor_of_criteria(definition: QuestionnaireDef, criterion_codes: Iterable[str]) -> list[str]:
    """The factors the given criteria belong to, in questionnaire order."""
    wanted = {definition.by_code[c].factor for c in criterion_codes if c in definition.by_code}
    return [code for code in definition.factor_codes if code in wanted]
