"""Packing a respondent's derived counts into the four integer columns of `Response`.

Criterion k (its position among the questionnaire's criteria) is bit k of the masks; factor k's
count a_ik (or b_ik) sits in bits 8k..8k+7. The index query unpacks them with shifts and
masks, which PostgreSQL and SQLite both evaluate inside one grouped pass.
"""
from __future__ import annotations

from collections.abc import Mapping

from .definition import QuestionnaireDef, ResponseScore
from .models import FACTOR_COUNT_BITS, MAX_CRITERIA, MAX_FACTORS

FACTOR_COUNT_MASK = (1 << FACTOR_COUNT_BITS) - 1


def check_packable(definition: QuestionnaireDef) -> list[str]:
    """Why a questionnaire cannot be stored for fast indexes (empty when it can)."""
    problems = []
    if len(definition.factors) > MAX_FACTORS:
        problems.append(f"Bộ câu hỏi có {len(definition.factors)} yếu tố; tối đa {MAX_FACTORS}.")
    if len(definition.criteria) > MAX_CRITERIA:
        problems.append(f"Bộ câu hỏi có {len(definition.criteria)} tiêu chí; tối đa {MAX_CRITERIA}.")
    for factor in definition.factor_codes:
        size = sum(1 for q in definition.criteria if q.factor == factor)
        if size > FACTOR_COUNT_MASK:
            problems.append(f"Yếu tố {factor} có {size} tiêu chí; tối đa {FACTOR_COUNT_MASK}.")
    return problems


def _mask(codes: frozenset[str], order: tuple[str, ...]) -> int:
    return sum(1 << position for position, code in enumerate(order) if code in codes)


def _packed_counts(counts: Mapping[str, int], order: tuple[str, ...]) -> int:
    return sum(counts[code] << (FACTOR_COUNT_BITS * position) for position, code in enumerate(order))


def pack_score(definition: QuestionnaireDef, score: ResponseScore) -> dict[str, int]:
    """The values of Response's derived columns for this score."""
    return {
        "answered_mask": _mask(score.answered, definition.criterion_codes),
        "satisfied_mask": _mask(score.satisfied, definition.criterion_codes),
        "factor_answered": _packed_counts(score.factor_answered, definition.factor_codes),
        "factor_satisfied": _packed_counts(score.factor_satisfied, definition.factor_codes),
    }
