"""One download type and one way to serve it, for every file the portal hands out.

A domain's `exports` module builds a `Download` (a file name and its content, no request, no
audit); the view scopes, records the download and calls `serve`. Bytes are served whole, a
file handle as a `FileResponse` (it is closed once sent) and any other iterator of byte
chunks as a streaming body, so a large export never sits in memory twice.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


@dataclass(frozen=True)
class Download:
    filename: str
    content: bytes | str | IO[bytes] | Iterator[bytes]
    content_type: str = XLSX


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name (anything else becomes _) and, when the name is
    not plain ASCII, the exact one as RFC 6266 / RFC 5987 `filename*`."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    if fallback == filename:
        return f'attachment; filename="{fallback}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def serve(download: Download) -> HttpResponse | FileResponse | StreamingHttpResponse:
    content = download.content
    if isinstance(content, (bytes, str)):
        response: HttpResponse | FileResponse | StreamingHttpResponse = HttpResponse(
            content, content_type=download.content_type
        )
    elif hasattr(content, "read"):
        response = FileResponse(content, content_type=download.content_type)
    else:
        response = StreamingHttpResponse(content, content_type=download.content_type)
    response["Content-Disposition"] = content_disposition(download.filename)
    return response
