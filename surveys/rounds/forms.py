"""Forms of the round set-up pages (thiết lập đợt). They check the shape of the input; the
rules (unique codes, statuses, frozen rounds) are the services' (surveys.rounds.services)."""
from __future__ import annotations

from django import forms

from surveys.models import Agency, Domain, Questionnaire, RoundAgencyDomain, RoundStatus, SurveyRound
from surveys.questionnaires.paper import MAX_BATCH

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
        error_messages={"invalid": "Ngày phải có dạng dd/mm/yyyy, ví dụ 01/10/2026.", "required": "Cần nhập ngày."},
    )


class RoundCreateForm(forms.Form):
    source_round = forms.ModelChoiceField(
        label="Sao chép từ đợt", queryset=SurveyRound.objects.order_by("-year", "code"), required=False,
        empty_label="— Đợt trống (không sao chép) —",
        help_text="Sao chép cơ quan (kèm cấp và đơn vị cấp trên), lĩnh vực, chỉ tiêu, thiết lập và bộ câu hỏi.",
    )
    code = forms.CharField(label="Mã đợt", max_length=30, help_text="Ví dụ LS-2026; chữ không dấu, số, dấu gạch.")
    name = forms.CharField(label="Tên đợt", max_length=255)
    year = forms.IntegerField(label="Năm", min_value=2000, max_value=2100)
    starts_on = date_field("Bắt đầu thu thập")
    ends_on = date_field("Kết thúc thu thập")
    questionnaire = forms.ModelChoiceField(
        label="Bộ câu hỏi", queryset=Questionnaire.objects.order_by("code"), required=False,
        empty_label="— Bộ câu hỏi của đợt được sao chép —",
    )
    new_questionnaire_code = forms.CharField(
        label="Tạo phiên bản mới của bộ câu hỏi với mã", max_length=50, required=False,
        help_text="Để trống: dùng chung bộ câu hỏi. Có mã: sao chép thành bộ câu hỏi mới để sửa riêng cho đợt này.",
    )
    refresh_tree = forms.BooleanField(
        label="Dùng cấp và đơn vị cấp trên hiện nay của cơ quan (bỏ cơ quan đã ngừng hoạt động)", required=False,
    )

    def clean(self):
        data = super().clean()
        if not data.get("source_round") and not data.get("questionnaire"):
            self.add_error("questionnaire", "Đợt trống cần chọn bộ câu hỏi.")
        return data


class RoundSettingsForm(forms.ModelForm):
    starts_on = date_field("Bắt đầu thu thập")
    ends_on = date_field("Kết thúc thu thập")

    class Meta:
        model = SurveyRound
        fields = [
            "name", "year", "province_name", "questionnaire", "starts_on", "ends_on",
            "segregate_duties", "enforce_quota", "double_entry_percent", "online_enabled",
        ]
        error_messages = {
            "double_entry_percent": {
                "min_value": "Tỷ lệ nhập hai lần phải từ 0 đến 100 (phần trăm).",
                "max_value": "Tỷ lệ nhập hai lần phải từ 0 đến 100 (phần trăm).",
                "invalid": "Tỷ lệ nhập hai lần phải là số nguyên từ 0 đến 100.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["double_entry_percent"].widget.attrs.update({"min": 0, "max": 100})


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(label="Chuyển sang", choices=RoundStatus.choices)
    reason = forms.CharField(label="Lý do", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AddAgencyForm(forms.Form):
    agency = forms.ModelChoiceField(label="Cơ quan", queryset=Agency.objects.none())
    quota = forms.IntegerField(label="Chỉ tiêu", min_value=0, initial=0)

    def __init__(self, *args, survey_round: SurveyRound, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = (
            Agency.objects.filter(is_active=True).exclude(round_entries__round=survey_round).order_by("code")
        )


class AddDomainForm(forms.Form):
    agency = forms.ModelChoiceField(label="Cơ quan", queryset=Agency.objects.none())
    domain = forms.ModelChoiceField(label="Lĩnh vực", queryset=Domain.objects.order_by("code"))
    quota = forms.IntegerField(label="Chỉ tiêu", min_value=0, initial=0)

    def __init__(self, *args, survey_round: SurveyRound, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(round_entries__round=survey_round).order_by("code")


class PaperBatchForm(forms.Form):
    """In N phiếu cho một cơ quan × lĩnh vực, hoặc in lại một danh sách mã phiếu."""

    pair = forms.ChoiceField(label="Cơ quan × lĩnh vực", required=False)
    count = forms.IntegerField(label="Số phiếu", min_value=1, max_value=MAX_BATCH, required=False,
                               error_messages={"max_value": f"In tối đa {MAX_BATCH} phiếu một lần.",
                                               "min_value": "Số phiếu phải từ 1 trở lên."})
    serials = forms.CharField(
        label="Hoặc in lại các mã phiếu (mỗi dòng một mã)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, survey_round: SurveyRound, **kwargs):
        super().__init__(*args, **kwargs)
        pairs = RoundAgencyDomain.objects.filter(round=survey_round).select_related("agency", "domain").order_by(
            "agency__code", "domain__code"
        )
        self.fields["pair"].choices = [("", "— Chọn —")] + [
            (f"{p.agency.code}|{p.domain.code}", f"{p.agency.code} × {p.domain.code} — {p.agency.name}, {p.domain.name}")
            for p in pairs
        ]

    def clean(self):
        data = super().clean()
        serials = [s.strip() for s in (data.get("serials") or "").splitlines() if s.strip()]
        data["serial_list"] = serials
        if not serials and not data.get("pair"):
            self.add_error("pair", "Chọn cơ quan × lĩnh vực (hoặc nhập danh sách mã phiếu cần in lại).")
        if data.get("pair") and not serials and not data.get("count"):
            self.add_error("count", "Nhập số phiếu cần in.")
        return data
