"""Drafts of the report's prose, written from the data for staff to edit (pure functions).

The drafts state facts only — weakest criteria, largest changes since the previous round,
agencies and domains below target — and leave judgement (causes, solutions) to staff, with
the usual wording of such reports as a starting point.
"""
from __future__ import annotations

from sipas_portal.formatting import format_number, format_percent
from surveys.accounts.masking import mask_personal_data

from .content import ReportContent
from .models import ReportSection

LISTED = 15  # agencies named in a draft list; the appendix has them all


def _points(delta: float) -> str:
    sign = "tăng" if delta >= 0 else "giảm"
    return f"{sign} {format_number(abs(delta))} điểm phần trăm"


def introduction(content: ReportContent) -> str:
    facts = content.facts
    return "\n".join([
        f"1. Mục tiêu: đo lường khách quan sự hài lòng của người dân, tổ chức đối với sự phục vụ của các cơ quan "
        f"hành chính nhà nước trên địa bàn {facts.province_in_sentence} năm {facts.year}; làm cơ sở để các cơ quan, "
        "đơn vị xác định tồn tại, hạn chế và giải pháp cải thiện chất lượng phục vụ.",
        "2. Đối tượng, phạm vi: người dân, đại diện tổ chức trực tiếp giao dịch và nhận kết quả giải quyết thủ tục "
        f"hành chính tại {len(facts.agencies)} cơ quan, đơn vị thuộc {len(facts.levels)} cấp; thời gian thu thập "
        f"từ ngày {facts.starts_on} đến ngày {facts.ends_on}.",
        "3. Nội dung: đo lường sự hài lòng theo 5 yếu tố (tiếp cận dịch vụ; thủ tục hành chính; công chức trực tiếp "
        "giải quyết công việc; kết quả cung ứng dịch vụ; tiếp nhận, giải quyết góp ý, phản ánh, kiến nghị) và các "
        "tiêu chí thành phần; ghi nhận phản ánh về quá trình, kết quả giải quyết công việc và mong đợi của người dân.",
        "4. Phương pháp: điều tra xã hội học bằng phiếu hỏi; chỉ số SIPAS và chỉ số yếu tố là trung bình tỷ lệ câu "
        "trả lời \"Hài lòng\", \"Rất hài lòng\" của mỗi người; chỉ số tiêu chí là tỷ lệ người hài lòng trên số người "
        "trả lời. Mỗi chỉ số kèm số phiếu (n) và khoảng tin cậy 95%; chỉ số tính trên dưới 30 phiếu được ghi "
        "\"mẫu nhỏ\" và cần thận trọng khi so sánh.",
    ])


def responsibilities(content: ReportContent) -> str:
    return (
        "Sở Nội vụ chủ trì triển khai, nhập liệu, tổng hợp, tính toán chỉ số và báo cáo; Bưu điện tỉnh phát, thu "
        "phiếu; các cơ quan, đơn vị cung cấp danh sách người dân, tổ chức đã giải quyết thủ tục hành chính; Ủy ban "
        "MTTQ Việt Nam tỉnh, Hội Cựu chiến binh tỉnh giám sát việc điều tra xã hội học."
    )


def resources(content: ReportContent) -> str:
    rate = 100 * content.total_n / content.total_quota if content.total_quota else None
    channels = "; ".join(f"{label}: {count} phiếu" for label, count in content.facts.channels) or "chưa có phiếu"
    return (
        f"Tổng số phiếu hợp lệ: {content.total_n} trên chỉ tiêu {content.total_quota} phiếu"
        + (f" (đạt {format_percent(rate)})" if rate is not None else "")
        + f". Kênh thu thập: {channels}."
    )


def analysis(content: ReportContent) -> str:
    lines = []
    province = content.province
    target = content.facts.targets.sipas
    if province is None or province.sipas is None:
        return "Đợt khảo sát chưa có kết quả chỉ số."
    gap = "đạt" if province.sipas >= target else "chưa đạt"
    lines.append(
        f"Chỉ số SIPAS toàn tỉnh năm {content.facts.year} đạt {format_percent(province.sipas)} "
        f"(khoảng tin cậy 95%: {province.interval_text}%; {province.n} phiếu), {gap} mục tiêu {format_percent(target)}."
    )
    factors = [(c, n, v) for c, n, v in zip(content.factor_codes, content.factor_names, province.factors, strict=True)
               if v is not None]
    if factors:
        high = max(factors, key=lambda f: f[2])
        low = min(factors, key=lambda f: f[2])
        lines.append(
            f"Yếu tố được đánh giá cao nhất là \"{high[1]}\" ({format_percent(high[2])}); thấp nhất là "
            f"\"{low[1]}\" ({format_percent(low[2])})."
        )
    weakest = content.weakest_criteria
    if weakest:
        lines.append("Các tiêu chí có tỷ lệ hài lòng thấp nhất:")
        lines += [f"- {c.code} {c.text}: {format_percent(c.value)} (n = {c.n})" for c in weakest]
    if content.changes:
        lines.append("So với đợt khảo sát trước, các cơ quan có mức thay đổi SIPAS lớn nhất:")
        lines += [
            f"- {c.name}: {format_percent(c.before)} → {format_percent(c.after)} ({_points(c.delta)})"
            for c in content.changes[:5]
        ]
    for change in content.factor_changes:
        lines.append(f"- Yếu tố {change.code}: {_points(change.delta)} so với đợt trước.")
    return "\n".join(lines)


