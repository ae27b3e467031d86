"""Workbook import (interfaces.md §2) through the management commands, end to end."""
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from surveys.models import Answer, Response, SurveyRound

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"
SAMPLE_XLSX = SAMPLES / "langson-2022-sample.xlsx"
EXPECTED_JSON = SAMPLES / "langson-2022-sample.expected.json"
needs_samples = pytest.mark.skipif(not SAMPLE_XLSX.exists(), reason="../shared/samples không có ở đây")

QUESTION_CODES = (
    ["A1", "A2", "A3", "A4", "A5", "A6", "B1", "B2", "B3", "B4", "B5", "B6", "B7"]
    + [f"C{f}.{i}" for f, n in ((1, 3), (2, 5), (3, 6), (4, 4), (5, 4)) for i in range(1, n + 1)]
    + ["D1", "D2"]
)
HEADER = ["ma_phieu", "ma_co_quan", "ma_linh_vuc", "kenh", "ngay_khao_sat", *QUESTION_CODES]


def good_row(serial: str, **overrides) -> dict:
    row = {code: None for code in HEADER}
    row.update(
        ma_phieu=serial, ma_co_quan="SKHDT", ma_linh_vuc="DKDN", kenh="BUU_DIEN", ngay_khao_sat="2022-11-02",
        A1=1, A2=3, A3=2, A4=5, A5=4, A6=1, B1="1;2", B2=1, B3=1, B4=2, B6=2, B7=2, D1="2;3", D2="Tốt",
    )
    row.update({code: 4 for code in QUESTION_CODES if code.startswith("C") and not code.startswith("C5")})
    row.update(overrides)
    return row


def write_workbook(path: Path, rows: list[dict | None], header: list[str] = HEADER) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Phieu"
    sheet.append(header)
    for row in rows:
        sheet.append([None] * len(header) if row is None else [row.get(code) for code in header])
    workbook.save(path)
    return path


