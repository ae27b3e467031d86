"""Cách tính in words: the round's reading of the SIPAS denominator (methodology §2), stated
the same way on the "cách tính" pages, in the report's method section and in the XLSX."""
from __future__ import annotations

from surveys.models import SipasDenominator

# Seed 001, Phần II, III.5.2, word for word.
DE_AN_DENOMINATOR = "a: Là tổng số câu hỏi hài lòng mà mỗi người phải trả lời"

_READINGS = {
    SipasDenominator.APPLICABLE: (
        "Mẫu số a của mỗi người là tổng số câu hỏi hài lòng mà người đó phải trả lời (theo Đề án: “{de_an}”): "
        "mọi câu hỏi về mức độ hài lòng áp dụng cho người đó, kể cả câu để trống. Câu để trống được tính vào mẫu số, "
        "không tính vào tử số."
    ),
    SipasDenominator.ANSWERED: (
        "Mẫu số a của mỗi người là số câu hỏi hài lòng áp dụng cho người đó mà người đó đã trả lời; câu để trống "
        "không được tính. Đề án định nghĩa “{de_an}”, tức là tính cả câu để trống; đợt này chọn cách đọc khác, "
        "nên chỉ số SIPAS và chỉ số yếu tố có thể cao hơn cách tính của Đề án."
    ),
}


def denominator_explanation(reading: str) -> str:
    """One paragraph, in plain Vietnamese, of how a_i is counted in this round."""
    return _READINGS[SipasDenominator(reading)].format(de_an=DE_AN_DENOMINATOR)


def denominator_label(reading: str) -> str:
    """The reading's short name, e.g. for a table cell."""
    return SipasDenominator(reading).label