def strengths(content: ReportContent) -> str:
    lines = []
    strong = content.strongest_criteria
    if strong:
        lines.append("Các tiêu chí được người dân, tổ chức đánh giá cao nhất:")
        lines += [f"- {c.code} {c.text}: {format_percent(c.value)}" for c in strong]
    reached = [a for a in content.agencies if a.sipas is not None and not a.below_target]
    if content.agencies:
        lines.append(
            f"{len(reached)}/{len(content.agencies)} cơ quan, đơn vị đạt mục tiêu SIPAS "
            f"{format_percent(content.facts.targets.sipas)}."
        )
    return "\n".join(lines)


def weaknesses(content: ReportContent) -> str:
    lines = []
    below = content.below_target
    target = format_percent(content.facts.targets.sipas)
    if below:
        lines.append(f"Có {len(below)} cơ quan, đơn vị có SIPAS dưới mục tiêu {target}:")
        lowest = sorted(below, key=lambda a: (a.sipas, a.code))
        lines += [
            f"- {a.name}: {format_percent(a.sipas)}" + (" (mẫu nhỏ)" if a.small else "")
            for a in lowest[:LISTED]
        ]
        if len(lowest) > LISTED:
            lines.append(f"- và {len(lowest) - LISTED} cơ quan, đơn vị khác (xem Phụ lục 2).")
    else:
        lines.append(f"Không có cơ quan, đơn vị nào có SIPAS dưới mục tiêu {target}.")
    for domain in content.domains_below_target:
        lines.append(
            f"- Lĩnh vực {domain.name}: {format_percent(domain.sipas)}, dưới mục tiêu "
            f"{format_percent(domain.target)}."
        )
    weakest = content.weakest_criteria[:3]
    if weakest:
        lines.append("Nguyên nhân cần làm rõ trước hết ở các tiêu chí: " + "; ".join(
            f"{c.code} ({format_percent(c.value)})" for c in weakest) + ".")
    return "\n".join(lines)


def lessons(content: ReportContent) -> str:
    return (
        "Người đứng đầu cơ quan, đơn vị trực tiếp chỉ đạo việc cải thiện các tiêu chí có tỷ lệ hài lòng thấp; "
        "công khai kết quả đo lường và gắn với đánh giá, xếp loại cơ quan, công chức; duy trì nhiều kênh thu "
        "thập phiếu để bảo đảm cỡ mẫu của từng cơ quan."
    )


def proposals(content: ReportContent) -> str:
    lines = ["Đề nghị các cơ quan, đơn vị xây dựng kế hoạch nâng cao chỉ số hài lòng, tập trung vào:"]
    for criterion in content.weakest_criteria[:3]:
        lines.append(f"- {criterion.text} ({criterion.code}: {format_percent(criterion.value)});")
    for table in content.expectation_shares[:1]:
        top = sorted((o for o in table.options if o.share is not None), key=lambda o: -o.share)[:3]
        if top:
            lines.append("Những nội dung người dân, tổ chức mong muốn ưu tiên cải thiện nhiều nhất: " + "; ".join(
                f"{o.label.lower()} ({format_percent(o.share)})" for o in top) + ".")
    return "\n".join(lines)


DRAFTERS = {
    ReportSection.INTRODUCTION: introduction,
    ReportSection.RESPONSIBILITIES: responsibilities,
    ReportSection.RESOURCES: resources,
    ReportSection.ANALYSIS: analysis,
    ReportSection.STRENGTHS: strengths,
    ReportSection.WEAKNESSES: weaknesses,
    ReportSection.LESSONS: lessons,
    ReportSection.PROPOSALS: proposals,
}


def draft(content: ReportContent, section_key: str) -> str:
    return DRAFTERS[ReportSection(section_key)](content)


def section_texts(content: ReportContent) -> dict[str, str]:
    """Each section's text for the document: what staff saved or, where empty, the draft.

    Always with phone numbers, e-mails and ID numbers masked, whoever builds the report: staff
    quote respondents' comments in their prose, and the PDF and XLSX go to leadership and, once
    published, to the public."""
    saved = content.facts.texts
    return {
        key.value: mask_personal_data((saved.get(key.value) or "").strip() or draft(content, key.value))
        for key in ReportSection
    }