def run_import(path: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_responses", str(path), "--round", "LS-2022", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


@needs_samples
def test_sample_workbook_gives_the_independently_computed_indexes(langson_round, tmp_path):
    code, out, err = run_import(SAMPLE_XLSX)
    assert (code, err) == (0, ""), err
    assert "Đã nhập 600 phiếu" in out
    call_command("recompute_indexes", "--round", "LS-2022", stdout=io.StringIO())
    exported = tmp_path / "indexes.json"
    call_command("export_indexes", "--round", "LS-2022", "--format", "json", "--out", str(exported))
    got = json.loads(exported.read_text(encoding="utf-8"))
    assert got["round"] == "LS-2022" and got["computed_at"]
    by_scope = {(r["scope"], r["code"]): r for r in got["results"]}
    expected = json.loads(EXPECTED_JSON.read_text(encoding="utf-8"))["results"]
    assert len(expected) == 300
    for entry in expected:
        mine = by_scope[(entry["scope"], entry["code"])]
        where = f"{entry['scope']} {entry['code']}"
        assert mine["n"] == entry["n"], where
        assert mine["factors_n"] == entry["factors_n"], where
        assert mine["criteria_n"] == entry["criteria_n"], where
        pairs = [(mine["sipas"], entry["sipas"])]
        pairs += [(mine[k][c], entry[k][c]) for k in ("factors", "criteria") for c in entry[k]]
        for value, reference in pairs:
            if reference is None:
                assert value is None, where
            else:
                assert value == pytest.approx(reference, abs=0.01), where
    province = by_scope[("province", None)]
    for low, high, value in [
        (*province["intervals"]["sipas"], province["sipas"]),
        (*province["intervals"]["criteria"]["C2.4"], province["criteria"]["C2.4"]),
        (*province["intervals"]["shares"]["D1"]["3"], province["shares"]["D1"]["options"]["3"]),
    ]:
        assert low < value < high
    assert province["small_sample"] is False and by_scope[("agency", "BDT")]["small_sample"] is True
    assert by_scope[("agency", "BDT")]["rank_range"][0] >= 1
    # Scopes the sample does not reach are listed with no value, never 0.
    for key, result in by_scope.items():
        if result["n"] == 0:
            assert result["sipas"] is None and set(result["factors"].values()) == {None}, key


def test_messy_but_valid_cells_import(langson_round, tmp_path):
    rows = [
        good_row("P-1", B1="1; 3", D1="2;5;9", **{"C1.1": "4", "C1.2": "5.0", "C1.3": 3.0}),
        None,  # an empty row is skipped
        good_row("P-2", ngay_khao_sat=dt.datetime(2022, 11, 5), B7="1", **{"C5.1": " 5 ", "C5.2": 2}),
        good_row("P-3", ngay_khao_sat="07/12/2022", B4=3, B5=1, ma_co_quan="tpls-03", ma_linh_vuc="hotich"),
        good_row(4, ngay_khao_sat=44880),  # a serial typed as a number; an Excel date serial
    ]
    shuffled = list(reversed(HEADER))
    code, out, err = run_import(write_workbook(tmp_path / "messy.xlsx", rows, shuffled))
    assert (code, err) == (0, ""), err
    assert Response.objects.count() == 4
    first = Response.objects.get(ma_phieu="P-1")
    answers = {(a.question.code, a.value) for a in first.answers.all() if a.value is not None}
    assert {("B1", 1), ("B1", 3), ("C1.1", 4), ("C1.2", 5), ("C1.3", 3), ("D1", 9)} <= answers
    assert first.answers.get(question__code="D2").text == "Tốt"
    assert Response.objects.get(ma_phieu="P-2").surveyed_on == dt.date(2022, 11, 5)
    third = Response.objects.get(ma_phieu="P-3")
    assert (third.surveyed_on, third.agency.code, third.domain.code) == (dt.date(2022, 12, 7), "TPLS-03", "HOTICH")
    assert Response.objects.get(ma_phieu="4").surveyed_on == dt.date(2022, 11, 15)  # 44927 is 01/01/2023


def test_workbook_with_errors_names_every_row_and_column_and_saves_nothing(langson_round, tmp_path):
    rows = [
        good_row("E-1"),
        good_row("E-2", B7=2, **{"C5.2": 4}),  # C5.* while B7 != 1
        good_row("E-3", B4=2, B5=1),  # B5 while not late
        good_row("E-4", **{"C1.1": 7, "A2": "abc"}),  # wrong option, not a number
        good_row("E-5", **{code: None for code in QUESTION_CODES if code.startswith("C")}),  # no C answer
        good_row("E-1"),  # serial reused within the file
        good_row("E-7", ma_co_quan="SXYZ", kenh="FAX", ngay_khao_sat="31/02/2022"),
        good_row("E-8", ma_co_quan="SKHDT", ma_linh_vuc="DATDAI", D1="1;2;3;4"),
    ]
    version = SurveyRound.objects.get(code="LS-2022").data_version
    code, out, err = run_import(write_workbook(tmp_path / "bad.xlsx", rows))
    assert code == 1
    lines = err.strip().splitlines()
    assert lines[:-1] == [
        "Dòng 3, cột C5.2: chỉ trả lời khi B7 = 1 (có góp ý, phản ánh, kiến nghị)",
        "Dòng 4, cột B5: chỉ trả lời khi B4 = 3 (trả kết quả muộn hơn hẹn)",
        "Dòng 5, cột A2: “abc” không phải là số phương án",
        "Dòng 5, cột C1.1: không có phương án 7 (chỉ có 1–5)",
        "Dòng 6, cột C1.1…C5.4: phiếu không có câu trả lời nào về mức độ hài lòng (phần C) nên không hợp lệ",
        "Dòng 7, cột ma_phieu: mã phiếu E-1 trùng với dòng 2",
        "Dòng 8, cột ma_co_quan: cơ quan SXYZ không tham gia đợt LS-2022",
        "Dòng 8, cột kenh: kênh FAX không hợp lệ; dùng một trong TRUC_TIEP, BUU_DIEN, PHONG_VAN, TRUC_TUYEN, "
        "DIEN_THOAI, EMAIL",
        "Dòng 8, cột ngay_khao_sat: ngày khảo sát phải là ngày Excel, YYYY-MM-DD hoặc dd/mm/yyyy",
        "Dòng 9, cột ma_linh_vuc: cơ quan SKHDT không khảo sát lĩnh vực DATDAI trong đợt LS-2022",
        "Dòng 9, cột D1: chọn tối đa 3 phương án, phiếu chọn 4",
    ]
    assert "không phiếu nào được nhập" in lines[-1]
    assert Response.objects.count() == 0 and Answer.objects.count() == 0
    assert SurveyRound.objects.get(code="LS-2022").data_version == version


def test_wrong_option_is_reported_with_the_allowed_range(langson_round, tmp_path):
    code, _, err = run_import(write_workbook(tmp_path / "bad.xlsx", [good_row("X-1", **{"C1.1": 7})]))
    assert code == 1
    assert err.splitlines()[0] == "Dòng 2, cột C1.1: không có phương án 7 (chỉ có 1–5)"


def test_same_file_twice_never_doubles_the_data(langson_round, tmp_path):
    path = write_workbook(tmp_path / "once.xlsx", [good_row("T-1"), good_row("T-2")])
    assert run_import(path)[0] == 0
    code, _, err = run_import(path)
    assert code == 1
    assert "Dòng 2, cột ma_phieu: mã phiếu T-1 đã có trong đợt LS-2022" in err
    assert Response.objects.count() == 2


def test_unknown_and_missing_columns(langson_round, tmp_path):
    header = [c for c in HEADER if c != "C3.3"] + ["C9.9"]
    code, _, err = run_import(write_workbook(tmp_path / "cols.xlsx", [good_row("H-1")], header))
    assert code == 1
    assert "Dòng 1, cột C9.9: cột không có trong mẫu phiếu của đợt" in err
    assert "Dòng 1, cột C3.3: thiếu cột bắt buộc" in err


def test_skip_invalid_saves_good_rows_and_writes_errors(langson_round, tmp_path):
    path = write_workbook(tmp_path / "mixed.xlsx", [good_row("S-1"), good_row("S-2", **{"C1.1": 9})])
    errors_out = tmp_path / "errors.txt"
    code, out, _ = run_import(path, "--skip-invalid", "--errors-out", str(errors_out))
    assert code == 0
    assert list(Response.objects.values_list("ma_phieu", flat=True)) == ["S-1"]
    assert errors_out.read_text(encoding="utf-8").splitlines() == ["Dòng 3, cột C1.1: không có phương án 9 (chỉ có 1–5)"]


@pytest.mark.parametrize(
    "content",
    [b"ma_phieu,ma_co_quan\n1,SNV\n", b"", b"PK\x03\x04truncated-zip"],
    ids=["csv-renamed", "empty", "truncated"],
)
def test_not_a_workbook_is_refused_with_a_message(langson_round, tmp_path, content):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(content)
    code, _, err = run_import(path)
    assert code == 1
    assert "Tệp không phải là bảng tính Excel (.xlsx)" in err or "Không đọc được bảng tính" in err
    assert Response.objects.count() == 0


def test_first_sheet_must_be_phieu(langson_round, tmp_path):
    path = write_workbook(tmp_path / "sheet.xlsx", [good_row("N-1")])
    workbook = load_workbook(path)
    workbook.active.title = "Sheet1"
    workbook.save(path)
    code, _, err = run_import(path)
    assert code == 1 and "Trang đầu tiên phải tên là “Phieu”" in err
