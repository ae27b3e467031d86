"""Anonymised response data (surveys.responses.exports): XLSX, CSV and SPSS .sav.

Every file is read back — the XLSX with openpyxl, the CSV with the csv module, the .sav with GNU
PSPP (a reader other than pyreadstat, which wrote it) — and compared with the stored answers.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from surveys.accounts import roles
from surveys.models import Agency, Answer, AuditEntry, Response
from surveys.responses import exports as response_exports
from surveys.responses.exports import ExportSource, build_layout, iter_batches, spss_name
from surveys.responses.services import record_response
from surveys.selectors import load_definition
from tests.surveys.test_import import good_row
from tests.test_permission_matrix import _row, make_user

pytestmark = pytest.mark.django_db

PHONE_TEXT = "Nguyễn Văn An, 0912 345 678, rất hài lòng"
FORMULA_NAME = "=HYPERLINK(\"http://x\",\"Sở Tư pháp\")"


def _pspp_or_skip(program: str = "pspp") -> str:
    path = shutil.which(program)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI phải cài gói Debian pspp ({program} không có)")
        pytest.skip(f"cần GNU PSPP ({program}): apt-get install -y pspp")
    return path


@pytest.fixture
def world(langson_round, client):
    """Five questionnaires (STP, the city of Lạng Sơn and one of its wards, SKHDT) and users."""
    users = {
        "staff": make_user("canbo.snv", roles.STAFF, agency="SNV"),
        "agency": make_user("tpls", roles.AGENCY, agency="TPLS"),
        "entry": make_user("buudien", roles.ENTRY, entry=("STP",)),
        "supervisor": make_user("mttq", roles.SUPERVISOR),
    }
    rows = [
        good_row("XP-05", ma_co_quan="STP", ma_linh_vuc="LLTP", D2=PHONE_TEXT, B1="1;3;4", D1="1"),
        good_row("XP-01", ma_co_quan="TPLS", ma_linh_vuc="DATDAI", kenh="TRUC_TUYEN", A1=2, D1=None, D2=None,
                 B7=1, **{"C5.1": 5, "C5.2": 3, "C5.3": 1, "C5.4": 2, "C1.1": 1}),
        good_row("XP-03", ma_co_quan="TPLS-03", ma_linh_vuc="HOTICH", B4=3, B5=1, **{"C2.2": None}),
        good_row("XP-02", ma_co_quan="SKHDT", ma_linh_vuc="DKDN", B1="2", A6=2),
        good_row("XP-04", ma_co_quan="STP", ma_linh_vuc="CCHUNG", D2="=1+2"),
    ]
    for number, cells in enumerate(rows):
        row = dataclasses.replace(_row(cells), surveyed_on=dt.date(2022, 11, 2 + number))
        record_response(survey_round=langson_round, row=row, entered_by=users["staff"])
    return {"round": langson_round, "users": users, "client": client}


def stored(survey_round, serials=None) -> dict[str, dict]:
    """What the database holds, independently of the export code: ma_phieu → row facts."""
    out = {}
    responses = Response.objects.filter(round=survey_round).select_related("agency", "domain")
    if serials is not None:
        responses = responses.filter(ma_phieu__in=serials)
    for response in responses:
        answers: dict[str, object] = {}
        for answer in Answer.objects.filter(response=response).select_related("question"):
            question = answer.question
            if question.kind == "multi":
                answers.setdefault(question.code, set()).add(answer.value)
            elif question.kind == "text":
                answers[question.code] = answer.text
            else:
                answers[question.code] = answer.value
        out[response.ma_phieu] = {
            "agency": response.agency, "domain": response.domain.code, "channel": response.channel,
            "surveyed_on": response.surveyed_on, "answers": answers,
        }
    return out


def expected_cells(facts: dict, definition) -> dict[str, object]:
    """The export row the stored answers call for, by column name (None = blank)."""
    cells: dict[str, object] = {}
    for question in definition.questions:
        value = facts["answers"].get(question.code)
        if question.kind == "text":
            continue
        if question.kind == "multi":
            for option in question.options:
                cells[f"{question.code}_{option}"] = None if value is None else int(option in value)
        else:
            cells[question.code] = value
    return cells


def login(world, role):
    client = world["client"]
    client.force_login(world["users"][role])
    return client


# --------------------------------------------------------------------------- layout (pure)
def test_layout_leaves_out_text_and_splits_multi_choice(langson_round):
    layout = build_layout(load_definition(langson_round.questionnaire))
    names = layout.names
    assert names[:7] == ["ma_phieu", "ma_co_quan", "ten_co_quan", "cap", "ma_linh_vuc", "kenh", "ngay_khao_sat"]
    assert "D2" not in names and layout.excluded == ("D2",)
    assert [n for n in names if n.startswith("B1_")] == [f"B1_{v}" for v in range(1, len(layout.multi["B1"]) + 1)]
    assert "C1.1" in names and "C5.4" in names and "A1" in names
    a1 = layout.columns[names.index("A1")]
    assert a1.label == "A1. Giới tính" and a1.value_labels == {1: "Nam", 2: "Nữ"}
    c11 = layout.columns[names.index("C1.1")]
    assert c11.value_labels[5] == "Rất hài lòng" and c11.measure == "ordinal"


def test_spss_names_are_valid_and_unique():
    used = {"MA_PHIEU"}
    assert spss_name("C1.1", used) == "C1.1"
    assert spss_name("c1.1", used) == "c1.1_2"  # SPSS names ignore case
    assert spss_name("1Đ câu", used) == "V1D_cau"
    assert spss_name("with", used) == "with_"
    assert spss_name("ma_phieu", used) == "ma_phieu_2"
    assert spss_name("X.", used) == "X"


def test_batches_page_through_every_row_in_serial_order(world):
    survey_round = world["round"]
    layout = build_layout(load_definition(survey_round.questionnaire))
    batches = list(iter_batches(ExportSource(survey_round, None), layout, batch_size=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert [row[0] for b in batches for row in b] == ["XP-01", "XP-02", "XP-03", "XP-04", "XP-05"]


# --------------------------------------------------------------------------- XLSX
def test_xlsx_holds_the_stored_answers_and_no_free_text(world):
    survey_round = world["round"]
    response = login(world, "staff").get(f"/dot/{survey_round.code}/du-lieu-phieu.xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Du_lieu", "Bien", "Ghi_chu"]
    sheet = workbook["Du_lieu"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    definition = load_definition(survey_round.questionnaire)
    facts = stored(survey_round)
    assert [r["ma_phieu"] for r in rows] == sorted(facts)
    for row in rows:
        fact = facts[row["ma_phieu"]]
        assert row["ma_co_quan"] == fact["agency"].code and row["ten_co_quan"] == fact["agency"].name
        assert row["ma_linh_vuc"] == fact["domain"] and row["kenh"] == fact["channel"]
        assert row["ngay_khao_sat"].date() == fact["surveyed_on"]
        got = {k: v for k, v in row.items() if k in expected_cells(fact, definition)}
        assert got == expected_cells(fact, definition), row["ma_phieu"]
    by_serial = {r["ma_phieu"]: r for r in rows}
    assert by_serial["XP-01"]["cap"] == "HUYEN" and by_serial["XP-03"]["cap"] == "XA"
    assert by_serial["XP-01"]["C1.1"] == 1 and by_serial["XP-01"]["C5.3"] == 1 and by_serial["XP-03"]["C5.1"] is None
    assert [by_serial["XP-05"][f"B1_{v}"] for v in range(1, 5)] == [1, 0, 1, 1]
    assert by_serial["XP-01"]["D1_1"] is None  # D1 not answered: blank, not "0 = not chosen"
    assert by_serial["XP-03"]["ten_co_quan"] == "Phường Tam Thanh"
    assert "D2" not in header
    every_cell = {str(c) for ws in workbook for r in ws.iter_rows(values_only=True) for c in r if c is not None}
    assert not {PHONE_TEXT, "=1+2", "Tốt"} & every_cell  # free text never leaves the portal
    codebook = {r[0]: r for r in workbook["Bien"].iter_rows(min_row=2, values_only=True)}
    assert codebook["C1.1"][1].startswith("C1.1. Trụ sở cơ quan") and "5 = Rất hài lòng" in codebook["C1.1"][2]
    assert any("Không gồm câu trả lời tự do" in (r[0] or "") for r in workbook["Ghi_chu"].iter_rows(values_only=True))


def test_xlsx_refused_past_excel_row_limit_with_a_message(world, monkeypatch):
    monkeypatch.setattr(response_exports, "XLSX_MAX_ROWS", 3)
    client = login(world, "staff")
    response = client.get(f"/dot/{world['round'].code}/du-lieu-phieu.xlsx", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đợt có 5 phiếu, vượt quá giới hạn 3 dòng của một trang tính Excel; hãy tải tệp CSV hoặc SPSS" in page
    assert not AuditEntry.objects.filter(action="tải dữ liệu phiếu").exists()


# --------------------------------------------------------------------------- CSV
def test_csv_is_utf8_with_bom_and_holds_the_stored_answers(world):
    survey_round = world["round"]
    Agency.objects.filter(code="SKHDT").update(name=FORMULA_NAME)
    response = login(world, "staff").get(f"/dot/{survey_round.code}/du-lieu-phieu.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="du-lieu-phieu-LS-2022.csv"' in response["Content-Disposition"]
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    definition = load_definition(survey_round.questionnaire)
    facts = stored(survey_round)
    assert [r["ma_phieu"] for r in rows] == sorted(facts)
    for row in rows:
        fact = facts[row["ma_phieu"]]
        assert row["ngay_khao_sat"] == fact["surveyed_on"].strftime("%d/%m/%Y")
        expected = {k: "" if v is None else str(v) for k, v in expected_cells(fact, definition).items()}
        assert {k: row[k] for k in expected} == expected, row["ma_phieu"]
    by_serial = {r["ma_phieu"]: r for r in rows}
    assert by_serial["XP-03"]["ten_co_quan"] == "Phường Tam Thanh"
    assert by_serial["XP-02"]["ten_co_quan"] == "'" + FORMULA_NAME  # never a live formula
    assert "D2" not in rows[0] and PHONE_TEXT not in raw.decode("utf-8-sig")


# --------------------------------------------------------------------------- SPSS .sav read by PSPP
def test_sav_opens_in_gnu_pspp_with_labels_and_values_intact(world, tmp_path: Path):
    pspp = _pspp_or_skip("pspp")
    convert = _pspp_or_skip("pspp-convert")
    survey_round = world["round"]
    response = login(world, "supervisor").get(f"/dot/{survey_round.code}/du-lieu-phieu.sav")
    assert response.status_code == 200
    sav = tmp_path / "du-lieu.sav"
    sav.write_bytes(b"".join(response.streaming_content))

    syntax = tmp_path / "doc.sps"
    syntax.write_text(f"GET FILE='{sav}'.\nDISPLAY DICTIONARY.\n", encoding="utf-8")
    dictionary = tmp_path / "dictionary.csv"
    run = subprocess.run([pspp, str(syntax), "-O", "format=csv", "-o", str(dictionary)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    text = dictionary.read_text(encoding="utf-8")
    variables, value_labels = _pspp_tables(text)
    assert variables["C1.1"]["Label"].startswith("C1.1. Trụ sở cơ quan/Bộ phận tiếp nhận và trả kết quả gọn gàng")
    assert variables["ten_co_quan"]["Label"] == "Tên cơ quan được đánh giá"
    assert variables["ngay_khao_sat"]["Print Format"] == "EDATE10"
    assert variables["C1.1"]["Measurement Level"] == "Ordinal"
    assert "D2" not in variables
    assert value_labels[variables["C1.1"]["Label"]] == {
        "1": "Rất không hài lòng", "2": "Không hài lòng", "3": "Bình thường", "4": "Hài lòng", "5": "Rất hài lòng",
    }
    assert value_labels[variables["A1"]["Label"]] == {"1": "Nam", "2": "Nữ"}
    assert value_labels[variables["B1_1"]["Label"]] == {"0": "Không chọn", "1": "Có chọn"}
    assert value_labels[variables["kenh"]["Label"]]["TRUC_TUYEN"] == "Khảo sát trực tuyến"

    data_csv = tmp_path / "data.csv"
    run = subprocess.run([convert, str(sav), str(data_csv)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    rows = list(csv.DictReader(io.StringIO(data_csv.read_text(encoding="utf-8"))))
    definition = load_definition(survey_round.questionnaire)
    facts = stored(survey_round)
    assert [r["ma_phieu"] for r in rows] == sorted(facts)
    for row in rows:
        fact = facts[row["ma_phieu"]]
        assert row["ten_co_quan"] == fact["agency"].name  # diacritics intact
        assert row["ngay_khao_sat"] == fact["surveyed_on"].strftime("%m/%d/%Y")  # pspp-convert writes ADATE
        expected = {k: " " if v is None else str(v) for k, v in expected_cells(fact, definition).items()}
        assert {k: row[k] for k in expected} == expected, row["ma_phieu"]
    assert {r["ma_phieu"]: r["ten_co_quan"] for r in rows}["XP-01"] == "Thành phố Lạng Sơn"

    labelled = tmp_path / "labels.csv"
    run = subprocess.run([convert, "--labels", str(sav), str(labelled)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    with_labels = {r["ma_phieu"]: r for r in csv.DictReader(io.StringIO(labelled.read_text(encoding="utf-8")))}
    assert with_labels["XP-01"]["C1.1"] == "Rất không hài lòng" and with_labels["XP-01"]["A1"] == "Nữ"
    assert with_labels["XP-05"]["B1_2"] == "Không chọn" and with_labels["XP-05"]["B1_3"] == "Có chọn"


def _pspp_tables(text: str) -> tuple[dict[str, dict], dict[str, dict[str, str]]]:
    """PSPP's CSV output of DISPLAY DICTIONARY: the Variables table by name, and the Value
    Labels table by variable label (PSPP names a labelled variable by its label there)."""
    tables: dict[str, list[list[str]]] = {}
    current = None
    for record in csv.reader(io.StringIO(text)):
        if record and record[0].startswith("Table: "):
            current = record[0][len("Table: "):]
            tables[current] = []
        elif current and record:
            tables[current].append(record)
    head, *body = tables["Variables"]
    variables = {r[0]: dict(zip(head, r, strict=False)) for r in body}
    value_labels: dict[str, dict[str, str]] = {}
    owner = ""
    for variable, value, label in tables["Value Labels"][1:]:
        owner = variable or owner
        value_labels.setdefault(owner, {})[value] = label
    return variables, value_labels


def test_empty_round_exports_headers_only(langson_round, client):
    client.force_login(make_user("canbo.snv", roles.STAFF, agency="SNV"))
    raw = b"".join(client.get(f"/dot/{langson_round.code}/du-lieu-phieu.csv").streaming_content)
    assert raw.decode("utf-8-sig").splitlines()[0].startswith("ma_phieu,ma_co_quan,ten_co_quan,cap")
    assert len(raw.decode("utf-8-sig").splitlines()) == 1
    sav = client.get(f"/dot/{langson_round.code}/du-lieu-phieu.sav")
    assert sav.status_code == 200 and len(b"".join(sav.streaming_content)) > 0


# --------------------------------------------------------------------------- scope, audit, page
def test_agency_officer_gets_only_their_agency_and_its_communes(world):
    survey_round = world["round"]
    raw = b"".join(login(world, "agency").get(f"/dot/{survey_round.code}/du-lieu-phieu.csv").streaming_content)
    serials = [r["ma_phieu"] for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))]
    assert serials == ["XP-01", "XP-03"]  # TPLS and its ward TPLS-03; not STP, not SKHDT
    entry = AuditEntry.objects.get(action="tải dữ liệu phiếu")
    assert entry.after["co_quan"] != "tất cả" and "TPLS" in entry.after["co_quan"] and "STP" not in entry.after["co_quan"]


@pytest.mark.parametrize("role", ["entry"])
def test_data_entry_clerks_may_not_download(world, role):
    client = login(world, role)
    for suffix in ("du-lieu-phieu/", "du-lieu-phieu.csv", "du-lieu-phieu.xlsx", "du-lieu-phieu.sav"):
        assert client.get(f"/dot/{world['round'].code}/{suffix}").status_code == 403
    assert not AuditEntry.objects.filter(action="tải dữ liệu phiếu").exists()


def test_every_export_writes_one_audit_row(world):
    client = login(world, "staff")
    for fmt in ("xlsx", "csv", "sav"):
        response = client.get(f"/dot/{world['round'].code}/du-lieu-phieu.{fmt}")
        b"".join(response.streaming_content)
    entries = list(AuditEntry.objects.filter(action="tải dữ liệu phiếu").order_by("id"))
    assert [e.after["dinh_dang"] for e in entries] == ["xlsx", "csv", "sav"]
    assert all(e.after["so_phieu"] == 5 and e.after["co_quan"] == "tất cả" for e in entries)
    assert all(e.round_code == "LS-2022" and e.actor == world["users"]["staff"] for e in entries)
    assert entries[0].after["bo_cau_tu_do"] == ["D2"]


def test_page_says_free_text_is_left_out_and_links_are_offered(world):
    from indexes.services import recompute_round

    recompute_round(round_id=world["round"].pk, force=True)  # the index page lists downloads once computed
    client = login(world, "staff")
    code = world["round"].code
    page = client.get(f"/dot/{code}/du-lieu-phieu/").content.decode()
    assert "Không gồm câu trả lời tự do" in page and "D2" in page and "Ý kiến khác của Ông/Bà" in page
    assert f"/dot/{code}/du-lieu-phieu.sav" in page and f"/dot/{code}/du-lieu-phieu.csv" in page
    assert ">5</strong> phiếu" in page
    assert f"/dot/{code}/du-lieu-phieu/" in client.get(f"/dot/{code}/").content.decode()
    assert f"/dot/{code}/du-lieu-phieu/" in client.get(f"/chi-so/{code}/").content.decode()
    client.force_login(world["users"]["entry"])
    assert f"/dot/{code}/du-lieu-phieu/" not in client.get(f"/dot/{code}/").content.decode()
