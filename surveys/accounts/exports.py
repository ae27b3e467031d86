"""The audit trail (nhật ký) as a download: the filtered entries, newest first, every change
written out in full. No request and no audit here: the view scopes (supervisors only), records
the download and serves it."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sipas_portal.downloads import Download
from sipas_portal.xlsx import new_workbook, workbook_bytes, write_table
from surveys.accounts import audit_selectors
from surveys.models import AuditEntry

XLSX_MAX_ROWS = 100_000
XLSX_HEADERS = (
    "Thời điểm", "Người thực hiện", "Địa chỉ IP", "Hành động", "Loại đối tượng", "Mã đối tượng", "Đối tượng",
    "Đợt", "Thay đổi", "Ghi chú", "Trước (JSON)", "Sau (JSON)",
)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def audit_trail(*, entries: QuerySet[AuditEntry], shown: Callable[[str], str] | None) -> tuple[Download, int]:
    """Sheet “Nhat_ky” (at most XLSX_MAX_ROWS entries, and a “Ghi_chu” sheet saying so when
    more match), free text as `shown` lets the downloader read it; and how many entries it holds."""
    total = entries.count()
    workbook = new_workbook()
    sheet = workbook.create_sheet("Nhat_ky")
    write_table(
        sheet,
        XLSX_HEADERS,
        (
            [
                timezone.localtime(entry.at).replace(tzinfo=None),
                entry.actor_name,
                entry.ip,
                entry.action,
                entry.target_type,
                entry.target_id,
                entry.target_repr,
                entry.round_code,
                "\n".join(str(c) for c in audit_selectors.describe_changes(entry, limit=None, shown=shown)),
                entry.note,
                _json(audit_selectors.shown_values(entry.before, shown)),
                _json(audit_selectors.shown_values(entry.after, shown)),
            ]
            for entry in entries[:XLSX_MAX_ROWS].iterator(chunk_size=2000)
        ),
        number_format=None,
        widths={1: 20, 2: 22, 3: 15, 4: 18, 5: 18, 6: 10, 7: 30, 8: 10, 9: 50, 10: 40, 11: 40, 12: 40},
    )
    for (cell,) in sheet.iter_rows(min_row=2, min_col=1, max_col=1):
        cell.number_format = "DD/MM/YYYY HH:MM:SS"
    if total > XLSX_MAX_ROWS:
        write_table(
            workbook.create_sheet("Ghi_chu"), ["Ghi chú"],
            [[f"Có {total} mục khớp bộ lọc; tệp này chỉ gồm {XLSX_MAX_ROWS} mục mới nhất. Hãy lọc hẹp hơn."]],
            number_format=None, widths={1: 90},
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return Download(f"nhat-ky-{stamp}.xlsx", workbook_bytes(workbook)), min(total, XLSX_MAX_ROWS)
