"""The sample frame's downloads, each a `sipas_portal.downloads.Download`: the frame template,
response rates, the post office's mailing list, the phone list, the drawn contacts and the
desks' online links. Personal data leaves the portal only through these lists (staff and the
agency's own officers: surveys.accounts.access.frame_agency_ids); the views record each
download of personal data (audit.record_download)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone

from sipas_portal.downloads import Download
from sipas_portal.xlsx import new_workbook, workbook_bytes, write_table
from surveys.models import ContactStatus, FrameContact, SurveyRound

from .frame_workbook import DATE_FORMAT, frame_template_bytes
from .frames import RateRow, agency_rates, effective_status, response_rates


# --------------------------------------------------------------------------- downloads
def frame_template(survey_round: SurveyRound, agency_ids: set[int] | None) -> Download:
    return Download(f"mau-khung-mau-{survey_round.code}.xlsx", frame_template_bytes(survey_round, agency_ids))


RATE_HEADERS = ["Mã cơ quan", "Cơ quan", "Mã lĩnh vực", "Lĩnh vực", "Chỉ tiêu", "Số người trong khung mẫu",
                "Đã chọn", "Đã gửi", "Đã thu về", "Từ chối", "Không liên lạc được", "Tỷ lệ thu về (%)"]


def _rate_cells(row: RateRow) -> list:
    return [row.agency_code, row.agency_name, row.domain_code, row.domain_name, row.quota, row.in_frame,
            row.drawn, row.sent, row.returned, row.refused, row.unreachable,
            round(row.rate, 2) if row.rate is not None else None]


def rates_workbook(survey_round: SurveyRound, agency_ids: set[int] | None) -> Download:
    rows, total = response_rates(survey_round, agency_ids)
    workbook = new_workbook()
    write_table(workbook.create_sheet("Theo_co_quan"), RATE_HEADERS,
                [_rate_cells(r) for r in agency_rates(rows)] + [_rate_cells(total)],
                number_columns=[12], widths={1: 12, 2: 44, 4: 30})
    write_table(workbook.create_sheet("Theo_linh_vuc"), RATE_HEADERS, [_rate_cells(r) for r in rows],
                number_columns=[12], widths={1: 12, 2: 44, 4: 40})
    return Download(f"ty-le-thu-ve-{survey_round.code}.xlsx", workbook_bytes(workbook))


def _date(value: dt.date | None) -> str:
    return value.strftime(DATE_FORMAT) if value else ""


def online_link(base_url: str, token: str | None) -> str:
    return f"{base_url.rstrip('/')}/phieu/t/{token}/" if token else ""


def mailing_workbook(survey_round: SurveyRound, contacts: Iterable[FrameContact], base_url: str) -> Download:
    """Danh sách gửi thư cho bưu điện: serial, name, address, agency, domain (+ the online link
    printed on the letter, for those who prefer to answer online)."""
    workbook = new_workbook()
    write_table(
        workbook.create_sheet("Gui_thu"),
        ["STT", "Mã phiếu", "Họ và tên", "Địa chỉ", "Mã cơ quan", "Cơ quan", "Mã lĩnh vực", "Lĩnh vực",
         "Trả lời trực tuyến"],
        ([i, c.ma_phieu, c.full_name, c.address, c.agency.code, c.agency.name, c.domain.code, c.domain.name,
          online_link(base_url, c.token) if survey_round.online_enabled else ""]
         for i, c in enumerate(contacts, start=1)),
        number_format=None, widths={2: 22, 3: 28, 4: 48, 6: 36, 8: 30, 9: 48},
    )
    return Download(f"danh-sach-gui-thu-{survey_round.code}.xlsx", workbook_bytes(workbook))


def phone_workbook(survey_round: SurveyRound, contacts: Iterable[FrameContact], base_url: str) -> Download:
    """Danh sách gọi điện: serial, name, phone, procedure (+ agency, domain, date, online link)."""
    workbook = new_workbook()
    write_table(
        workbook.create_sheet("Dien_thoai"),
        ["STT", "Mã phiếu", "Họ và tên", "Điện thoại", "Thủ tục", "Ngày trả kết quả", "Mã cơ quan",
         "Mã lĩnh vực", "Trả lời trực tuyến"],
        ([i, c.ma_phieu, c.full_name, c.phone, c.procedure, _date(c.completed_on), c.agency.code, c.domain.code,
          online_link(base_url, c.token) if survey_round.online_enabled else ""]
         for i, c in enumerate(contacts, start=1)),
        number_format=None, widths={2: 22, 3: 28, 4: 16, 5: 48, 6: 14, 9: 48},
    )
    return Download(f"danh-sach-dien-thoai-{survey_round.code}.xlsx", workbook_bytes(workbook))


def contacts_workbook(survey_round: SurveyRound, contacts: Iterable[FrameContact]) -> Download:
    workbook = new_workbook()
    write_table(
        workbook.create_sheet("Nguoi_duoc_chon"),
        ["Mã phiếu", "Họ và tên", "Địa chỉ", "Điện thoại", "Mã cơ quan", "Mã lĩnh vực", "Thủ tục",
         "Ngày trả kết quả", "Tình trạng", "Cập nhật lúc"],
        ([c.ma_phieu, c.full_name, c.address, c.phone, c.agency.code, c.domain.code, c.procedure,
          _date(c.completed_on), ContactStatus(effective_status(c)).label,
          timezone.localtime(c.status_changed_at).strftime("%d/%m/%Y %H:%M") if c.status_changed_at else ""]
         for c in contacts),
        number_format=None, widths={1: 22, 2: 28, 3: 40, 4: 16, 7: 40, 9: 20, 10: 18},
    )
    return Download(f"nguoi-duoc-chon-{survey_round.code}.xlsx", workbook_bytes(workbook))


def desk_links_workbook(survey_round: SurveyRound, links: Iterable[Mapping[str, Any]]) -> Download:
    """Đường dẫn trả lời trực tuyến of each desk (agency × domain): its agency, domain and URL."""
    workbook = new_workbook()
    write_table(
        workbook.create_sheet("Duong_dan"),
        ["Mã cơ quan", "Cơ quan", "Mã lĩnh vực", "Lĩnh vực", "Đường dẫn trả lời trực tuyến"],
        ([link["agency"].code, link["agency"].name, link["domain"].code, link["domain"].name, link["url"]]
         for link in links),
        number_format=None, widths={1: 12, 2: 40, 3: 14, 4: 36, 5: 64},
    )
    return Download(f"duong-dan-truc-tuyen-{survey_round.code}.xlsx", workbook_bytes(workbook))
