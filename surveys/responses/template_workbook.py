"""The round's import workbook template (interfaces.md §2), generated from its questionnaire.

Sheet `Phieu`: row 1 holds the column codes, row 2 onwards is for questionnaires (cells stored
as text where codes are typed, so Excel keeps "1;3" and leading zeros as typed). Sheet
`Huong_dan` lists every column, what to type and every option with its number, plus the
agencies and domains of the round. The import reads the same codes back.
"""
from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from sipas_portal.xlsx import new_workbook, safe_cell, workbook_bytes
from surveys.models import Channel, RoundAgencyDomain, SurveyRound
from surveys.questionnaires.definition import QuestionnaireDef
from surveys.responses.importing import META_COLUMNS, SHEET_NAME, column_codes
from surveys.selectors import load_definition

GUIDE_SHEET = "Huong_dan"
TEMPLATE_ROWS = 5000  # rows given the channel drop-down
HEADER_FILL = PatternFill("solid", fgColor="E8EDF5")
HEADER_FONT = Font(bold=True, color="1F3B6E")

META_GUIDE = {
    "ma_phieu": ("Mã phiếu", "Số sê-ri in trên phiếu; không trùng trong đợt."),
    "ma_co_quan": ("Mã cơ quan", "Mã cơ quan được đánh giá (xem bảng cơ quan bên dưới)."),
    "ma_linh_vuc": ("Mã lĩnh vực", "Mã lĩnh vực của cơ quan đó trong đợt (xem bảng bên dưới)."),
    "kenh": ("Kênh thu phiếu", ", ".join(f"{value} = {label}" for value, label in Channel.choices)),
    "ngay_khao_sat": ("Ngày khảo sát", "Ngày Excel, hoặc YYYY-MM-DD, hoặc dd/mm/yyyy."),
}
KIND_GUIDE = {
    "single": "Một số phương án",
    "multi": "Các số phương án cách nhau bởi dấu ; (tối đa {max})",
    "scale": "Một số từ 1 đến 5; để trống nếu không trả lời",
    "text": "Văn bản tự do",
}


def _guide_rows(definition: QuestionnaireDef) -> list[list[str]]:
    rows = [[code, *META_GUIDE[code], ""] for code in META_COLUMNS]
    for question in definition.questions:
        how = KIND_GUIDE[question.kind].format(max=question.max_choices)
        if question.code in definition.gate_hints:
            how += f"; chỉ trả lời khi {definition.gate_hints[question.code].condition}"
        options = " · ".join(f"{value} {label}" for value, label in sorted(question.options.items()))
        rows.append([question.code, question.text, how, options])
    return rows


def template_bytes(survey_round: SurveyRound) -> bytes:
    """Mẫu bảng tính nhập phiếu của đợt, as .xlsx bytes."""
    definition = load_definition(survey_round.questionnaire)
    codes = column_codes(definition)
    workbook = new_workbook()
    sheet = workbook.create_sheet(SHEET_NAME)
    sheet.append(list(codes))
    for column, code in enumerate(codes, start=1):
        cell = sheet.cell(row=1, column=column)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        dimension = sheet.column_dimensions[get_column_letter(column)]
        dimension.width = 14 if code in META_COLUMNS else 7
        # Typed codes stay text ("1;3", "007"); dates show as dd/mm/yyyy.
        dimension.number_format = "DD/MM/YYYY" if code == "ngay_khao_sat" else "@"
    sheet.freeze_panes = "B2"
    channel_column = get_column_letter(codes.index("kenh") + 1)
    channels = DataValidation(type="list", formula1=f'"{",".join(Channel.values)}"', allow_blank=True)
    channels.add(f"{channel_column}2:{channel_column}{TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(channels)

    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.append([f"Mẫu nhập phiếu đợt {survey_round.code} — {survey_round.name}"])
    guide.append([f"Bộ câu hỏi {definition.code}. Trang “{SHEET_NAME}”: dòng 1 giữ nguyên mã cột, mỗi dòng từ dòng 2 là một phiếu."])
    guide.append([])
    guide.append(["Mã cột", "Nội dung", "Cách ghi", "Phương án"])
    for row in _guide_rows(definition):
        guide.append([safe_cell(v) for v in row])
    guide.append([])
    guide.append(["Mã cơ quan", "Tên cơ quan", "Mã lĩnh vực", "Tên lĩnh vực"])
    pairs = RoundAgencyDomain.objects.filter(round=survey_round).select_related("agency", "domain")
    for pair in pairs.order_by("agency__code", "domain__code"):
        guide.append([safe_cell(v) for v in (pair.agency.code, pair.agency.name, pair.domain.code, pair.domain.name)])
    guide["A1"].font = Font(bold=True, size=13, color="1F3B6E")
    for row in guide.iter_rows(min_row=4, max_row=4):
        for cell in row:
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for letter, width in zip("ABCD", (14, 70, 48, 90), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return workbook_bytes(workbook)
