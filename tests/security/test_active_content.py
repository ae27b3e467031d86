"""Workbooks with macros or links to other files are refused, import and sample frame alike,
with a Vietnamese message naming what was found and how to save a clean copy; nothing is saved."""
from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys.models import Response, SampleFrame, SurveyRound
from surveys.responses import services
from surveys.responses.importing import WorkbookUnreadable, check_active_content
from tests.frames.conftest import frame_bytes, people

from .conftest import sample_path

pytestmark = pytest.mark.django_db

MACRO = "xl/vbaProject.bin"
EXTERNAL_LINK = "xl/externalLinks/externalLink1.xml"
CONNECTIONS = "xl/connections.xml"
EXTRA_PARTS = {
    MACRO: (b"\xd0\xcf\x11\xe0" + b"\0" * 508, "Tệp có chứa macro (xl/vbaProject.bin)"),
    EXTERNAL_LINK: (
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
        "Tệp có liên kết lấy dữ liệu từ tệp hoặc nguồn bên ngoài (xl/externalLinks/externalLink1.xml)",
    ),
    CONNECTIONS: (
        b'<connections xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
        "Tệp có liên kết lấy dữ liệu từ tệp hoặc nguồn bên ngoài (xl/connections.xml)",
    ),
}


def with_part(original: bytes, name: str) -> bytes:
    """The same workbook with one more part in its archive (openpyxl itself would still read it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item.filename))
        target.writestr(name, EXTRA_PARTS[name][0])
    return out.getvalue()


def test_part_names_decide():
    check_active_content(["xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/styles.xml", "docProps/app.xml"])
    for name in (MACRO, "xl/macrosheets/sheet1.xml", "xl/activeX/activeX1.bin", EXTERNAL_LINK, CONNECTIONS):
        with pytest.raises(WorkbookUnreadable):
            check_active_content(["xl/workbook.xml", name])


@pytest.mark.parametrize("part", list(EXTRA_PARTS))
def test_the_import_page_refuses_it_and_saves_nothing(staff_client, langson_round, part):
    clean = sample_path().read_bytes()
    version = langson_round.data_version
    url = reverse("surveys:round_import", args=[langson_round.code])
    response = staff_client.post(url, {"workbook": SimpleUploadedFile("phieu.xlsx", with_part(clean, part))})
    assert response.status_code == 200
    text = response.content.decode()
    assert EXTRA_PARTS[part][1] in text
    assert ("Lưu thành (Save As)" in text) if part == MACRO else ("Ngắt liên kết" in text)
    assert Response.objects.count() == 0
    assert SurveyRound.objects.get(pk=langson_round.pk).data_version == version


def test_the_import_service_refuses_it_and_the_clean_copy_imports(langson_round):
    clean = sample_path().read_bytes()
    outcome = services.import_responses(survey_round=langson_round, source=io.BytesIO(with_part(clean, MACRO)),
                                        entered_by=None)
    assert not outcome.ok and outcome.saved == 0
    assert [str(e) for e in outcome.errors] == [str(outcome.errors[0])]
    assert str(outcome.errors[0]).startswith(EXTRA_PARTS[MACRO][1])
    assert Response.objects.count() == 0
    # The same workbook without the macro part is the sample: all of it imports.
    assert services.import_responses(survey_round=langson_round, source=io.BytesIO(clean), entered_by=None).saved == 600


@pytest.mark.parametrize("part", [MACRO, EXTERNAL_LINK])
def test_a_sample_frame_with_it_is_refused_and_nothing_saved(staff_client, langson_round, part):
    content = io.BytesIO(with_part(frame_bytes(people(3, "LLTP")).getvalue(), part))
    content.name = "khung-mau.xlsx"
    response = staff_client.post(f"/dot/{langson_round.code}/khung-mau/tai-len/", {"agency": "STP", "workbook": content})
    assert EXTRA_PARTS[part][1] in response.content.decode()
    assert SampleFrame.objects.count() == 0
    clean = frame_bytes(people(3, "LLTP"))
    assert staff_client.post(f"/dot/{langson_round.code}/khung-mau/tai-len/",
                             {"agency": "STP", "workbook": clean}).status_code == 302
    assert SampleFrame.objects.count() == 1
