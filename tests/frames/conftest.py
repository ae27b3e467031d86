"""Sample-frame fixtures: LS-2022, Sở Nội vụ staff, officers of two agencies, frame workbooks."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from surveys.accounts import roles
from tests.security.users import make_user

HEADER = ["Họ và tên", "Địa chỉ", "Điện thoại", "Thủ tục", "Mã lĩnh vực", "Ngày trả kết quả"]


def frame_bytes(rows: list[list], header: list[str] = HEADER, title: str = "Khung_mau") -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "khung-mau.xlsx"
    return buffer


def people(count: int, domain: str, *, start: int = 1) -> list[list]:
    """`count` valid rows for `domain`: distinct names, phones and addresses."""
    return [
        [f"Nguyễn Văn Thử {n}", f"Số {n} đường Trần Đăng Ninh, TP Lạng Sơn", f"0912 345 {n:03d}",
         "Cấp phiếu lý lịch tư pháp", domain, dt.date(2022, 9, 1) + dt.timedelta(days=n % 28)]
        for n in range(start, start + count)
    ]


@pytest.fixture
def staff(langson_round):
    return make_user("canbo.snv", roles.STAFF, agency="SNV", first_name="Cán bộ")


@pytest.fixture
def stp_officer(langson_round):
    return make_user("canbo.stp", roles.AGENCY, agency="STP")


@pytest.fixture
def tpls_officer(langson_round):
    return make_user("canbo.tpls", roles.AGENCY, agency="TPLS")


def paper_row(serial: str, agency: str = "STP", domain: str = "LLTP"):
    """A valid SIPAS-LS-2022 questionnaire as a ParsedRow (the import test's good row)."""
    from surveys.models import Questionnaire
    from surveys.responses.importing import ParsedRow, parse_answer
    from surveys.selectors import load_definition
    from tests.surveys.test_import import good_row

    cells = good_row(serial, ma_co_quan=agency, ma_linh_vuc=domain)
    definition = load_definition(Questionnaire.objects.get(code="SIPAS-LS-2022"))
    answers = {}
    for question in definition.questions:
        raw = cells.get(question.code)
        if raw not in (None, ""):
            answers[question.code] = parse_answer(question, raw)[0]
    return ParsedRow(row=0, ma_phieu=serial, agency_code=agency, domain_code=domain, channel="BUU_DIEN",
                     surveyed_on=dt.date(2022, 11, 2), answers=answers)
