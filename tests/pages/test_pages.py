"""The first pages: round list, round overview, index table and downloads, workbook import."""
from __future__ import annotations

import json
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indexes.models import IndexResult, Scope
from sipas_portal.formatting import format_percent
from sipas_portal.xlsx import safe_cell
from surveys import selectors
from surveys.models import Response, RoundStatus

from .conftest import SAMPLE_EXPECTED, SAMPLE_XLSX

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def page_urls(code: str) -> list[str]:
    return [
        reverse("surveys:round_list"),
        reverse("surveys:round_overview", args=[code]),
        reverse("surveys:round_import", args=[code]),
        reverse("indexes:round_indexes", args=[code]),
        reverse("indexes:round_indexes_json", args=[code]),
        reverse("indexes:round_indexes_xlsx", args=[code]),
    ]


def upload(client, survey_round, name: str, content: bytes):
    url = reverse("surveys:round_import", args=[survey_round.code])
    return client.post(url, {"workbook": SimpleUploadedFile(name, content, content_type=XLSX)})


def sample_bytes() -> bytes:
    if not SAMPLE_XLSX.is_file():
        pytest.skip(f"không có tệp mẫu {SAMPLE_XLSX}")
    return SAMPLE_XLSX.read_bytes()


# --------------------------------------------------------------------------- access
def test_every_page_answers_a_logged_in_user(client_in, sample_round):
    for url in page_urls(sample_round.code):
        assert client_in.get(url).status_code == 200, url


def test_every_page_sends_an_anonymous_visitor_to_the_login_page(client, sample_round):
    for url in page_urls(sample_round.code):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/dang-nhap/"), url


def test_an_unknown_round_is_404(client_in, langson_round):
    assert client_in.get(reverse("surveys:round_overview", args=["KHONG-CO"])).status_code == 404
    assert client_in.get(reverse("indexes:round_indexes", args=["KHONG-CO"])).status_code == 404


# --------------------------------------------------------------------------- round list and overview
def test_round_list_shows_dates_status_and_counts(client_in, sample_round):
    html = client_in.get(reverse("surveys:round_list")).content.decode()
    assert sample_round.starts_on.strftime("%d/%m/%Y") in html
    assert sample_round.ends_on.strftime("%d/%m/%Y") in html
    assert "Đang thu thập" in html
    assert "600 / 895" in html
    assert reverse("surveys:round_overview", args=[sample_round.code]) in html


def test_overview_shows_progress_per_level_and_agency(client_in, sample_round):
    html = client_in.get(reverse("surveys:round_overview", args=[sample_round.code])).content.decode()
    assert "Toàn tỉnh" in html
    assert "UBND xã, phường, thị trấn" in html
    assert 'value="600" max="895"' in html  # province progress bar
    assert "Chỉ số tính lúc" in html
    assert "Đang chờ tính lại" not in html
    assert reverse("indexes:round_indexes", args=[sample_round.code]) in html
    assert reverse("surveys:round_import", args=[sample_round.code]) in html
    assert " style=" not in html and "<script>" not in html


def test_overview_flags_a_stale_round(client_in, sample_round):
    type(sample_round).objects.filter(pk=sample_round.pk).update(data_version=sample_round.computed_version + 1)
    html = client_in.get(reverse("surveys:round_overview", args=[sample_round.code])).content.decode()
    assert "Đang chờ tính lại" in html


def test_progress_rows_follow_the_tree_and_levels_end_with_the_province(langson_round):
    rows = selectors.round_progress(langson_round)
    codes = [(row["agency"].code, row["depth"]) for row in rows]
    district = codes.index(("BGIA", 0))
    assert codes[district + 1 : district + 6] == [(f"BGIA-0{i}", 1) for i in range(1, 6)]
    levels = selectors.level_progress(rows)
    assert [t["level"].code for t in levels[:-1]] == ["SO", "HUYEN", "XA"]
    assert levels[-1]["level"] is None
    assert levels[-1]["quota"] == 895 and levels[-1]["agencies"] == 86


# --------------------------------------------------------------------------- index table and downloads
def expected_province_sipas() -> float:
    expected = json.loads(SAMPLE_EXPECTED.read_text(encoding="utf-8"))
    return next(r["sipas"] for r in expected["results"] if r["scope"] == "province")


def test_index_page_shows_the_province_sipas_formatted(client_in, sample_round):
    html = client_in.get(reverse("indexes:round_indexes", args=[sample_round.code])).content.decode()
    assert format_percent(expected_province_sipas()) in html
    for heading in ("Toàn tỉnh", "Theo cấp", "Theo cơ quan", "Địa bàn huyện", "Theo lĩnh vực", "Chỉ số theo tiêu chí"):
        assert heading in html
    assert 'title="Tiếp cận dịch vụ hành chính công"' in html
    assert "<details" in html  # agency × domain, collapsed
    assert "C5.4" in html
    assert " style=" not in html and "<script>" not in html


def test_index_page_without_results_says_so(client_in, langson_round):
    html = client_in.get(reverse("indexes:round_indexes", args=[langson_round.code])).content.decode()
    assert "Chưa có kết quả chỉ số" in html


