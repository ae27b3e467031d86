"""Deadlines of plan tasks (thời gian hoàn thành), as the provincial plans write them.

Pure functions, no ORM: "Quý II/2023" ends on 30/06/2023, "Năm 2023" on 31/12/2023, a date is
itself, "Thường xuyên" (ongoing) has no end and is never overdue.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

QUARTER = "quarter"
YEAR = "year"
DATE = "date"
ONGOING = "ongoing"

ROMAN_QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}
_QUARTER_NUMBERS = {v: k for k, v in ROMAN_QUARTERS.items()} | {str(k): k for k in ROMAN_QUARTERS}
MIN_YEAR, MAX_YEAR = 2000, 2100


class DeadlineError(ValueError):
    """A deadline that cannot be read; the message is Vietnamese and says what is expected."""


@dataclass(frozen=True)
class Deadline:
    kind: str
    quarter: int | None = None
    year: int | None = None
    date: dt.date | None = None

    @property
    def due(self) -> dt.date | None:
        return due_date(self.kind, quarter=self.quarter, year=self.year, date=self.date)

    @property
    def label(self) -> str:
        return deadline_label(self.kind, quarter=self.quarter, year=self.year, date=self.date)


def quarter_end(year: int, quarter: int) -> dt.date:
    """The last day of a quarter: Quý II/2023 → 30/06/2023."""
    if quarter not in ROMAN_QUARTERS:
        raise DeadlineError(f"Quý phải từ 1 đến 4 (nhận được {quarter}).")
    month = quarter * 3
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def due_date(kind: str, *, quarter: int | None = None, year: int | None = None,
             date: dt.date | None = None) -> dt.date | None:
    """The day by which the task must be done; None for ongoing tasks."""
    if kind == QUARTER:
        if quarter is None or year is None:
            raise DeadlineError("Thời hạn theo quý cần cả quý và năm.")
        return quarter_end(year, quarter)
    if kind == YEAR:
        if year is None:
            raise DeadlineError("Thời hạn theo năm cần năm.")
        return dt.date(year, 12, 31)
    if kind == DATE:
        if date is None:
            raise DeadlineError("Thời hạn theo ngày cần ngày hoàn thành.")
        return date
    if kind == ONGOING:
        return None
    raise DeadlineError(f"Không có loại thời hạn “{kind}”.")


def deadline_label(kind: str, *, quarter: int | None = None, year: int | None = None,
                   date: dt.date | None = None) -> str:
    """The deadline as the appendix prints it."""
    if kind == QUARTER and quarter and year:
        return f"Quý {ROMAN_QUARTERS[quarter]}/{year}"
    if kind == YEAR and year:
        return f"Năm {year}"
    if kind == DATE and date:
        return date.strftime("%d/%m/%Y")
    if kind == ONGOING:
        return "Thường xuyên"
    return ""


_QUARTER_RE = re.compile(r"^(?:trong\s+)?qu[ýy]\s*([IVX]+|\d)\s*(?:/|năm|nam|-)\s*(\d{4})$", re.IGNORECASE)
_YEAR_RE = re.compile(r"^(?:trong\s+)?n[ăa]m\s*(\d{4})$", re.IGNORECASE)
_DATE_RE = re.compile(r"^(?:trước\s+ngày\s+|ngày\s+)?(\d{1,2})/(\d{1,2})/(\d{4})$", re.IGNORECASE)
_ONGOING = {"thường xuyên", "thuong xuyen", "hằng năm", "hàng năm", "hằng tháng", "hàng tháng", "hằng quý",
            "hàng quý"}


def parse_deadline(text: str) -> Deadline:
    """Read a deadline as written in a plan: "Quý II/2023", "Quý 2 năm 2023", "Năm 2023",
    "30/6/2023", "Thường xuyên" (recurring reports count as ongoing)."""
    cleaned = " ".join((text or "").split()).strip(" .;")
    if not cleaned:
        raise DeadlineError("Chưa có thời gian hoàn thành.")
    if cleaned.lower() in _ONGOING:
        return Deadline(ONGOING)
    if match := _QUARTER_RE.match(cleaned):
        numeral, year = match.group(1).upper(), int(match.group(2))
        if numeral not in _QUARTER_NUMBERS:
            raise DeadlineError(f"“{cleaned}”: quý phải là I, II, III hoặc IV.")
        return Deadline(QUARTER, quarter=_QUARTER_NUMBERS[numeral], year=_check_year(year, cleaned))
    if match := _YEAR_RE.match(cleaned):
        return Deadline(YEAR, year=_check_year(int(match.group(1)), cleaned))
    if match := _DATE_RE.match(cleaned):
        day, month, year = (int(g) for g in match.groups())
        try:
            return Deadline(DATE, date=dt.date(_check_year(year, cleaned), month, day))
        except ValueError:
            raise DeadlineError(f"“{cleaned}” không phải một ngày có thật (dd/mm/yyyy).") from None
    raise DeadlineError(
        f"Không đọc được thời gian hoàn thành “{cleaned}”; ghi theo dạng “Quý II/2023”, "
        "“Năm 2023”, “30/06/2023” hoặc “Thường xuyên”."
    )


def _check_year(year: int, text: str) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DeadlineError(f"“{text}”: năm {year} nằm ngoài khoảng {MIN_YEAR}–{MAX_YEAR}.")
    return year


def is_overdue(due: dt.date | None, *, done: bool, today: dt.date) -> bool:
    """Quá hạn: the due day has passed and the task is not reported done. Ongoing tasks never are."""
    return due is not None and not done and due < today


def roman(number: int) -> str:
    """Roman numerals for the appendix's group headings (I, II, III, …)."""
    if number <= 0:
        raise ValueError(number)
    numerals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = []
    for value, numeral in numerals:
        count, number = divmod(number, value)
        out.append(numeral * count)
    return "".join(out)
