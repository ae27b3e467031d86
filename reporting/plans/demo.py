"""A demonstration plan for a round: the appendix of Kế hoạch 183/KH-UBND (06/7/2022) of Tỉnh
Sơn La, "Nhiệm vụ, giải pháp phân công cho các ngành nhằm cải thiện Chỉ số SIPAS" (seed
000_fb41b5bb4375c0ce), its tasks grouped by factor, with the lead agencies mapped to agencies of
the Lạng Sơn fixture and the deadlines moved one year on. Where the original names a whole tier
("Các sở, ban, ngành; UBND cấp huyện; UBND cấp xã") as lead, one agency of that tier stands in
(a task needs one lead agency to report progress) and the tier stays in "đơn vị phối hợp khác".
"""
from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from surveys.models import Agency, SurveyRound

from . import services
from .deadlines import parse_deadline
from .models import ImprovementPlan

FUNDING = "Kinh phí hoạt động theo dự toán được phê duyệt năm {year}"
ALL_TIERS = "Các sở, ban, ngành; UBND cấp huyện; UBND cấp xã"

DEMO_TASKS: tuple[dict, ...] = (
    {"group": "Yếu tố: Tiếp cận dịch vụ hành chính công", "factors": ["F1"], "criteria": ["C1.2", "C1.3"],
     "content": "Tập trung đầu tư đầy đủ trang thiết bị hiện đại, dễ sử dụng để người dân, tổ chức sử dụng trong "
                "quá trình giải quyết thủ tục hành chính tại Bộ phận Một cửa, Trung tâm Phục vụ hành chính công tỉnh.",
     "lead": "TPLS", "coop": ["VPUBND"], "coop_other": "UBND các huyện; UBND cấp xã", "deadline": "Quý IV/{year}",
     "funding": True, "output": "Trang thiết bị được bổ sung, thay thế"},
    {"group": "Yếu tố: Thủ tục hành chính", "factors": ["F2"], "criteria": ["C2.1", "C2.2"],
     "content": "100% thủ tục hành chính do tỉnh công bố được cập nhật đầy đủ vào Cơ sở dữ liệu quốc gia về thủ tục "
                "hành chính (trong thời gian 05 ngày kể từ ngày ký ban hành); Cổng thông tin điện tử của tỉnh công khai "
                "đầy đủ thủ tục hành chính thuộc thẩm quyền giải quyết của 3 cấp chính quyền.",
     "lead": "VPUBND", "coop": [], "coop_other": ALL_TIERS, "deadline": "Quý IV/{year}", "funding": False,
     "output": "Cơ sở dữ liệu thủ tục hành chính được cập nhật"},
    {"group": "Yếu tố: Thủ tục hành chính", "factors": ["F2"], "criteria": ["C2.3", "C2.4", "C2.5"],
     "content": "Kiểm soát quy định về ban hành thủ tục hành chính theo thẩm quyền, không có thủ tục hành chính ban "
                "hành trái thẩm quyền; 100% số vấn đề phát hiện qua rà soát được xử lý hoặc kiến nghị xử lý.",
     "lead": "VPUBND", "coop": ["STP"], "coop_other": ALL_TIERS, "deadline": "Quý IV/{year}", "funding": False,
     "output": "Báo cáo kết quả rà soát"},
    {"group": "Yếu tố: Công chức trực tiếp giải quyết công việc", "factors": ["F3"], "criteria": [],
     "content": "Tăng cường công tác thanh tra, kiểm tra, nhất là kiểm tra công vụ; đề xuất giải pháp xử lý triệt để "
                "những trường hợp chấp hành không nghiêm kỷ luật, kỷ cương hành chính; các hành vi nhũng nhiễu, gây "
                "khó khăn cho người dân và doanh nghiệp của cán bộ, công chức, viên chức được giao nhiệm vụ giải quyết "
                "thủ tục hành chính. Kiểm tra công tác cải cách hành chính tối thiểu 30% số cơ quan, đơn vị.",
     "lead": "SNV", "coop": ["TTRA"], "coop_other": ALL_TIERS, "deadline": "Quý IV/{year}", "funding": True,
     "output": "Kết luận kiểm tra; 100% vấn đề phát hiện được xử lý hoặc kiến nghị xử lý"},
    {"group": "Yếu tố: Kết quả cung ứng dịch vụ hành chính công", "factors": ["F4"], "criteria": [],
     "content": "Nâng cấp Cổng dịch vụ công đáp ứng chức năng, yêu cầu kỹ thuật và tích hợp đầy đủ dịch vụ công trực "
                "tuyến theo danh mục được phê duyệt; vận hành Hệ thống thông tin một cửa điện tử kết nối liên thông "
                "tới 100% sở, ngành, huyện, xã trong tỉnh.",
     "lead": "STTTT", "coop": [], "coop_other": ALL_TIERS, "deadline": "Quý IV/{year}", "funding": True,
     "output": "Cổng dịch vụ công được nâng cấp"},
    {"group": "Yếu tố: Kết quả cung ứng dịch vụ hành chính công", "factors": ["F4"], "criteria": ["C4.1", "C4.2"],
     "content": "Ứng dụng công nghệ thông tin, chữ ký số, dấu điện tử, số hóa hồ sơ để giải quyết thủ tục hành chính "
                "theo nguyên tắc “5 tại chỗ”, rút ngắn tối đa thời gian giải quyết thủ tục hành chính cho cá nhân, tổ "
                "chức, doanh nghiệp.",
     "lead": "TPLS", "coop": ["STTTT"], "coop_other": "", "deadline": "Quý III/{year}", "funding": True,
     "output": "Hồ sơ được số hóa, kết quả điện tử"},
    {"group": "Yếu tố: Kết quả cung ứng dịch vụ hành chính công", "factors": ["F4"], "criteria": [],
     "content": "Thực hiện nghiêm túc việc công khai xin lỗi tổ chức, cá nhân khi giải quyết thủ tục hành chính xảy ra "
                "sai sót, quá hạn; mức độ hài lòng của người dân, doanh nghiệp về giải quyết thủ tục hành chính đạt tối "
                "thiểu 90%, riêng lĩnh vực đất đai, xây dựng, đầu tư đạt tối thiểu 80%.",
     "lead": "TPLS", "coop": ["VPUBND", "STTTT"], "coop_other": "Các cơ quan, đơn vị có liên quan",
     "deadline": "Thường xuyên", "funding": False, "output": "Văn bản xin lỗi; báo cáo mức độ hài lòng"},
    {"group": "Yếu tố: Tiếp nhận, giải quyết góp ý, phản ánh, kiến nghị", "factors": ["F5"], "criteria": [],
     "content": "Thực hiện tiếp nhận, xử lý phản ánh, kiến nghị của cá nhân, tổ chức đối với thủ tục hành chính thuộc "
                "thẩm quyền giải quyết của tỉnh đúng quy định; 100% số phản ánh, kiến nghị được xử lý hoặc kiến nghị "
                "xử lý và công khai kết quả xử lý.",
     "lead": "VPUBND", "coop": ["STTTT"], "coop_other": "Các cơ quan, đơn vị có liên quan", "deadline": "Thường xuyên",
     "funding": True, "output": "Kết quả xử lý được công khai"},
    {"group": "Yếu tố: Tiếp nhận, giải quyết góp ý, phản ánh, kiến nghị", "factors": ["F5"], "criteria": ["C5.1"],
     "content": "Thực hiện nghiêm việc triển khai Phiếu đánh giá việc giải quyết thủ tục hành chính theo cơ chế một "
                "cửa, một cửa liên thông tại Trung tâm Phục vụ hành chính công tỉnh, Bộ phận tiếp nhận và trả kết quả "
                "cấp huyện, cấp xã.",
     "lead": "SNV", "coop": ["VPUBND"], "coop_other": "Bộ phận tiếp nhận và trả kết quả cấp huyện, cấp xã",
     "deadline": "Quý IV/{year}", "funding": True, "output": "Báo cáo tổng hợp kết quả đánh giá"},
)


