"""Intervals against values computed by hand, and rankings that respect them."""
import itertools
import math
import random

import pytest

from indexes.statistics import is_small_sample, mean_interval, rank_ranges, wilson_interval


def test_wilson_interval_known_values():
    # 8 of 10: centre (0.8 + z²/20)/(1 + z²/10), half z·√(0.016 + z²/400)/(1 + z²/10).
    low, high = wilson_interval(8, 10)
    assert (low, high) == pytest.approx((49.0162, 94.3318), abs=1e-3)
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == 100.0
    assert wilson_interval(0, 0) is None
    # Large n: close to the normal interval p ± 1.96·√(p(1−p)/n).
    low, high = wilson_interval(500, 1000)
    assert high - low == pytest.approx(2 * 1.96 * math.sqrt(0.25 / 1000) * 100, rel=1e-2)


def test_mean_interval_uses_student_t_and_is_clipped():
    ratios = [0.5, 1.0, 0.0, 1.0]  # mean 0.625, s = √(0.6875/3), t(3) = 3.182446
    low, high = mean_interval(sum(ratios), sum(r * r for r in ratios), len(ratios))
    half = 3.182446305 * math.sqrt(0.6875 / 3 / 4)
    assert half == pytest.approx(0.761740, abs=1e-6)
    assert (low, high) == (0.0, 100.0)  # 62,5 ± 76,2 clipped
    ratios = [0.8, 0.9, 0.7, 1.0, 0.6, 0.8]  # mean 0.8, s² = 0.02, t(5) = 2.570582
    low, high = mean_interval(sum(ratios), sum(r * r for r in ratios), len(ratios))
    half = 2.570581836 * math.sqrt(0.02 / 6)
    assert (low, high) == pytest.approx((100 * (0.8 - half), 100 * (0.8 + half)))
    assert mean_interval(0.7, 0.49, 1) is None  # one respondent: no spread to estimate
    assert mean_interval(0, 0, 0) is None


def test_identical_answers_give_a_zero_width_interval():
    assert mean_interval(10 * 0.75, 10 * 0.75**2, 10) == pytest.approx((75.0, 75.0))


def test_small_sample_flag():
    assert is_small_sample(29) and not is_small_sample(30) and not is_small_sample(0)


def test_rank_ranges_never_order_overlapping_intervals():
    intervals = {"A": (80.0, 90.0), "B": (75.0, 85.0), "C": (70.0, 79.0), "D": (40.0, 60.0)}
    ranges = rank_ranges(intervals)
    assert ranges == {"A": (1, 2), "B": (1, 3), "C": (2, 3), "D": (4, 4)}
    rng = random.Random(4)
    for _ in range(200):
        items = {}
        for k in range(12):
            centre = rng.uniform(50, 95)
            width = rng.uniform(1, 20)
            items[str(k)] = (centre - width, centre + width)
        ranges = rank_ranges(items)
        for a, b in itertools.combinations(items, 2):
            (a_low, a_high), (b_low, b_high) = items[a], items[b]
            overlap = a_low <= b_high and b_low <= a_high
            disjoint_ranks = ranges[a][1] < ranges[b][0] or ranges[b][1] < ranges[a][0]
            if overlap:
                assert not disjoint_ranks, (a, b)
            elif a_low > b_high:  # a is surely ahead: b can never rank above a's best
                assert ranges[b][0] > ranges[a][0], (a, b)
