"""Uncertainty beside every index (pure functions, percentages).

- Criterion indexes and option shares are proportions: Wilson score interval.
- SIPAS and factor indexes are means of per-respondent ratios b_i/a_i: Student-t interval
  from the sum and the sum of squares of the ratios (clipped to 0–100).
- Rankings never order two agencies whose intervals overlap: each agency gets the range of
  ranks it could hold (best, worst) given the others' intervals.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

Z95 = 1.959963984540054
SMALL_SAMPLE = 30  # "mẫu nhỏ": fewer respondents than this
# Two-sided 95% Student-t quantiles for 1–30 degrees of freedom; beyond, the normal one.
T95 = (
    12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836, 2.446911851, 2.364624252,
    2.306004135, 2.262157163, 2.228138852, 2.200985160, 2.178812830, 2.160368656, 2.144786688,
    2.131449546, 2.119905299, 2.109815578, 2.100922040, 2.093024054, 2.085963447, 2.079613845,
    2.073873068, 2.068657610, 2.063898562, 2.059538553, 2.055529439, 2.051830516, 2.048407142,
    2.045229642, 2.042272456,
)

Interval = tuple[float, float]


def wilson_interval(successes: int, n: int, z: float = Z95) -> Interval | None:
    """95% Wilson score interval of a proportion, in percent; None when n = 0."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (100 * max(0.0, centre - half), 100 * min(1.0, centre + half))


def mean_interval(total: float, total_sq: float, n: int) -> Interval | None:
    """95% t interval of the mean of values in [0, 1] known by their sum and sum of squares,
    in percent and clipped to 0–100; None when n < 2 (no spread to estimate)."""
    if n < 2:
        return None
    mean = total / n
    variance = max(0.0, (total_sq - n * mean * mean) / (n - 1))
    quantile = T95[n - 2] if n - 1 <= len(T95) else Z95
    half = quantile * math.sqrt(variance / n)
    return (100 * max(0.0, mean - half), 100 * min(1.0, mean + half))


def is_small_sample(n: int) -> bool:
    return 0 < n < SMALL_SAMPLE


def rank_ranges(intervals: Mapping[str, Interval]) -> dict[str, tuple[int, int]]:
    """For each item, the best and worst rank (1 = highest) consistent with the intervals:
    an item is surely behind another only when that one's lower bound is above its upper
    bound. Two items whose intervals overlap always get overlapping ranges."""
    ranges = {}
    for code, (low, high) in intervals.items():
        surely_ahead = sum(1 for other, (o_low, _) in intervals.items() if other != code and o_low > high)
        surely_behind = sum(1 for other, (_, o_high) in intervals.items() if other != code and o_high < low)
        ranges[code] = (1 + surely_ahead, len(intervals) - surely_behind)
    return ranges


def share_interval(value: float | None, n: int) -> Interval | None:
    """Wilson interval of a stored proportion (a criterion index or an option share, in
    percent) from its value and its n: the count of successes is value × n / 100."""
    if value is None or n <= 0:
        return None
    return wilson_interval(round(value * n / 100), n)
