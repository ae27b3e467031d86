"""The report as an XLSX workbook: one sheet per table of the report, plus the raw index table.

Values are the unrounded numbers of the index export (the PDF shows them rounded to two
decimals); a number format shows them with two decimals, which Excel renders with the reader's
separators ("87,07" in Vietnamese). Every sheet: bold frozen header, filters, A4 print set-up
fitted to the page width with the header row repeated, column widths.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from sipas_portal.xlsx import new_workbook, safe_cell, workbook_bytes, write_table

from .content import ReportContent, ShareTable
from .drafts import section_texts
from .models import ReportSection

PERCENT = "#,##0.00"
COUNT = "#,##0"
SCOPE_LABELS = {
    "province": "Toàn tỉnh",
    "level": "Cấp",
    "agency": "Cơ quan",
    "district_area": "Địa bàn huyện",
    "domain": "Lĩnh vực",
    "agency_domain": "Cơ quan × lĩnh vực",
}


def _sheet(
    workbook,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    percent: Iterable[int] = (),
    counts: Iterable[int] = (),
    widths: Mapping[int, float] | None = None,
    landscape: bool = False,
) -> Worksheet:
    sheet = workbook.create_sheet(title[:31])
    rows = list(rows)
    write_table(sheet, headers, rows, number_format=PERCENT, number_columns=percent,
                widths={i + 1: 12 for i in range(len(headers))} | dict(widths or {}))
    for column in counts:
        for row in range(2, len(rows) + 2):
            cell = sheet.cell(row=row, column=column)
            if isinstance(cell.value, int):
                cell.number_format = COUNT
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape" if landscape else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.page_margins.left = 1.2  # inches-ish of the binding edge, as in the PDF
    sheet.page_margins.right = 0.7
    return sheet


def _index_rows(rows, with_rank: bool = False):
    for r in rows:
        yield [
            r.code, r.name, r.n, r.sipas, r.low, r.high, *r.factors,
            *([r.rank] if with_rank else []),
            "mẫu nhỏ" if r.small else "",
            "dưới mục tiêu" if r.below_target else "",
        ]


def _share_rows(tables: Sequence[ShareTable]):
    for table in tables:
        for option in table.options:
            yield [table.code, table.text, option.value, option.label, table.n, option.share, option.low, option.high]


SHARE_HEADERS = ["Câu hỏi", "Nội dung câu hỏi", "Phương án", "Nội dung phương án", "Số người trả lời",
                 "Tỷ lệ (%)", "KTC 95% cận dưới", "KTC 95% cận trên"]


def build_xlsx(content: ReportContent, data: Mapping) -> bytes:
    """The workbook of the report; `data` is the same index export the content was built from."""
    facts = content.facts
    factor_headers = [f"{code} (%)" for code in content.factor_codes]
    index_headers = ["Mã", "Tên", "Số phiếu", "SIPAS (%)", "KTC 95% cận dưới", "KTC 95% cận trên", *factor_headers]
    value_columns = range(4, 7 + len(factor_headers))
    wb = new_workbook()

    info = wb.create_sheet("Thông tin")
    texts = section_texts(content)
    info_rows = [
        ["Báo cáo", f"Chỉ số hài lòng về sự phục vụ hành chính (SIPAS) năm {facts.year} — {facts.province_name}"],
        ["Đợt khảo sát", f"{facts.code} — {facts.name}"],
        ["Thời gian thu thập", f"{facts.starts_on} – {facts.ends_on}"],
        ["Số liệu tính lúc", facts.computed_at or "chưa tính"],
        ["Mục tiêu SIPAS (%)", facts.targets.sipas],
        ["Mục tiêu lĩnh vực trọng điểm (%)", facts.targets.domain],
        ["Ghi chú", "Chỉ số là tỷ lệ phần trăm, chưa làm tròn; ô trống là không có người trả lời; "
                    "“mẫu nhỏ”: dưới 30 phiếu. KTC 95%: khoảng tin cậy 95%."],
        *[[label, texts[key]] for key, label in ReportSection.choices],
    ]
    write_table(info, ["Mục", "Nội dung"], info_rows, number_columns=[2], widths={1: 34, 2: 110})

    _sheet(wb, "B1 Mẫu theo cấp", ["Mã", "Cấp", "Số cơ quan", "Chỉ tiêu", "Phiếu hợp lệ", "Tỷ lệ thu về (%)"],
           [[r.code, r.name, r.count, r.quota, r.n, r.rate] for r in content.sample_levels]
           + [["", "Toàn tỉnh", len(facts.agencies), content.total_quota, content.total_n,
               100 * content.total_n / content.total_quota if content.total_quota else None]],
           percent=[6], counts=[3, 4, 5], widths={2: 34})
    _sheet(wb, "B2 Kênh thu thập", ["Kênh", "Số phiếu", "Tỷ lệ (%)"],
           [[label, count, 100 * count / content.channel_total if content.channel_total else None]
            for label, count in facts.channels],
           percent=[3], counts=[2], widths={1: 34})
    _sheet(wb, "B3 Mẫu theo lĩnh vực", ["Mã", "Lĩnh vực", "Chỉ tiêu", "Phiếu hợp lệ", "Tỷ lệ thu về (%)"],
           [[r.code, r.name, r.quota, r.n, r.rate] for r in content.sample_domains],
           percent=[5], counts=[3, 4], widths={2: 44})
    _sheet(wb, "Phản ánh quá trình (B)", SHARE_HEADERS, _share_rows(content.process_shares),
           percent=[6, 7, 8], counts=[5], widths={2: 50, 4: 44}, landscape=True)
    province = content.province
    _sheet(wb, "B4 Yếu tố", ["Mã", "Yếu tố", "Số người trả lời", "Chỉ số (%)", "KTC 95% cận dưới", "KTC 95% cận trên"],
           [
               [code, name, n, value, *(interval or (None, None))]
               for code, name, value, n, interval in zip(
                   content.factor_codes, content.factor_names, province.factors, province.factors_n,
                   province.factor_intervals, strict=True)
           ] + [["SIPAS", "Chỉ số hài lòng về sự phục vụ hành chính", province.n, province.sipas,
                 province.low, province.high]]
           if province else [],
           percent=[4, 5, 6], counts=[3], widths={2: 50})
    _sheet(wb, "B5 Tiêu chí",
           ["Mã", "Tiêu chí", "Yếu tố", "Số người trả lời", "Toàn tỉnh (%)", "KTC 95% cận dưới", "KTC 95% cận trên",
            *[f"{name} (%)" for name in content.criterion_columns]],
           [[r.code, r.text, r.factor, r.n, r.value, r.low, r.high, *r.by_column] for r in content.criteria],
           percent=range(5, 8 + len(content.criterion_columns)), counts=[4], widths={2: 60}, landscape=True)
    _sheet(wb, "B6 Theo cấp", [*index_headers, "Ghi chú", "So với mục tiêu"], _index_rows(content.levels),
           percent=value_columns, counts=[3], widths={2: 34}, landscape=True)
    _sheet(wb, "Mong đợi (D)", SHARE_HEADERS, _share_rows(content.expectation_shares),
           percent=[6, 7, 8], counts=[5], widths={2: 50, 4: 50}, landscape=True)
    _sheet(wb, "B7 Qua các năm", ["Năm", "Nguồn", "SIPAS (%)", "Xếp hạng toàn quốc"],
           [[y.year, "Bộ Nội vụ công bố" if y.source == "published" else f"Khảo sát của tỉnh ({y.label})", y.sipas,
             y.rank] for y in facts.history],
           percent=[3], widths={2: 34})
    _sheet(wb, "B8 Thay đổi so với đợt trước", ["Mã", "Cơ quan", "Đợt trước (%)", "Đợt này (%)", "Thay đổi (điểm %)"],
           [[c.code, c.name, c.before, c.after, c.delta] for c in content.changes],
           percent=[3, 4, 5], widths={2: 44})
    _sheet(wb, "PL1 Mẫu theo cơ quan", ["Mã", "Cơ quan, đơn vị", "Chỉ tiêu", "Phiếu hợp lệ", "Tỷ lệ thu về (%)"],
           [[r.code, r.name, r.quota, r.n, r.rate] for r in content.sample_agencies],
           percent=[5], counts=[3, 4], widths={2: 44})
    _sheet(wb, "PL2 Theo cơ quan", [*index_headers, "Hạng (khoảng)", "Ghi chú", "So với mục tiêu"],
           _index_rows(content.agencies, with_rank=True),
           percent=value_columns, counts=[3], widths={2: 44}, landscape=True)
    _sheet(wb, "PL3 Theo lĩnh vực", [*index_headers, "Ghi chú", "So với mục tiêu"], _index_rows(content.domains),
           percent=value_columns, counts=[3], widths={2: 44}, landscape=True)
    _sheet(wb, "PL4 Cơ quan × lĩnh vực", [*index_headers, "Ghi chú", "So với mục tiêu"],
           _index_rows(content.agency_domains),
           percent=value_columns, counts=[3], widths={1: 24, 2: 60}, landscape=True)
    criterion_codes = [c.code for c in content.criteria]
    _sheet(wb, "PL5 Tiêu chí theo cơ quan", ["Mã", "Cơ quan, đơn vị", "Số phiếu", *[f"{c} (%)" for c in criterion_codes]],
           [
               [row.code, row.name, row.n,
                *[value for m in content.criterion_matrices for (code, _, _, values) in m.rows if code == row.code
                  for value in values]]
               for row in content.agencies
           ],
           percent=range(4, 4 + len(criterion_codes)), counts=[3], widths={2: 40}, landscape=True)
    _sheet(wb, "PL6 Người trả lời (A)", SHARE_HEADERS, _share_rows(content.respondent_shares),
           percent=[6, 7, 8], counts=[5], widths={2: 40, 4: 40}, landscape=True)
    raw_sheet(wb, data, content)
    return workbook_bytes(wb)


def raw_sheet(workbook, data: Mapping, content: ReportContent) -> Worksheet:
    """Every row of the index export as it is: every scope, every factor and criterion."""
    criterion_codes = [c.code for c in content.criteria]
    headers = ["Phạm vi", "Mã", "Tên", "Số phiếu", "SIPAS", "SIPAS cận dưới (95%)", "SIPAS cận trên (95%)",
               *content.factor_codes, *criterion_codes]
    rows = []
    for r in data["results"]:
        interval = (r.get("intervals") or {}).get("sipas") or (None, None)
        rows.append([
            SCOPE_LABELS.get(r["scope"], r["scope"]), safe_cell(r.get("code") or ""), r["name"], r["n"], r.get("sipas"),
            *interval,
            *[(r.get("factors") or {}).get(code) for code in content.factor_codes],
            *[(r.get("criteria") or {}).get(code) for code in criterion_codes],
        ])
    return _sheet(workbook, "Chỉ số (dữ liệu gốc)", headers, rows, percent=range(5, len(headers) + 1), counts=[4],
                  widths={1: 18, 2: 20, 3: 48}, landscape=True)
