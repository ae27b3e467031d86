"""Forms of the survey pages."""
from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings


def megabytes(size: int) -> str:
    text = f"{size / (1024 * 1024):.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


class ImportWorkbookForm(forms.Form):
    """Tải lên bảng tính phiếu theo mẫu của đợt (interfaces.md §2)."""

    workbook = forms.FileField(
        label="Bảng tính phiếu (.xlsx)",
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
        error_messages={
            "required": "Hãy chọn tệp bảng tính (.xlsx) để tải lên.",
            "empty": "Tệp tải lên rỗng (0 byte); hãy chọn đúng tệp bảng tính.",
            "invalid": "Không nhận được tệp; hãy chọn lại tệp bảng tính.",
            "missing": "Không nhận được tệp; hãy chọn lại tệp bảng tính.",
        },
    )

    def __init__(self, *args, upload_too_large: int | None = None, **kwargs):
        """`upload_too_large`: the upload handler stopped reading the file (its approximate
        size in bytes, or 0 when unknown); the form then only reports that."""
        super().__init__(*args, **kwargs)
        self.max_bytes = settings.IMPORT_MAX_BYTES
        self.upload_too_large = upload_too_large
        self.fields["workbook"].help_text = (
            f"Trang đầu tên “Phieu”, dòng 1 là mã cột, mỗi dòng một phiếu. "
            f"Tối đa {megabytes(self.max_bytes)} MB."
        )
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.add_input(Submit("submit", "Nhập phiếu", css_class="btn-primary"))

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                "Chỉ nhận tệp bảng tính Excel có đuôi .xlsx (tệp “%(name)s” không phải .xlsx).",
                code="extension",
                params={"name": upload.name},
            )
        if upload.size > self.max_bytes:
            raise self.too_large_error(upload.size)
        return upload

    def too_large_error(self, size: int | None) -> forms.ValidationError:
        if size and size > self.max_bytes:
            return forms.ValidationError(
                "Tệp quá lớn (%(size)s MB); chỉ nhận tệp tối đa %(max)s MB. Hãy chia thành nhiều tệp.",
                code="too_large",
                params={"size": megabytes(size), "max": megabytes(self.max_bytes)},
            )
        return forms.ValidationError(
            "Tệp quá lớn; chỉ nhận tệp tối đa %(max)s MB. Hãy chia thành nhiều tệp.",
            code="too_large",
            params={"max": megabytes(self.max_bytes)},
        )

    def full_clean(self):
        super().full_clean()
        if self.upload_too_large is not None and self.is_bound:
            # The file never arrived whole: "too large", not "no file chosen".
            self._errors.pop("workbook", None)
            self.cleaned_data.pop("workbook", None)
            self.add_error("workbook", self.too_large_error(self.upload_too_large))
