"""The XLSX report read back with openpyxl: its numbers are the index export's, unrounded, as
numbers with display formats; every sheet is set up for printing."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook


# openpyxl writes a float with 16 significant digits (Excel keeps 15): a value read back may
# differ from the export's in its 17th digit, never more.
def same(value):
    return None if value is None else pytest.approx(value, rel=1e-14, abs=1e-12)

pytestmark = pytest.mark.django_db  # the built_report fixture needs the test database set up


@pytest.fixture(scope="module")
def workbook(built_report):
    return load_workbook(built_report["xlsx"])


def results(data, scope):
    return [r for r in data["results"] if r["scope"] == scope]


def rows(sheet):
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, values, strict=False)) for values in sheet.iter_rows(min_row=2, values_only=True)]


def test_one_sheet_per_table_plus_the_raw_index_table(workbook):
    names = workbook.sheetnames
    for expected in ("Thông tin", "B1 Mẫu theo cấp", "B2 Kênh thu thập", "B4 Yếu tố", "B5 Tiêu chí", "B6 Theo cấp",
                     "B7 Qua các năm", "PL1 Mẫu theo cơ quan", "PL2 Theo cơ quan", "PL3 Theo lĩnh vực",
                     "PL4 Cơ quan × lĩnh vực", "PL5 Tiêu chí theo cơ quan", "Chỉ số (dữ liệu gốc)"):
        assert expected in names


@pytest.mark.parametrize(("sheet_name", "scope"), [
    ("PL2 Theo cơ quan", "agency"), ("PL3 Theo lĩnh vực", "domain"), ("PL4 Cơ quan × lĩnh vực", "agency_domain"),
    ("B6 Theo cấp", "level"),
])
def test_index_sheets_equal_the_export_exactly(built_report, workbook, sheet_name, scope):
    expected = {r["code"]: r for r in results(built_report["data"], scope)}
    got = {row["Mã"]: row for row in rows(workbook[sheet_name])}
    assert set(got) == set(expected)
    for code, result in expected.items():
        row = got[code]
        assert row["Tên"] == result["name"]
        assert row["Số phiếu"] == result["n"]
        assert row["SIPAS (%)"] == same(result["sipas"])
        low, high = result["intervals"].get("sipas") or (None, None)
        assert (row["KTC 95% cận dưới"], row["KTC 95% cận trên"]) == (same(low), same(high))
        for factor, value in result["factors"].items():
            assert row[f"{factor} (%)"] == same(value)
        assert row["Ghi chú"] == ("mẫu nhỏ" if result["small_sample"] else None)


def test_raw_sheet_is_the_whole_export(built_report, workbook):
    data = built_report["data"]
    sheet_rows = rows(workbook["Chỉ số (dữ liệu gốc)"])
    assert len(sheet_rows) == len(data["results"])
    for row, result in zip(sheet_rows, data["results"], strict=True):
        assert (row["Mã"] or None) == result["code"]
        assert row["Số phiếu"] == result["n"]
        assert row["SIPAS"] == same(result["sipas"])
        for code, value in {**result["factors"], **result["criteria"]}.items():
            assert row[code] == same(value), (result["code"], code)


def test_criteria_and_factor_sheets(built_report, workbook):
    province = results(built_report["data"], "province")[0]
    criteria = {row["Mã"]: row for row in rows(workbook["B5 Tiêu chí"])}
    assert set(criteria) == set(province["criteria"])
    for code, value in province["criteria"].items():
        assert criteria[code]["Toàn tỉnh (%)"] == same(value)
        assert criteria[code]["Số người trả lời"] == province["criteria_n"][code]
    factors = {row["Mã"]: row for row in rows(workbook["B4 Yếu tố"])}
    for code, value in province["factors"].items():
        assert factors[code]["Chỉ số (%)"] == same(value)
    assert factors["SIPAS"]["Chỉ số (%)"] == same(province["sipas"])
    matrix = {row["Mã"]: row for row in rows(workbook["PL5 Tiêu chí theo cơ quan"])}
    for agency in results(built_report["data"], "agency"):
        for code, value in agency["criteria"].items():
            assert matrix[agency["code"]][f"{code} (%)"] == same(value)


def test_every_agency_and_its_sample(built_report, workbook):
    sample = {row["Mã"]: row for row in rows(workbook["PL1 Mẫu theo cơ quan"])}
    assert {code for code, _ in built_report["agencies"]} == set(sample)
    n_of = {r["code"]: r["n"] for r in results(built_report["data"], "agency")}
    for code, row in sample.items():
        assert row["Phiếu hợp lệ"] == n_of.get(code, 0)
        assert row["Tỷ lệ thu về (%)"] == pytest.approx(100 * row["Phiếu hợp lệ"] / row["Chỉ tiêu"])
    total = rows(workbook["B1 Mẫu theo cấp"])[-1]
    assert total["Cấp"] == "Toàn tỉnh" and total["Phiếu hợp lệ"] == 895


def test_numbers_are_numbers_with_formats_and_sheets_print(workbook):
    sheet = workbook["PL2 Theo cơ quan"]
    sipas = sheet.cell(row=2, column=4)
    assert isinstance(sipas.value, float) and sipas.number_format == "#,##0.00"
    assert sheet.cell(row=2, column=3).number_format == "#,##0"
    for sheet in workbook.worksheets[1:]:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.column_dimensions["B"].width >= 12
    assert workbook["PL2 Theo cơ quan"].page_setup.orientation == "landscape"
    assert workbook["B1 Mẫu theo cấp"].page_setup.orientation == "portrait"


def test_published_years_are_in_the_trend_sheet(workbook):
    years = {row["Năm"]: row for row in rows(workbook["B7 Qua các năm"])}
    assert years[2017]["SIPAS (%)"] == pytest.approx(87.57)
    assert years[2021]["SIPAS (%)"] == pytest.approx(87.07)
    assert years[2021]["Xếp hạng toàn quốc"] == "31/63"
    assert years[2022]["Nguồn"].startswith("Khảo sát của tỉnh")
