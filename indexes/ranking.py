"""Xếp hạng with intervals: agencies ranked within their level, grouped where their 95%
intervals overlap (no order is claimed inside a group), with the rank ranges of the JSON."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from surveys.models import RoundAgency, SurveyRound

from .figures import RoundResults, ScopeFigures
from .models import Scope
from .statistics import rank_ranges
from .targets import Targets


# ---------------------------------------------------------------------------------------------
# Rankings with intervals
# ---------------------------------------------------------------------------------------------
def rank_groups(items: Sequence[tuple[str, float | None, tuple[float, float] | None]]) -> dict[str, int]:
    """Group numbers (1 = highest) for items (code, value, 95% interval).

    A group is a chain of overlapping intervals (a connected component of the overlap graph):
    two items in different groups never overlap, so every item of group k is surely above
    every item of group k + 1, and inside a group no order is established. Items without an
    interval (n < 2) get no group. Taken by upper bound, highest first: an item joins the
    current group when its upper bound reaches the lowest lower bound seen in the group."""
    ranked = sorted(
        ((code, value, interval) for code, value, interval in items if value is not None and interval is not None),
        key=lambda item: (-item[2][1], -item[1]),
    )
    groups: dict[str, int] = {}
    group, floor = 0, None
    for code, _value, (low, high) in ranked:
        if floor is None or high < floor:
            group += 1
            floor = low
        else:
            floor = min(floor, low)
        groups[code] = group
    return groups


@dataclass(frozen=True)
class RankedRow:
    figures: ScopeFigures
    rank_best: int | None
    rank_worst: int | None
    group: int | None
    parent: str = ""

    @property
    def rank_text(self) -> str:
        if self.rank_best is None:
            return "—"
        if self.rank_best == self.rank_worst:
            return str(self.rank_best)
        return f"{self.rank_best}–{self.rank_worst}"


@dataclass(frozen=True)
class RankedLevel:
    code: str
    name: str
    rows: tuple[RankedRow, ...]
    groups: int


@dataclass(frozen=True)
class AgencyPlace:
    code: str
    name: str
    level: str
    level_name: str
    level_order: int
    parent: str | None
    parent_name: str | None


def agency_places(survey_round: SurveyRound) -> dict[str, AgencyPlace]:
    """Each agency of the round with its level and parent, in the round's tree."""
    rows = RoundAgency.objects.filter(round=survey_round).values_list(
        "agency__code", "agency__name", "level__code", "level__name", "level__order", "parent__code", "parent__name"
    )
    return {row[0]: AgencyPlace(*row) for row in rows}


def ranking(results: RoundResults, targets: Targets, places: Mapping[str, AgencyPlace]) -> list[RankedLevel]:
    """Agencies of each level by SIPAS with their rank range (statistics.rank_ranges) and group."""
    by_level: dict[str, list[ScopeFigures]] = {}
    for figures in results.of_scope(Scope.AGENCY, without=("shares", "criteria", "criteria_n")):
        place = places.get(figures.code)
        if place is not None:
            by_level.setdefault(place.level, []).append(figures)
    levels = sorted({(p.level_order, p.level, p.level_name) for p in places.values()})
    ranked = []
    for _order, code, name in levels:
        agencies = by_level.get(code, [])
        intervals = {
            a.code: (a.sipas.low, a.sipas.high) for a in agencies if a.sipas.low is not None and a.sipas.value is not None
        }
        ranges = rank_ranges(intervals)
        groups = rank_groups([(a.code, a.sipas.value, intervals.get(a.code)) for a in agencies])
        rows = [
            RankedRow(
                figures=dataclasses.replace(a, sipas=a.sipas.with_target(targets.sipas)),
                rank_best=ranges.get(a.code, (None, None))[0],
                rank_worst=ranges.get(a.code, (None, None))[1],
                group=groups.get(a.code),
                parent=places[a.code].parent_name or "",
            )
            for a in agencies
        ]
        rows.sort(key=lambda r: (r.group is None, -(r.figures.sipas.value or -1), r.figures.name))
        ranked.append(RankedLevel(code, name, tuple(rows), max(groups.values(), default=0)))
    return [level for level in ranked if level.rows]