def test_json_download(client_in, sample_round):
    response = client_in.get(reverse("indexes:round_indexes_json", args=[sample_round.code]))
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    body = response.content.decode("utf-8")
    assert "Tỉnh Lạng Sơn" in body  # ensure_ascii=False
    data = json.loads(body)
    assert data["round"] == "LS-2022"
    assert len(data["results"]) >= 300
    province = next(r for r in data["results"] if r["scope"] == "province")
    assert province["sipas"] == pytest.approx(expected_province_sipas(), abs=0.01)


def test_xlsx_download(client_in, sample_round):
    response = client_in.get(reverse("indexes:round_indexes_xlsx", args=[sample_round.code]))
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2"
    sipas_column = header.index("SIPAS") + 1
    province_row = next(row for row in range(2, sheet.max_row + 1) if sheet.cell(row, 1).value == "Toàn tỉnh")
    cell = sheet.cell(province_row, sipas_column)
    stored = IndexResult.objects.get(round=sample_round, scope=Scope.PROVINCE).sipas
    assert cell.value == stored
    assert cell.number_format == "0.00"
    assert sheet.max_row - 1 == IndexResult.objects.filter(round=sample_round).count()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+84 123", "'+84 123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Sở Nội vụ", "Sở Nội vụ"),
        (-2.5, -2.5),
        (None, None),
        (7, 7),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


# --------------------------------------------------------------------------- import page
def test_import_page_shows_the_form(client_in, langson_round):
    html = client_in.get(reverse("surveys:round_import", args=[langson_round.code])).content.decode()
    assert "Bảng tính phiếu (.xlsx)" in html
    assert 'accept=".xlsx"' in html
    assert 'enctype="multipart/form-data"' in html


def test_importing_the_sample_saves_every_questionnaire(client_in, langson_round):
    response = upload(client_in, langson_round, "langson.xlsx", sample_bytes())
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:round_overview", args=[langson_round.code])
    assert Response.objects.filter(round=langson_round).count() == 600
    html = client_in.get(response["Location"]).content.decode()
    assert "Đã nhập 600 phiếu." in html


def workbook_with_gating_error() -> tuple[bytes, int]:
    """The sample with one C5.2 answer on a row whose B7 = 2 (no feedback given)."""
    workbook = openpyxl.load_workbook(BytesIO(sample_bytes()))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    b7, c52 = header.index("B7") + 1, header.index("C5.2") + 1
    for row in range(2, sheet.max_row + 1):
        if str(sheet.cell(row, b7).value).strip() in {"2", "2.0"}:
            sheet.cell(row, c52).value = 4
            buffer = BytesIO()
            workbook.save(buffer)
            return buffer.getvalue(), row
    raise AssertionError("tệp mẫu không có dòng nào B7 = 2")


def test_a_workbook_with_an_error_saves_nothing_and_names_row_and_column(client_in, langson_round):
    content, row = workbook_with_gating_error()
    response = upload(client_in, langson_round, "co-loi.xlsx", content)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không phiếu nào được nhập. Sửa các lỗi sau rồi tải lên lại:" in html
    assert f"Dòng {row}, cột C5.2" in html
    assert Response.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("phieu.txt", b"ma_phieu,ma_co_quan\n1,SNV\n", "Chỉ nhận tệp bảng tính Excel có đuôi .xlsx"),
        ("phieu.xlsx", b"day khong phai bang tinh\n", "Tệp không phải là bảng tính Excel (.xlsx) đọc được"),
        ("phieu.xlsx", b"", "Tệp tải lên rỗng"),
        ("phieu.xlsx", b"PK\x03\x04hong", "bảng tính"),
    ],
)
def test_a_bad_file_gets_a_vietnamese_message_not_a_500(client_in, langson_round, name, content, message):
    response = upload(client_in, langson_round, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Response.objects.count() == 0


def test_a_file_above_the_limit_is_refused(client_in, langson_round, settings):
    settings.IMPORT_MAX_BYTES = 1024
    response = upload(client_in, langson_round, "lon.xlsx", sample_bytes())
    assert response.status_code == 200
    assert "Tệp quá lớn" in response.content.decode()
    assert Response.objects.count() == 0


def test_a_round_not_collecting_refuses_the_import(client_in, langson_round):
    type(langson_round).objects.filter(pk=langson_round.pk).update(status=RoundStatus.CLOSED)
    response = upload(client_in, langson_round, "langson.xlsx", sample_bytes())
    assert response.status_code == 200
    assert "chỉ nhận phiếu khi đợt “Đang thu thập”" in response.content.decode()
    assert Response.objects.count() == 0


def test_progress_table_downloads_as_xlsx(client, user, langson_round):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(user)
    response = client.get("/dot/LS-2022/tien-do.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    levels = list(workbook["Theo_cap"].iter_rows(min_row=2, values_only=True))
    assert levels[-1][:3] == ("Cộng", 86, 895)
    agencies = {row[0]: row for row in workbook["Theo_co_quan"].iter_rows(min_row=2, values_only=True)}
    assert agencies["TPLS-03"][3:5] == ("TPLS", 5)
