"""sipas_portal.downloads: one way to serve bytes, a file handle or a stream as an attachment."""
from __future__ import annotations

import io

from sipas_portal.downloads import PDF, Download, content_disposition, serve


def test_ascii_names_as_they_are_others_with_an_rfc_6266_filename_star():
    assert content_disposition("phieu-LS-2022.xlsx") == 'attachment; filename="phieu-LS-2022.xlsx"'
    assert content_disposition("kế hoạch 01/KH.pdf") == (
        "attachment; filename=\"k__ho_ch_01_KH.pdf\"; filename*=UTF-8''k%E1%BA%BF%20ho%E1%BA%A1ch%2001%2FKH.pdf"
    )


def test_bytes_handles_and_streams_are_each_served_whole():
    whole = serve(Download("a.pdf", b"%PDF-1.7", PDF))
    assert whole.content == b"%PDF-1.7" and whole["Content-Type"] == PDF
    handle = serve(Download("a.sav", io.BytesIO(b"sav"), "application/x-spss-sav"))
    assert b"".join(handle.streaming_content) == b"sav"
    stream = serve(Download("a.csv", iter([b"a,", b"b"]), "text/csv; charset=utf-8"))
    assert b"".join(stream.streaming_content) == b"a,b"
    assert stream["Content-Disposition"] == 'attachment; filename="a.csv"'
