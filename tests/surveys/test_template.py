"""The workbook template generated from the questionnaire imports back without edits."""
import datetime as dt
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from surveys.models import Response

pytestmark = pytest.mark.django_db


def test_filled_template_imports_without_edits(langson_round, tmp_path):
    template = tmp_path / "mau.xlsx"
    call_command("export_template", "--round", "LS-2022", "--out", str(template), stdout=io.StringIO())
    workbook = load_workbook(template)
    assert workbook.sheetnames == ["Phieu", "Huong_dan"]
    sheet = workbook["Phieu"]
    header = [cell.value for cell in sheet[1]]
    guide_rows = [row[:4] for row in workbook["Huong_dan"].iter_rows(values_only=True)]
    guide = {row[0]: row for row in guide_rows if row[0]}
    assert "1 Nam · 2 Nữ" in guide["A1"]
    assert "chỉ trả lời khi B7 = 1" in guide["C5.2"][2]
    assert ("TPLS-03", "Phường Tam Thanh", "HOTICH", "Hộ tịch (tư pháp)") in guide_rows

    # As an officer types them: codes and numbers as text, a real date, a multi-choice "1;3".
    typed = {
        "ma_phieu": "BD-0001", "ma_co_quan": "SNV", "ma_linh_vuc": "TDKT", "kenh": "BUU_DIEN",
        "ngay_khao_sat": dt.datetime(2022, 11, 3), "A1": "2", "A2": "3", "B1": "1;3", "B4": "3", "B5": "1",
        "B7": "1", "C1.1": "5", "C2.3": "4", "C5.1": "3", "D1": "2;7", "D2": "Cảm ơn cán bộ",
    }
    sheet.append([typed.get(code) for code in header])
    workbook.save(template)

    out, err = io.StringIO(), io.StringIO()
    call_command("import_responses", str(template), "--round", "LS-2022", stdout=out, stderr=err)
    assert err.getvalue() == ""
    response = Response.objects.get(ma_phieu="BD-0001")
    assert response.surveyed_on == dt.date(2022, 11, 3)
    assert sorted(response.answers.filter(question__code="B1").values_list("value", flat=True)) == [1, 3]
