"""Che thông tin cá nhân trong câu trả lời tự do: phone numbers, e-mail addresses and ID numbers.

People write their phone number, e-mail or CMND/CCCD into free-text answers (D2 "góp ý" and the
other text questions), so outside Sở Nội vụ staff (surveys.accounts.access.shown_free_text) and in the
published report every such text goes through `mask_personal_data` first.

Each one is replaced by a fixed Vietnamese placeholder saying what was there
("[số điện thoại đã che]", "[email đã che]", "[số giấy tờ đã che]"), not by a partly kept number:
the reader still understands the comment ("gọi lại cho tôi theo [số điện thoại đã che]"), while
kept digits — in a commune where everyone knows everyone — would still point at a person. A
placeholder has no digit and no "@", so masking a masked text changes nothing.

How numbers are told apart (everything here is pure and deterministic):
- dates (12/03/2022, 12-03-2022, 2022-03-12, with a time), amounts with their unit (500.000 đồng,
  1.200.000đ, 2,5 triệu) and codes that mix letters and digits with "-" or "/" (serials such as
  STP-DATDAI-0012, KM-TPLS-HT-001, TT-AB23CD45; document numbers such as 1234/QĐ-UBND) are
  recognised first and left exactly as written, so no phone or ID pattern can start inside them;
- phones: 10-digit mobiles (03/05/07/08/09…), 11-digit landlines (02…, Lạng Sơn 0205…) and the
  old 11-digit mobiles (01…), with +84 or 84 instead of the leading 0, in any grouping by spaces,
  dots or hyphens;
- ID numbers: the 12-digit CCCD (always starting with 0) and the 9-digit CMND, written whole or
  in groups of three (CCCD also 4-4-4) separated by a space, a dot or a hyphen;
- a digit run longer than the pattern is not cut in two: 1.200.000.000, 2022, 240000 (postcode)
  and other numbers that are not exactly one of the shapes above stay as they are.

Known trade-off, towards privacy: a 9-digit number grouped 3-3-3 without a unit (e.g. "giá
123.456.789") looks exactly like a CMND and is masked; with its unit ("123.456.789 đồng") it is not.
"""
from __future__ import annotations

import re

PHONE_PLACEHOLDER = "[số điện thoại đã che]"
EMAIL_PLACEHOLDER = "[email đã che]"
ID_PLACEHOLDER = "[số giấy tờ đã che]"

_SEP = r"[ .\-]?"  # one optional separator between digits: 0912 345 678, 0912.345.678, 091-234-5678
# Not the decimals of a number (86.0912345678) — but "0912345678,0987654321" is two phones.
_NOT_AFTER_DIGIT = r"(?<!\d)(?<!\d\.)"
# A run continued by a digit (or, for numbers that need not start with 0, by ".5"/",000") is
# a longer number, not this one.
_NO_DIGIT_AFTER = r"(?!\d)"
_NOT_INSIDE_NUMBER = r"(?<!\d)(?<!\d[.,])"
_NOT_BEFORE_NUMBER = r"(?!\d)(?![.,]\d)"

# ---- left as written (matched first so that nothing below starts inside them) ----------------
DATE = (
    r"(?<!\d)(?:\d{1,2}[./\-]\d{1,2}[./\-]\d{4}|\d{4}-\d{1,2}-\d{1,2})"
    r"(?:,?\s*(?:lúc\s*)?\d{1,2}[:hg]\d{2}(?::\d{2})?)?(?!\d)"
)
AMOUNT = (
    r"(?<![\w.,])\d+(?:[.,]\d+)*\s?"
    r"(?:đồng|vnđ|vnd|đ|triệu|tr|tỷ|tỉ|nghìn|ngàn|k|%)(?!\w)"
)
# Letters and digits joined by "-" or "/", with at least one letter: serials, document numbers.
# A part made of digits only has at most 8 of them, so "SĐT-0912345678" is not a code.
_CODE_PART = r"(?:[^\W\d_][^\W_]*|\d{1,8}(?:[^\W\d_][^\W_]*)?)"
CODE = (
    r"(?<![\w/\-])(?=[\w/\-]*[^\W\d_])" + _CODE_PART + r"(?:[/\-]" + _CODE_PART + r")+(?![\w@])"
)

# ---- masked ---------------------------------------------------------------------------------
EMAIL = r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
CCCD = (
    _NOT_AFTER_DIGIT
    + r"(?:0\d{2}" + _SEP + r"\d{3}" + _SEP + r"\d{3}" + _SEP + r"\d{3}"
    + r"|0\d{3}" + _SEP + r"\d{4}" + _SEP + r"\d{4})"
    + _NO_DIGIT_AFTER
)
PHONE_INTERNATIONAL = (
    r"(?:\(?\+\s?84\)?|" + _NOT_INSIDE_NUMBER + r"84)" + _SEP + r"(?:\(0\)\s?)?[1-9](?:" + _SEP + r"\d){8,9}"
    + _NOT_BEFORE_NUMBER
)
# 0 + 10 digits: landlines 02x(x) and the mobiles numbered 01xx before 2018. "(0205) 3812345" too.
PHONE_LANDLINE = _NOT_AFTER_DIGIT + r"\(?0[12](?:\)?" + _SEP + r"\d){9}" + _NO_DIGIT_AFTER
PHONE_MOBILE = _NOT_AFTER_DIGIT + r"0[35789](?:" + _SEP + r"\d){8}" + _NO_DIGIT_AFTER
CMND = _NOT_INSIDE_NUMBER + r"\d{3}" + _SEP + r"\d{3}" + _SEP + r"\d{3}" + _NOT_BEFORE_NUMBER

_PLACEHOLDERS = {
    "email": EMAIL_PLACEHOLDER,
    "cccd": ID_PLACEHOLDER,
    "phone_international": PHONE_PLACEHOLDER,
    "phone_landline": PHONE_PLACEHOLDER,
    "phone_mobile": PHONE_PLACEHOLDER,
    "cmnd": ID_PLACEHOLDER,
}
# Order matters where two shapes start at the same character: e-mail first (nguyen-van-a@… is
# not a code), then what is kept, then the longer number (a Lạng Sơn CCCD 020… before an 11-digit landline 02…).
_SCANNER = re.compile(
    "|".join(
        f"(?P<{name}>{pattern})"
        for name, pattern in (
            ("email", EMAIL), ("date", DATE), ("amount", AMOUNT), ("code", CODE), ("cccd", CCCD),
            ("phone_international", PHONE_INTERNATIONAL), ("phone_landline", PHONE_LANDLINE),
            ("phone_mobile", PHONE_MOBILE), ("cmnd", CMND),
        )
    ),
    re.IGNORECASE,
)


def _replacement(match: re.Match[str]) -> str:
    return _PLACEHOLDERS.get(match.lastgroup or "", match.group(0))


def mask_personal_data(text: str) -> str:
    """The text with every phone number, e-mail address and CMND/CCCD number replaced by a
    placeholder (che thông tin cá nhân); everything else, dates and amounts included, as written."""
    if not text:
        return text
    return _SCANNER.sub(_replacement, text)
