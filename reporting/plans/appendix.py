"""The plan's appendix table (Phụ lục) as plain rows, the same for the page, the PDF and the XLSX.

Tasks are grouped under their headings in the order the headings first appear (I, II, III …,
as in the provinces' plans); tasks are numbered 1, 2, 3 … within a group.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .deadlines import roman

APPENDIX_COLUMNS = (
    "STT", "Nhiệm vụ, giải pháp", "Yếu tố, tiêu chí hướng tới", "Cơ quan chủ trì", "Cơ quan phối hợp",
    "Thời gian hoàn thành", "Kinh phí", "Sản phẩm",
)
UNGROUPED = "Nhiệm vụ chung"


@dataclass(frozen=True)
class AppendixRow:
    number: str
    content: str
    targets: str
    lead: str
    cooperating: str
    deadline: str
    funding: str
    output: str
    task_id: int | None = None

    def cells(self) -> tuple[str, ...]:
        return (self.number, self.content, self.targets, self.lead, self.cooperating, self.deadline,
                self.funding, self.output)


@dataclass(frozen=True)
class AppendixGroup:
    numeral: str
    title: str
    rows: tuple[AppendixRow, ...]


@dataclass(frozen=True)
class TaskLine:
    """What the appendix needs of one task (the ORM is read elsewhere)."""

    task_id: int
    group: str
    content: str
    targets: Sequence[str]
    lead: str
    cooperating: Sequence[str]
    cooperating_other: str
    deadline: str
    funding: str
    output: str


def build_appendix(lines: Sequence[TaskLine]) -> list[AppendixGroup]:
    groups: dict[str, list[TaskLine]] = {}
    for line in lines:
        groups.setdefault(line.group.strip() or UNGROUPED, []).append(line)
    result = []
    for index, (title, members) in enumerate(groups.items(), start=1):
        rows = tuple(
            AppendixRow(
                number=str(position),
                content=line.content,
                targets=", ".join(line.targets),
                lead=line.lead,
                cooperating="; ".join([*line.cooperating, *([line.cooperating_other] if line.cooperating_other else [])]),
                deadline=line.deadline,
                funding=line.funding,
                output=line.output,
                task_id=line.task_id,
            )
            for position, line in enumerate(members, start=1)
        )
        result.append(AppendixGroup(numeral=roman(index), title=title, rows=rows))
    return result
