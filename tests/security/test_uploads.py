"""Hostile uploads on the import page and through services.import_responses: each is refused
with a Vietnamese message, nothing is saved, nothing takes long, nothing is a 500."""
from __future__ import annotations

import io
import os
import re
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.urls import reverse
from openpyxl import Workbook

from surveys.models import Response
from surveys.responses import services
from surveys.responses.importing import (
    ABNORMAL_WORKBOOK,
    MAX_COLUMNS,
    NOT_A_WORKBOOK,
    WorkbookUnreadable,
    check_archive,
)

from .conftest import sample_path

pytestmark = pytest.mark.django_db

SECONDS = 10  # every hostile file is refused well within this
SHEET = "xl/worksheets/sheet1.xml"


# --------------------------------------------------------------------------- hostile files
def small_workbook() -> bytes:
    """A valid workbook: sheet “Phieu” with a header row only."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Phieu"
    sheet.append(["ma_phieu", "ma_co_quan", "ma_linh_vuc", "kenh", "ngay_khao_sat"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(original: bytes, replace: dict[str, bytes] | None = None, skip: set[str] = frozenset()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename in skip:
                continue
            target.writestr(item.filename, (replace or {}).get(item.filename, source.read(item.filename)))
    return out.getvalue()


def declared_dimension_bomb() -> bytes:
    """A valid workbook whose sheet claims A1:XFD1048576 (a million rows × 16 384 columns)."""
    original = small_workbook()
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        xml = archive.read(SHEET).decode()
    xml, count = re.subn(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml)
    assert count == 1, xml[:300]
    return rezip(original, {SHEET: xml.encode()})


def expanding_bomb(megabytes: int = 300) -> bytes:
    """A valid workbook whose sheet1.xml inflates to `megabytes` MB of repeated rows, written
    streaming (zipfile + ZIP_DEFLATED) so that the test file itself stays around 300 KB."""
    original = small_workbook()
    out = io.BytesIO()
    # Identical rows (no optional r= attribute), each followed by a megabyte of the blank space
    # XML allows between elements: deflate packs that about 1000:1.
    row = "<row>" + '<c t="inlineStr"><is><t>0</t></is></c>' * 5 + "</row>"
    block = (row + " " * (1024 * 1024 - len(row))).encode()
    target_bytes = megabytes * 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != SHEET:
                target.writestr(item.filename, source.read(item.filename))
        with target.open(SHEET, "w", force_zip64=True) as sheet:  # deflated, as the archive
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            written = 0
            while written < target_bytes:
                sheet.write(block)
                written += len(block)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def many_members(count: int = 1_001) -> bytes:
    original = small_workbook()
    out = io.BytesIO(rezip(original))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        for i in range(count):
            archive.writestr(f"xl/media/rac{i}.bin", b"x")
    return out.getvalue()


def truncated_sample() -> bytes:
    content = sample_path().read_bytes()
    return content[: len(content) // 2]


TEXT_FILE = b"ma_phieu,ma_co_quan,ma_linh_vuc\nLS-1,SNV,DKDN\n"

HOSTILE = {
    "text-renamed": (lambda: TEXT_FILE, NOT_A_WORKBOOK),
    "truncated": (truncated_sample, NOT_A_WORKBOOK),
    "dimension-bomb": (declared_dimension_bomb, "A1:XFD1048576 (1.048.576 dòng × 16.384 cột)"),
    "expanding-bomb": (expanding_bomb, ABNORMAL_WORKBOOK),
    "many-members": (many_members, ABNORMAL_WORKBOOK),
}


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory) -> dict[str, Path]:
    """Each hostile file written once to a temporary directory."""
    folder = tmp_path_factory.mktemp("hostile")
    paths = {}
    for name, (build, _) in HOSTILE.items():
        paths[name] = folder / f"{name}.xlsx"
        paths[name].write_bytes(build())
    return paths


def post_file(client, survey_round, path: Path, name: str | None = None):
    url = reverse("surveys:round_import", args=[survey_round.code])
    with open(path, "rb") as handle:  # streamed from disk under the name a browser would send
        return client.post(url, {"workbook": File(handle, name=name or path.name)})


# --------------------------------------------------------------------------- through the page
@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_import_page_refuses_a_hostile_file(staff_client, langson_round, hostile_files, name):
    path = hostile_files[name]
    assert path.stat().st_size < 2 * 1024 * 1024  # the bombs are small on disk
    started = time.monotonic()
    response = post_file(staff_client, langson_round, path, name="phieu.xlsx")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không phiếu nào được nhập" in html
    assert HOSTILE[name][1] in html
    assert Response.objects.count() == 0
    assert elapsed < SECONDS, f"{name}: {elapsed:.1f} s"


def test_the_dimension_bomb_message_names_the_declared_size_and_the_limits(staff_client, langson_round, hostile_files):
    html = post_file(staff_client, langson_round, hostile_files["dimension-bomb"]).content.decode()
    assert "Bảng tính khai báo vùng dữ liệu A1:XFD1048576" in html
    assert f"200.000 phiếu và {MAX_COLUMNS} cột" in html


def test_a_50_mb_upload_is_cut_off_at_the_limit_and_never_stored_whole(
    staff_client, langson_round, tmp_path, monkeypatch, settings
):
    big = tmp_path / "phieu.xlsx"
    with open(big, "wb") as handle:
        handle.write(b"PK\x03\x04")
        for _ in range(50):
            handle.write(bytes(1024 * 1024))  # zeros: 50 MB
    stored = {"bytes": 0}
    for handler_class in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        original = handler_class.receive_data_chunk

        def counting(self, raw_data, start, _original=original):
            if getattr(self, "activated", True):  # the memory handler passes chunks on unless used
                stored["bytes"] += len(raw_data)
            return _original(self, raw_data, start)

        monkeypatch.setattr(handler_class, "receive_data_chunk", counting)

    started = time.monotonic()
    response = post_file(staff_client, langson_round, big)
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    html = response.content.decode()
    assert "Tệp quá lớn (50 MB); chỉ nhận tệp tối đa 20 MB" in html
    assert "Hãy chọn tệp" not in html
    assert stored["bytes"] <= settings.IMPORT_MAX_BYTES  # stopped at the limit, the rest dropped
    assert Response.objects.count() == 0
    assert elapsed < SECONDS, f"{elapsed:.1f} s"


def test_the_upload_limit_still_lets_a_normal_workbook_through(staff_client, langson_round):
    response = post_file(staff_client, langson_round, sample_path(), name="langson.xlsx")
    assert response.status_code == 302
    assert Response.objects.filter(round=langson_round).count() == 600


def test_the_limit_keeps_csrf_protection(staff_user, langson_round, hostile_files, tmp_path):
    """The view is csrf_exempt outside (to change the upload handlers) and csrf_protect inside:
    no token is still a 403, and with the token (sent before the file, as the form does) an
    oversized file gets the “too large” message."""
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(staff_user)
    assert post_file(csrf_client, langson_round, hostile_files["text-renamed"]).status_code == 403

    url = reverse("surveys:round_import", args=[langson_round.code])
    csrf_client.get(url)
    token = csrf_client.cookies["csrftoken"].value
    big = tmp_path / "phieu.xlsx"
    big.write_bytes(bytes(21 * 1024 * 1024))
    with open(big, "rb") as handle:
        response = csrf_client.post(url, {"csrfmiddlewaretoken": token, "workbook": handle})
    assert response.status_code == 200
    assert "Tệp quá lớn (21 MB); chỉ nhận tệp tối đa 20 MB" in response.content.decode()
    assert Response.objects.count() == 0


# --------------------------------------------------------------------------- through the service
@pytest.mark.parametrize("name", list(HOSTILE))
def test_import_responses_refuses_a_hostile_file(langson_round, hostile_files, name):
    started = time.monotonic()
    with open(hostile_files[name], "rb") as handle:
        outcome = services.import_responses(survey_round=langson_round, source=handle, entered_by=None)
    by_path = services.import_responses(survey_round=langson_round, source=str(hostile_files[name]), entered_by=None)
    assert time.monotonic() - started < SECONDS
    for result in (outcome, by_path):
        assert not result.ok and result.saved == 0
        assert HOSTILE[name][1] in str(result.errors[0])
    assert Response.objects.count() == 0


def test_import_responses_refuses_a_50_mb_non_workbook(langson_round, tmp_path):
    big = tmp_path / "lon.xlsx"
    with open(big, "wb") as handle:
        handle.write(os.urandom(50 * 1024 * 1024))
    started = time.monotonic()
    outcome = services.import_responses(survey_round=langson_round, source=str(big), entered_by=None)
    assert time.monotonic() - started < SECONDS
    assert [e.message for e in outcome.errors] == [NOT_A_WORKBOOK]
    assert Response.objects.count() == 0


# --------------------------------------------------------------------------- the archive check alone
def test_a_single_absurdly_compressed_part_is_refused_below_the_total_limit(settings):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", bytes(20 * 1024 * 1024))  # 20 MB → ~20 KB
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
    with pytest.raises(WorkbookUnreadable, match="bất thường"):
        check_archive(io.BytesIO(out.getvalue()))


def test_the_total_limit_comes_from_the_settings(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 1024
    with pytest.raises(WorkbookUnreadable, match="bất thường"):
        check_archive(io.BytesIO(small_workbook()))
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 10 * 1024 * 1024
    check_archive(io.BytesIO(small_workbook()))  # a normal workbook passes


def test_an_under_declared_dimension_still_reads_every_row(langson_round, tmp_path):
    """The declared range is only a guard: a file claiming A1:E1 still has its rows read."""
    from surveys.responses.importing import read_workbook
    from surveys.selectors import load_definition

    content = sample_path().read_bytes()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read(SHEET).decode()
    xml, count = re.subn(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:E1"/>', xml)
    if count != 1:
        pytest.skip("the sample sheet declares no <dimension>")
    path = tmp_path / "phieu.xlsx"
    path.write_bytes(rezip(content, {SHEET: xml.encode()}))
    context = services.build_import_context(langson_round, load_definition(langson_round.questionnaire))
    rows, errors = read_workbook(str(path), context)
    assert not errors and len(rows) == 600
