"""Reads of the audit trail (nhật ký) for the supervisors' pages: filtering, the values offered
in the filters, and each entry's before/after values as readable lines.

Read-only by construction: nothing here writes, and AuditEntry refuses updates and deletes.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.utils import timezone

from surveys.models import AuditEntry

ANSWERS_KEY = "tra_loi"
EMPTY = "—"

# Keys the services write into before/after (surveys.responses.services, users, indexes).
KEY_LABELS = {
    "ma_phieu": "Mã phiếu",
    "co_quan": "Cơ quan",
    "linh_vuc": "Lĩnh vực",
    "kenh": "Kênh",
    "ngay": "Ngày khảo sát",
    ANSWERS_KEY: "Trả lời",
    "so_phieu": "Số phiếu",
    "bo_loc": "Bộ lọc",
    "so_phien": "Số phiên",
    "so_muc": "Số mục",
    "phien_ban_du_lieu": "Phiên bản dữ liệu",
    "so_pham_vi": "Số phạm vi tính",
    "sipas_toan_tinh": "SIPAS toàn tỉnh",
    "quan_he": "Quan hệ",
    "thao_tac": "Thao tác",
    "doi_tuong": "Đối tượng",
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass(frozen=True)
class AuditFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor: str = ""
    action: str = ""
    round_code: str = ""
    text: str = ""


def audit_entries(filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Entries matching the filters, newest first. Dates are whole days in the portal's zone."""
    qs = AuditEntry.objects.all()
    if filters.date_from:
        qs = qs.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_start_of(filters.date_to + dt.timedelta(days=1)))
    if filters.actor:
        qs = qs.filter(actor_name=filters.actor)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.round_code:
        qs = qs.filter(round_code=filters.round_code)
    if filters.text:
        qs = qs.filter(Q(target_repr__icontains=filters.text) | Q(note__icontains=filters.text))
    return qs.order_by("-at", "-id")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def actions() -> list[str]:
    """Hành động đã ghi (for the filter)."""
    return sorted(AuditEntry.objects.order_by().values_list("action", flat=True).distinct())


def actor_names() -> list[str]:
    return sorted(AuditEntry.objects.exclude(actor_name="").order_by().values_list("actor_name", flat=True).distinct())


def round_codes() -> list[str]:
    return sorted(AuditEntry.objects.exclude(round_code="").order_by().values_list("round_code", flat=True).distinct())


# --------------------------------------------------------------------------- readable changes
@dataclass(frozen=True)
class Change:
    """One line of an entry's changes: `label: before → after` (either side may be absent)."""

    label: str
    before: str | None
    after: str | None

    @property
    def has_before(self) -> bool:
        return self.before is not None

    @property
    def has_after(self) -> bool:
        return self.after is not None

    def __str__(self) -> str:
        if self.before is not None and self.after is not None:
            return f"{self.label}: {self.before} → {self.after}"
        if self.before is not None:
            return f"{self.label}: {self.before} → {EMPTY}"
        return f"{self.label}: {self.after}"


def natural_key(code: str) -> tuple:
    """C1.2 before C1.10, A2 before B1 (PostgreSQL's jsonb does not keep key order)."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code))


def format_value(value: Any, *, limit: int | None = 20) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float):
        # Vietnamese decimal comma; four places are enough to read, the XLSX keeps the JSON.
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        if _ISO_DATETIME.match(value):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return value
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return moment.strftime("%d/%m/%Y %H:%M:%S")
        return value
    if isinstance(value, list):
        items = [format_value(v, limit=limit) for v in value]
        if limit is not None and len(items) > limit:
            return ", ".join(items[:limit]) + f", … (thêm {len(items) - limit})"
        return ", ".join(items)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _answer(value: Any) -> str:
    """An answer as typed on the entry form: 3, 1;3, or the text."""
    if isinstance(value, list):
        return ";".join(str(v) for v in value) if value else EMPTY
    return format_value(value)


def _label(key: str, target_type: str) -> str:
    if key in KEY_LABELS:
        return KEY_LABELS[key]
    try:
        model = apps.get_model(target_type) if target_type else None
    except (LookupError, ValueError):
        model = None
    if model is not None:
        try:
            return str(model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            pass
    return key


def shown_values(value: Any, shown: Callable[[str], str] | None) -> Any:
    """`value` (a before/after payload) with every string in it passed through `shown`.

    The trail keeps free text as typed — questionnaire answers (tra_loi), values chosen at a
    double-entry resolution, the report's prose — and a key-by-key list would miss the next one,
    so for a reader who may not see free text unmasked (access.shown_free_text) every string
    goes through the mask, which leaves codes, names, dates and numbers as they are."""
    if shown is None:
        return value
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, dict):
        return {key: shown_values(item, shown) for key, item in value.items()}
    if isinstance(value, list):
        return [shown_values(item, shown) for item in value]
    return value


def describe_changes(
    entry: AuditEntry, *, limit: int | None = 20, shown: Callable[[str], str] | None = None
) -> list[Change]:
    """The entry's before/after values as readable lines, each side through `shown` if given.

    For an edited questionnaire the answers are compared question by question and only the
    ones that differ are listed (“C1.1: 3 → 5”); a newly entered one lists its answers on one line.
    Masking comes after the comparison: an answer whose phone number was changed still shows as
    changed to a reader who sees both numbers masked.
    """
    changes = _described(entry, limit)
    if shown is None:
        return changes
    return [
        Change(c.label, None if c.before is None else shown(c.before), None if c.after is None else shown(c.after))
        for c in changes
    ]


def _described(entry: AuditEntry, limit: int | None) -> list[Change]:
    before, after = entry.before, entry.after
    if before is None and after is None:
        return []
    if not isinstance(before, dict) and not isinstance(after, dict):
        return [Change("Giá trị", _side(before, limit, entry.before is not None),
                       _side(after, limit, entry.after is not None))]
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    keys = list(before) + [k for k in after if k not in before]
    changes: list[Change] = []
    for key in keys:
        old, new = before.get(key), after.get(key)
        if key == ANSWERS_KEY and (isinstance(old, dict) or isinstance(new, dict)):
            changes.extend(_answer_changes(old, new, key in before, key in after))
            continue
        label = _label(key, entry.target_type)
        changes.append(Change(label, _side(old, limit, key in before), _side(new, limit, key in after)))
    return changes


def _side(value: Any, limit: int | None, present: bool) -> str | None:
    return format_value(value, limit=limit) if present else None


def _answer_changes(old: Any, new: Any, had_before: bool, has_after: bool) -> list[Change]:
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    if had_before and has_after:
        codes = sorted(set(old) | set(new), key=natural_key)
        return [
            Change(code, _answer(old.get(code)), _answer(new.get(code)))
            for code in codes
            if old.get(code) != new.get(code)
        ]
    # One side only (a questionnaire entered or removed): its answers on one line.
    answers = new if has_after else old
    text = " · ".join(f"{code} = {_answer(answers[code])}" for code in sorted(answers, key=natural_key))
    text = text or EMPTY
    return [Change(KEY_LABELS[ANSWERS_KEY], None if has_after else text, text if has_after else None)]


def entry_rows(
    entries, *, limit: int | None = 20, shown: Callable[[str], str] | None = None
) -> list[tuple[AuditEntry, list[Change]]]:
    return [(entry, describe_changes(entry, limit=limit, shown=shown)) for entry in entries]
