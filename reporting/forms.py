from __future__ import annotations

from django import forms

from .models import ReportFormat, ReportSection
from .services import MAX_SECTION_LENGTH


class ReportTextsForm(forms.Form):
    """Every prose section of the report, each optional (an empty one prints its draft)."""

    def __init__(self, *args, initial_texts: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in ReportSection.choices:
            self.fields[key] = forms.CharField(
                label=label,
                required=False,
                max_length=MAX_SECTION_LENGTH,
                initial=(initial_texts or {}).get(key, ""),
                widget=forms.Textarea(attrs={"rows": 6, "class": "form-control report-text"}),
                error_messages={"max_length": f"Phần “{label}”: tối đa %(limit_value)d ký tự (hiện có %(show_value)d)."},
            )


class GenerateForm(forms.Form):
    format = forms.ChoiceField(
        label="Định dạng", choices=ReportFormat.choices,
        error_messages={"required": "Chọn định dạng báo cáo (PDF hoặc XLSX).",
                        "invalid_choice": "Định dạng “%(value)s” không hỗ trợ; chọn PDF hoặc XLSX."},
    )


class DraftForm(forms.Form):
    replace = forms.BooleanField(label="Ghi đè cả các phần đã viết", required=False)
