"""Che thông tin cá nhân (surveys.accounts.masking): phone numbers, e-mails and CMND/CCCD numbers in
respondents' comments are masked; dates, amounts, serials, document numbers, years, postcodes
and other short numbers are left exactly as written. Pure: no database."""
from __future__ import annotations

import pytest

from surveys.accounts.masking import EMAIL_PLACEHOLDER, ID_PLACEHOLDER, PHONE_PLACEHOLDER, mask_personal_data

PHONE, EMAIL, ID = PHONE_PLACEHOLDER, EMAIL_PLACEHOLDER, ID_PLACEHOLDER


@pytest.mark.parametrize(
    ("comment", "masked"),
    [
        # Mobiles, in every grouping people use.
        ("Cần gọi lại cho tôi: 0912 345 678.", f"Cần gọi lại cho tôi: {PHONE}."),
        ("SĐT 0912.345.678 (anh Hùng)", f"SĐT {PHONE} (anh Hùng)"),
        ("đt 091-234-5678", f"đt {PHONE}"),
        ("Liên hệ 0987654321", f"Liên hệ {PHONE}"),
        ("sđt0367 12 34 56", f"sđt{PHONE}"),
        ("SĐT-0912345678", f"SĐT-{PHONE}"),
        ("Số máy 0912345678,0987654321 đều được", f"Số máy {PHONE},{PHONE} đều được"),
        ("Gọi 0912345678 2 lần không ai nghe", f"Gọi {PHONE} 2 lần không ai nghe"),
        # Landlines (Lạng Sơn 0205…), old 11-digit mobiles, +84 and 84.
        ("Bộ phận một cửa 02053 812 345 không ai nghe máy", f"Bộ phận một cửa {PHONE} không ai nghe máy"),
        ("ĐT bàn (0205) 3812345", f"ĐT bàn {PHONE}"),
        ("số cũ 0168 123 4567", f"số cũ {PHONE}"),
        ("+84 912 345 678 (Zalo)", f"{PHONE} (Zalo)"),
        ("Zalo 84912345678", f"Zalo {PHONE}"),
        ("Tel:(+84) 205 381 2345", f"Tel:{PHONE}"),
        # E-mails.
        ("Gửi kết quả về nguyenvana@gmail.com giúp tôi", f"Gửi kết quả về {EMAIL} giúp tôi"),
        ("email: tran-thi-b@langson.gov.vn.", f"email: {EMAIL}."),
        # CCCD (12 digits, 020 = Lạng Sơn) and CMND (9 digits).
        ("CCCD 020 123 456 789", f"CCCD {ID}"),
        ("CCCD: 020123456789, cấp ngày 12/03/2022", f"CCCD: {ID}, cấp ngày 12/03/2022"),
        ("căn cước 0201.2345.6789", f"căn cước {ID}"),
        ("CMND số 082.345.678 cấp ngày 05/06/2010", f"CMND số {ID} cấp ngày 05/06/2010"),
        ("CMND 082345678", f"CMND {ID}"),
        # Nothing personal: left exactly as written.
        ("Hồ sơ nộp ngày 12/03/2022, hẹn 12-03-2022, trả 2022-03-12", None),
        ("ngày 12 tháng 3 năm 2022 tôi đến lúc 12.03.2022 09:30", None),
        ("Lệ phí 500.000 đồng, phí dịch vụ 1.200.000đ, tổng 2,5 triệu", None),
        ("Dự án 1.200.000.000 đồng, thêm 123.456.789 đồng", None),
        ("Phiếu TPLS-D01-0012, KM-TPLS-DATDAI-001, TT-23456789, STP-HOTICH-0105", None),
        ("Theo Quyết định số 1234/QĐ-UBND và Nghị định 15/2022/NĐ-CP", None),
        ("Năm 2022 chờ 45 ngày, mã bưu chính 240000, 3 lần, 85,5%", None),
        ("Mã số thuế doanh nghiệp 0101234567", None),
        ("Công chức nhiệt tình, hướng dẫn tận tình", None),
        ("", None),
    ],
)
def test_realistic_comments(comment, masked):
    assert mask_personal_data(comment) == (comment if masked is None else masked)


def test_a_comment_with_everything_keeps_its_sense():
    comment = (
        "Ngày 12/03/2022 tôi nộp hồ sơ đất đai (phiếu TPLS-DATDAI-0012), nộp 1.200.000đ theo Quyết định số "
        "1234/QĐ-UBND nhưng quá hẹn. Mong cán bộ gọi lại 0912 345 678 hoặc gửi thư tới lan.nguyen@gmail.com; "
        "CCCD của tôi 020 123 456 789."
    )
    assert mask_personal_data(comment) == (
        "Ngày 12/03/2022 tôi nộp hồ sơ đất đai (phiếu TPLS-DATDAI-0012), nộp 1.200.000đ theo Quyết định số "
        f"1234/QĐ-UBND nhưng quá hẹn. Mong cán bộ gọi lại {PHONE} hoặc gửi thư tới {EMAIL}; "
        f"CCCD của tôi {ID}."
    )


def test_masking_twice_changes_nothing_and_keeps_no_digit_of_the_number():
    once = mask_personal_data("Gọi 0912 345 678, CCCD 020123456789, thư a.b@c.vn")
    assert mask_personal_data(once) == once
    assert not any(ch.isdigit() for ch in once) and "@" not in once


def test_a_nine_digit_number_without_a_unit_is_masked_towards_privacy():
    """Grouped 3-3-3 without a unit it cannot be told from a CMND: masked (documented trade-off)."""
    assert mask_personal_data("giá 123.456.789") == f"giá {ID}"
    assert mask_personal_data("giá 123.456.789 đồng") == "giá 123.456.789 đồng"
