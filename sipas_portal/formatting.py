"""Display of index values, Vietnamese style: 87,07% (comma decimal, two decimals).

Stored values stay unrounded; every page, export and report formats through here.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

EMPTY = "—"


def round_half_up(value: float, places: int = 2) -> Decimal:
    """Round as people do on paper (87,065 → 87,07), not banker's rounding."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_number(value: float | int | None, places: int = 2) -> str:
    if value is None:
        return EMPTY
    text = f"{round_half_up(float(value), places):,.{places}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def format_percent(value: float | None, places: int = 2) -> str:
    return EMPTY if value is None else f"{format_number(value, places)}%"
