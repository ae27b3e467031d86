"""Synthetic, valid questionnaires for demonstrations and benchmarks (reproducible by seed)."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from surveys.models import Channel
from surveys.questionnaires.definition import AnswerValue, QuestionnaireDef, applies
from surveys.responses.importing import ParsedRow

DEMO_COMMENTS = (
    "Công chức nhiệt tình, chu đáo",
    "Cần bố trí thêm ghế chờ",
    "Thời gian chờ còn lâu",
    "Nên niêm yết thủ tục rõ hơn",
    "Hài lòng với cách phục vụ",
)


def allocate(total: int, quotas: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """Split `total` over (agency, domain, quota) in proportion to the quotas (largest remainder)."""
    weights = [quota for _, _, quota in quotas]
    if not any(weights):
        weights = [1] * len(quotas)
    exact = [total * w / sum(weights) for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(quotas)), key=lambda i: counts[i] - exact[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return [(agency, domain, count) for (agency, domain, _), count in zip(quotas, counts, strict=True)]


def _answer(question, rng: random.Random, leaning: float) -> AnswerValue | None:
    options = sorted(question.options)
    if question.kind == "text":
        return rng.choice(DEMO_COMMENTS) if rng.random() < 0.2 else None
    if question.kind == "multi":
        k = rng.randint(1, question.max_choices or 1)
        return frozenset(rng.sample(options, min(k, len(options))))
    if question.kind == "scale":
        if rng.random() < 0.03:
            return None  # left blank
        weights = [0.03, 0.07, 0.2, 0.45 + leaning, 0.25 + leaning]
        return rng.choices(options, weights=[max(w, 0.01) for w in weights])[0]
    if question.code == "B7":
        return 1 if rng.random() < 0.3 else 2
    if question.code == "B4":
        return rng.choices(options, weights=[0.2, 0.7, 0.1])[0]
    return rng.choice(options)


def generate_rows(
    definition: QuestionnaireDef,
    plan: list[tuple[str, str, int]],
    *,
    seed: int,
    first_day: dt.date,
    last_day: dt.date,
    serial_prefix: str,
) -> Iterator[ParsedRow]:
    """Yield valid rows following `plan` (agency, domain, how many)."""
    rng = random.Random(seed)
    days = max((last_day - first_day).days, 0)
    number = 0
    for agency, domain, count in plan:
        leaning = rng.uniform(-0.2, 0.15)  # agencies differ
        for _ in range(count):
            number += 1
            answers: dict[str, AnswerValue] = {}
            for question in definition.questions:
                if not applies(question, answers):
                    continue
                value = _answer(question, rng, leaning)
                if value is not None:
                    answers[question.code] = value
            if not any(q.code in answers for q in definition.criteria if q.condition_question is None):
                first = next(q for q in definition.criteria if q.condition_question is None)
                answers[first.code] = 4
            yield ParsedRow(
                row=number,
                ma_phieu=f"{serial_prefix}{number:06d}",
                agency_code=agency,
                domain_code=domain,
                channel=rng.choice(Channel.values),
                surveyed_on=first_day + dt.timedelta(days=rng.randint(0, days)),
                answers=answers,
            )
