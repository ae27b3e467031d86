"""Forms of the sample-frame pages (khung mẫu): upload, draw, contact statuses, list filter."""
from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from surveys.models import Agency, ContactStatus
from surveys.responses.forms import ImportWorkbookForm, megabytes


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return f"{obj.code} — {obj.name}"


class FrameUploadForm(ImportWorkbookForm):
    """Tải lên khung mẫu của một cơ quan: the workbook checks (size, .xlsx) of the import form,
    plus the agency, limited to those the user may upload for (surveys.accounts.access.frame_agency_ids)."""

    agency = AgencyChoiceField(
        queryset=Agency.objects.none(), to_field_name="code", label="Cơ quan",
        empty_label="— Chọn cơ quan —",
        error_messages={"required": "Hãy chọn cơ quan của danh sách.",
                        "invalid_choice": "Bạn không được tải khung mẫu cho cơ quan “%(value)s”."},
    )
    field_order = ["agency", "workbook"]

    def __init__(self, *args, agencies: QuerySet[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if agencies.count() == 1:
            self.fields["agency"].initial = agencies.first().code
        self.fields["workbook"].label = "Danh sách người đã giải quyết thủ tục (.xlsx)"
        self.fields["workbook"].help_text = (
            "Dòng 1 là tiêu đề: Họ và tên, Địa chỉ, Điện thoại, Thủ tục, Mã lĩnh vực, Ngày trả kết quả. "
            f"Tối đa {megabytes(self.max_bytes)} MB."
        )
        self.helper.inputs[0].value = "Tải lên khung mẫu"


class DrawForm(forms.Form):
    seed = forms.IntegerField(
        label="Hạt giống ngẫu nhiên", required=False, min_value=0, max_value=2**62,
        help_text="Để trống để máy chọn; ghi lại số này: cùng hạt giống và cùng khung mẫu cho cùng kết quả.",
        error_messages={"invalid": "Hạt giống phải là một số nguyên không âm.",
                        "min_value": "Hạt giống phải là một số nguyên không âm.",
                        "max_value": "Hạt giống quá lớn."},
    )


STATUS_CHOICES = [(s.value, s.label) for s in ContactStatus if s != ContactStatus.NOT_SENT] + [
    (ContactStatus.NOT_SENT.value, "Chưa gửi (hoàn tác)")
]


class ContactStatusForm(forms.Form):
    """Cập nhật tình trạng hàng loạt: serials typed or scanned one per line, then one status."""

    status = forms.ChoiceField(
        label="Tình trạng mới", choices=STATUS_CHOICES,
        error_messages={"required": "Hãy chọn tình trạng.", "invalid_choice": "Tình trạng “%(value)s” không hợp lệ."},
    )
    serials = forms.CharField(
        label="Mã phiếu", max_length=200_000, widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off",
                                                                            "spellcheck": "false"}),
        help_text="Mỗi dòng một mã (gõ hoặc quét mã vạch rồi Enter); Ctrl+Enter để lưu.",
        error_messages={"required": "Hãy nhập hoặc quét ít nhất một mã phiếu."},
    )


class ContactFilterForm(forms.Form):
    """Lọc danh sách người được chọn (GET); an unknown value is dropped, never an error page."""

    co_quan = AgencyChoiceField(queryset=Agency.objects.none(), to_field_name="code", required=False,
                                label="Cơ quan", empty_label="Tất cả cơ quan")
    tinh_trang = forms.ChoiceField(choices=[("", "Mọi tình trạng"), *ContactStatus.choices], required=False,
                                   label="Tình trạng")
    q = forms.CharField(required=False, max_length=50, label="Mã phiếu", strip=True)

    def __init__(self, *args, agencies: QuerySet[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["co_quan"].queryset = agencies
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control")

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in ("co_quan", "tinh_trang", "q") if data.get(name)}
