"""A round's downloads, each a `sipas_portal.downloads.Download`: the entry template, the
collection progress and the quota grid (the views scope and serve them)."""
from __future__ import annotations

from typing import Any

from sipas_portal.downloads import Download
from sipas_portal.xlsx import new_workbook, workbook_bytes, write_table
from surveys import selectors
from surveys.models import SurveyRound
from surveys.responses.template_workbook import template_bytes
from surveys.rounds import services


def entry_template(survey_round: SurveyRound) -> Download:
    """Mẫu bảng tính nhập phiếu của đợt (interfaces.md §2)."""
    return Download(f"mau-nhap-phieu-{survey_round.code}.xlsx", template_bytes(survey_round))


def progress_workbook(survey_round: SurveyRound, rows: list[dict[str, Any]]) -> Download:
    """Tiến độ thu phiếu: the overview's two tables (by level, by agency)."""
    workbook = new_workbook()
    write_table(
        workbook.create_sheet("Theo_cap"),
        ["Cấp", "Số cơ quan", "Chỉ tiêu", "Đã nhận", "Tỷ lệ (%)"],
        ([t["level"].name if t["level"] else "Cộng", t["agencies"], t["quota"], t["received"], t["percent"]]
         for t in selectors.level_progress(rows)),
        number_columns=[5], widths={1: 34},
    )
    write_table(
        workbook.create_sheet("Theo_co_quan"),
        ["Mã", "Cơ quan", "Cấp", "Thuộc", "Chỉ tiêu", "Đã nhận", "Tỷ lệ (%)"],
        ([r["agency"].code, r["agency"].name, r["level"].name, r["parent"].code if r["parent"] else "",
          r["quota"], r["received"], r["percent"]] for r in rows),
        number_columns=[7], widths={1: 12, 2: 48, 3: 26},
    )
    return Download(f"tien-do-{survey_round.code}.xlsx", workbook_bytes(workbook))


def quota_workbook(survey_round: SurveyRound) -> Download:
    """Chỉ tiêu: every agency and its domains' quotas, and the totals by level."""
    rows = services.quota_grid(survey_round)
    workbook = new_workbook()
    table = []
    for row in rows:
        agency = row.entry.agency
        table.append([agency.code, agency.name, row.entry.level.name, "", "", row.entry.quota, row.domain_sum])
        for entry in row.domains:
            table.append([agency.code, agency.name, row.entry.level.name, entry.domain.code, entry.domain.name,
                          entry.quota, None])
    write_table(
        workbook.create_sheet("Chi_tieu"),
        ["Mã cơ quan", "Cơ quan", "Cấp", "Mã lĩnh vực", "Lĩnh vực", "Chỉ tiêu", "Tổng chỉ tiêu các lĩnh vực"],
        table, number_format="#,##0", number_columns=(6, 7), widths={1: 12, 2: 44, 3: 14, 4: 12, 5: 40, 6: 10, 7: 14},
    )
    totals, grand, grand_domains = services.level_totals(rows)
    write_table(
        workbook.create_sheet("Tong_theo_cap"),
        ["Cấp", "Số cơ quan", "Chỉ tiêu", "Tổng chỉ tiêu các lĩnh vực"],
        [[t.name, t.agencies, t.quota, t.domain_quota] for t in totals]
        + [["Toàn tỉnh", sum(t.agencies for t in totals), grand, grand_domains]],
        number_format="#,##0", number_columns=(2, 3, 4), widths={1: 24, 2: 12, 3: 12, 4: 16},
    )
    return Download(f"chi-tieu-{survey_round.code}.xlsx", workbook_bytes(workbook))