@transaction.atomic
def seed_demo_plan(*, survey_round: SurveyRound, actor: AbstractBaseUser) -> ImprovementPlan | None:
    """Add the demonstration plan to the round (None if it is already there). Through the services,
    so every row is checked and audited like one entered in the portal."""
    year = survey_round.year + 1
    number = "01/KH-UBND"
    if ImprovementPlan.objects.filter(round=survey_round, number=number).exists():
        return None
    province = survey_round.province_name
    plan = services.create_plan(
        survey_round=survey_round,
        fields=services.PlanFields(
            number=number,
            title=f"Tăng cường thực hiện các giải pháp nâng cao Chỉ số hài lòng về sự phục vụ hành chính (SIPAS) "
                  f"năm {year} (minh họa theo Kế hoạch 183/KH-UBND của UBND tỉnh Sơn La)",
            issued_on=dt.date(year, 3, 15),
            issuer=f"Ủy ban nhân dân {province[:1].lower()}{province[1:]}",
            place=province.removeprefix("Tỉnh "),
            appendix_title=f"Nhiệm vụ, giải pháp phân công cho các ngành nhằm cải thiện Chỉ số SIPAS năm {year}",
        ),
        actor=actor,
    )
    agencies = {a.code: a for a in Agency.objects.all()}
    for item in DEMO_TASKS:
        services.add_task(plan=plan, actor=actor, fields=services.TaskFields(
            content=item["content"], group=item["group"], lead_agency=agencies[item["lead"]],
            deadline=parse_deadline(item["deadline"].format(year=year)),
            factor_codes=tuple(item["factors"]), criterion_codes=tuple(item["criteria"]),
            cooperating_agencies=tuple(agencies[c] for c in item["coop"]), cooperating_other=item["coop_other"],
            funding=FUNDING.format(year=year) if item["funding"] else "", expected_output=item["output"],
        ))
    return plan
