"""The report as a PDF: HTML templates (templates/reporting/report/) printed by WeasyPrint."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from indexes.statistics import is_small_sample
from sipas_portal.formatting import format_number

from .content import ReportContent
from .drafts import section_texts

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "report.css"

TOC = (
    (2, "phan-1", "I. GIỚI THIỆU CHUNG"),
    (3, "phan-1-1", "1. Mục tiêu, đối tượng, phạm vi, nội dung và phương pháp"),
    (3, "phan-1-2", "2. Trách nhiệm thực hiện"),
    (2, "phan-2", "II. TÌNH HÌNH TRIỂN KHAI"),
    (3, "phan-2-1", "1. Cỡ mẫu và mẫu điều tra xã hội học"),
    (3, "phan-2-2", "2. Triển khai, bố trí nguồn lực"),
    (2, "phan-3", "III. KẾT QUẢ"),
    (3, "phan-3-1", "1. Phản ánh về quá trình và kết quả cung ứng dịch vụ"),
    (3, "phan-3-2", "2. Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)"),
    (4, "phan-3-2-1", "2.1. Toàn tỉnh"),
    (4, "phan-3-2-2", "2.2. Chỉ số theo tiêu chí"),
    (4, "phan-3-2-3", "2.3. Theo cấp"),
    (4, "phan-3-2-4", "2.4. Theo cơ quan, đơn vị"),
    (4, "phan-3-2-5", "2.5. Theo lĩnh vực"),
    (3, "phan-3-3", "3. Mong đợi của người dân, tổ chức"),
    (3, "phan-3-4", "4. Phân tích, đánh giá"),
    (3, "phan-3-5", "5. So sánh với các năm trước"),
    (2, "phan-4", "IV. NHẬN XÉT, ĐÁNH GIÁ VÀ KIẾN NGHỊ"),
    (2, "phu-luc-1", "Phụ lục 1. Mẫu điều tra theo cơ quan, đơn vị"),
    (2, "phu-luc-2", "Phụ lục 2. Chỉ số hài lòng theo cơ quan, đơn vị"),
    (2, "phu-luc-3", "Phụ lục 3. Chỉ số hài lòng theo lĩnh vực"),
    (2, "phu-luc-4", "Phụ lục 4. Chỉ số hài lòng theo cơ quan và lĩnh vực"),
    (2, "phu-luc-5", "Phụ lục 5. Chỉ số hài lòng theo tiêu chí của từng cơ quan"),
    (2, "phu-luc-6", "Phụ lục 6. Đặc điểm người trả lời"),
)


def factor_rows(content: ReportContent) -> list[dict]:
    """Each factor of the province with its n and interval, for the factor table."""
    province = content.province
    if province is None:
        return []
    return [
        {
            "code": code,
            "name": name,
            "value": value,
            "n": n,
            "small": is_small_sample(n),
            "interval": f"{format_number(interval[0])}–{format_number(interval[1])}" if interval else "—",
        }
        for code, name, value, n, interval in zip(
            content.factor_codes, content.factor_names, province.factors, province.factors_n,
            province.factor_intervals, strict=True,
        )
    ]


def report_html(content: ReportContent, *, issued: date | None = None) -> str:
    return render_to_string(
        "reporting/report/document.html",
        {
            "c": content,
            "texts": section_texts(content),
            "charts": content.charts,
            "agency_charts": content.agency_charts,
            "factor_rows": factor_rows(content),
            "factors": list(zip(content.factor_codes, content.factor_names, strict=True)),
            "top_changes": content.changes[:10],
            "toc": [{"level": level, "id": anchor, "title": title} for level, anchor, title in TOC],
            "issued": issued or timezone.localdate(),
        },
    )


def build_pdf(content: ReportContent, *, progress: Callable[[int], None] | None = None) -> bytes:
    """Render and print; `progress` hears 0–100 within this step (layout is the long part)."""
    from weasyprint import CSS, HTML  # heavy import, only where a PDF is made

    html = report_html(content)
    if progress:
        progress(20)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(stylesheets=[CSS(filename=str(STYLESHEET))])
    if progress:
        progress(85)
    return document.write_pdf()
