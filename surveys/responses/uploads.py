"""An upload handler that stops reading an import workbook once it passes the size limit.

Django's default handlers store the whole upload (in memory, then in a temporary file) before
any form sees it, so a form-level size check alone still lets a 2 GB upload fill the disk.
`ImportSizeLimitHandler` goes first in `request.upload_handlers` of the import view only and
raises StopUpload as soon as a file passes settings.IMPORT_MAX_BYTES: what was stored so far
is discarded, the rest of the request body is read and dropped (connection_reset=False, so the
browser still gets the page with the message), and `exceeded` tells the view what happened.

Changing the handlers must happen before anything reads request.POST, which the CSRF
middleware does: the view is wrapped `csrf_exempt` outside and `csrf_protect` inside, as the
Django documentation on upload handlers describes.
"""
from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class ImportSizeLimitHandler(FileUploadHandler):
    def __init__(self, request=None, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
        self.exceeded = False
        self.request_length: int | None = None  # (self.content_length is the current file's, per new_file)

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length
        return None  # let the multipart parser go on (the CSRF token comes before the file)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.max_bytes:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int):
        return None  # the next handler (memory or temporary file) builds the UploadedFile

    @property
    def approximate_size(self) -> int | None:
        """The request body's size: the file plus a few hundred bytes of form fields."""
        return self.request_length
