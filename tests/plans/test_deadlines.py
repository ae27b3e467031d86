"""Deadlines as the plans write them, the overdue rule, the appendix grouping (no database)."""
from __future__ import annotations

import datetime as dt

import pytest

from reporting.plans import deadlines
from reporting.plans.appendix import TaskLine, build_appendix
from reporting.plans.deadlines import Deadline, DeadlineError, parse_deadline


@pytest.mark.parametrize(
    ("quarter", "year", "end"),
    [(1, 2023, dt.date(2023, 3, 31)), (2, 2023, dt.date(2023, 6, 30)), (3, 2023, dt.date(2023, 9, 30)),
     (4, 2022, dt.date(2022, 12, 31)), (1, 2024, dt.date(2024, 3, 31))],
)
def test_quarter_ends_on_its_last_day(quarter, year, end):
    assert deadlines.quarter_end(year, quarter) == end


def test_quy_ii_2023_is_due_on_30_june_2023():
    deadline = parse_deadline("Quý II/2023")
    assert deadline == Deadline(deadlines.QUARTER, quarter=2, year=2023)
    assert deadline.due == dt.date(2023, 6, 30)
    assert deadline.label == "Quý II/2023"


@pytest.mark.parametrize(
    ("text", "due", "label"),
    [
        ("Quý IV/2022", dt.date(2022, 12, 31), "Quý IV/2022"),
        ("quý 3 năm 2021", dt.date(2021, 9, 30), "Quý III/2021"),
        ("Trong quý I/2023.", dt.date(2023, 3, 31), "Quý I/2023"),
        ("Năm 2023", dt.date(2023, 12, 31), "Năm 2023"),
        ("Trong năm 2024", dt.date(2024, 12, 31), "Năm 2024"),
        ("30/6/2023", dt.date(2023, 6, 30), "30/06/2023"),
        ("Thường xuyên", None, "Thường xuyên"),
        ("Hằng tháng", None, "Thường xuyên"),
    ],
)
def test_deadlines_read_as_written_in_the_plans(text, due, label):
    deadline = parse_deadline(text)
    assert deadline.due == due
    assert deadline.label == label


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("Quý V/2023", "quý phải là I, II, III hoặc IV"), ("31/02/2023", "không phải một ngày có thật"),
     ("sớm nhất có thể", "Không đọc được thời gian hoàn thành"), ("", "Chưa có thời gian hoàn thành"),
     ("Năm 1890", "nằm ngoài khoảng")],
)
def test_unreadable_deadlines_say_why_in_vietnamese(text, fragment):
    with pytest.raises(DeadlineError) as caught:
        parse_deadline(text)
    assert fragment in str(caught.value)


def test_incomplete_deadlines_are_refused():
    with pytest.raises(DeadlineError, match="cần cả quý và năm"):
        Deadline(deadlines.QUARTER, quarter=2).due  # noqa: B018
    with pytest.raises(DeadlineError, match="cần ngày hoàn thành"):
        Deadline(deadlines.DATE).due  # noqa: B018


def test_overdue_means_past_due_and_not_done():
    due = dt.date(2023, 6, 30)
    assert deadlines.is_overdue(due, done=False, today=dt.date(2023, 7, 1)) is True
    assert deadlines.is_overdue(due, done=False, today=dt.date(2023, 6, 30)) is False  # due day itself: still in time
    assert deadlines.is_overdue(due, done=True, today=dt.date(2024, 1, 1)) is False
    assert deadlines.is_overdue(None, done=False, today=dt.date(2099, 1, 1)) is False  # "Thường xuyên"


def test_roman_numerals_of_group_headings():
    assert [deadlines.roman(n) for n in (1, 2, 3, 4, 5, 9, 14, 40)] == ["I", "II", "III", "IV", "V", "IX", "XIV", "XL"]


def _line(task_id: int, group: str, **extra) -> TaskLine:
    values = dict(task_id=task_id, group=group, content=f"Nhiệm vụ {task_id}", targets=["F1"], lead="Sở Nội vụ",
                  cooperating=["Sở Tư pháp"], cooperating_other="", deadline="Quý II/2023", funding="", output="")
    values.update(extra)
    return TaskLine(**values)


def test_appendix_groups_in_order_of_first_heading_and_numbers_within_groups():
    groups = build_appendix([
        _line(1, "Yếu tố: Tiếp cận dịch vụ"), _line(2, "Yếu tố: Thủ tục hành chính"),
        _line(3, "Yếu tố: Tiếp cận dịch vụ", cooperating=["Sở Tư pháp", "Sở Y tế"],
              cooperating_other="Các cơ quan có liên quan"),
        _line(4, ""),
    ])
    assert [(g.numeral, g.title) for g in groups] == [
        ("I", "Yếu tố: Tiếp cận dịch vụ"), ("II", "Yếu tố: Thủ tục hành chính"), ("III", "Nhiệm vụ chung"),
    ]
    assert [(r.number, r.task_id) for r in groups[0].rows] == [("1", 1), ("2", 3)]
    assert groups[0].rows[1].cooperating == "Sở Tư pháp; Sở Y tế; Các cơ quan có liên quan"
    assert groups[1].rows[0].cells()[0] == "1"
