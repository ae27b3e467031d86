"""Forms of the plan pages. They turn the posted fields into the services' PlanFields /
TaskFields; the services check the rules again and their ValidationErrors land on the fields."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from surveys.models import Agency, SurveyRound
from surveys.questionnaires.definition import QuestionnaireDef

from . import deadlines
from .deadlines import ROMAN_QUARTERS, Deadline, DeadlineError
from .models import DeadlineKind, ImprovementPlan, PlanTask, TaskStatus
from .services import PlanFields, TaskFields

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FUNDING_SUGGESTIONS = (
    "Kinh phí hoạt động theo dự toán được phê duyệt",
    "Lồng ghép trong kinh phí chi thường xuyên của cơ quan, đơn vị",
    "Ngân sách nhà nước theo phân cấp",
    "Không phát sinh kinh phí",
)


def _date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, input_formats=DATE_INPUT_FORMATS, help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": f"Chưa có {label.lower()}.",
                        "invalid": f"{label} phải là một ngày có thật, dạng dd/mm/yyyy."},
    )


class PlanForm(forms.Form):
    number = forms.CharField(label="Số, ký hiệu", max_length=50, help_text="Ví dụ: 156/KH-UBND",
                             error_messages={"required": "Chưa có số, ký hiệu của kế hoạch."})
    title = forms.CharField(label="Trích yếu", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                            error_messages={"required": "Chưa có trích yếu của kế hoạch."})
    issued_on = _date_field("Ngày ban hành")
    issuer = forms.CharField(label="Cơ quan ban hành", max_length=255,
                             error_messages={"required": "Chưa có cơ quan ban hành."})
    place = forms.CharField(label="Địa danh", max_length=100, required=False, help_text="Ví dụ: Lạng Sơn")
    appendix_title = forms.CharField(
        label="Tên phụ lục", max_length=500, required=False,
        help_text="Để trống: “Nhiệm vụ, giải pháp nâng cao Chỉ số SIPAS năm …”.",
    )

    def __init__(self, *args, rounds: QuerySet[SurveyRound] | None = None, **kwargs):
        """`rounds`: when creating, the rounds the plan may answer (a field “Đợt khảo sát” first)."""
        super().__init__(*args, **kwargs)
        if rounds is not None:
            self.fields = {"round": forms.ModelChoiceField(
                label="Đợt khảo sát (kết quả mà kế hoạch trả lời)", queryset=rounds, to_field_name="code",
                error_messages={"required": "Chưa chọn đợt khảo sát.",
                                "invalid_choice": "Đợt khảo sát đã chọn không có hoặc bạn không được xem."},
            ), **self.fields}

    @classmethod
    def initial_for(cls, survey_round: SurveyRound) -> dict:
        province = survey_round.province_name
        place = province.removeprefix("Tỉnh ").removeprefix("Thành phố ")
        return {"round": survey_round.code, "issuer": f"Ủy ban nhân dân {province[:1].lower()}{province[1:]}",
                "place": place, "issued_on": timezone.localdate()}

    @classmethod
    def initial_of(cls, plan: ImprovementPlan) -> dict:
        return {name: getattr(plan, name) for name in cls.base_fields}

    def plan_fields(self) -> PlanFields:
        return PlanFields(**{name: self.cleaned_data[name] for name in self.base_fields})


class TaskForm(forms.Form):
    group = forms.CharField(
        label="Đề mục (nhóm)", max_length=255, required=False,
        help_text="In thành đề mục I, II, III… của phụ lục; các nhiệm vụ cùng đề mục đứng chung một nhóm.",
        widget=forms.TextInput(attrs={"list": "de-muc-goi-y"}),
    )
    content = forms.CharField(label="Nhiệm vụ, giải pháp", widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": "Chưa có nội dung nhiệm vụ, giải pháp."})
    factor_codes = forms.MultipleChoiceField(
        label="Yếu tố hướng tới", required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Yếu tố “%(value)s” không có trong bộ câu hỏi của đợt."},
    )
    criterion_codes = forms.MultipleChoiceField(
        label="Tiêu chí hướng tới", required=False, widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text="Giữ Ctrl (hoặc ⌘) để chọn nhiều tiêu chí.",
        error_messages={"invalid_choice": "Tiêu chí “%(value)s” không có trong bộ câu hỏi của đợt."},
    )
    lead_agency = forms.ModelChoiceField(
        label="Cơ quan chủ trì", queryset=Agency.objects.none(),
        error_messages={"required": "Chưa chọn cơ quan chủ trì.",
                        "invalid_choice": "Cơ quan chủ trì đã chọn không có trong danh sách cơ quan."},
    )
    cooperating_agencies = forms.ModelMultipleChoiceField(
        label="Cơ quan phối hợp", queryset=Agency.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        error_messages={"invalid_choice": "Cơ quan phối hợp “%(value)s” không có trong danh sách cơ quan.",
                        "invalid_pk_value": "“%(pk)s” không phải mã cơ quan hợp lệ."},
    )
    cooperating_other = forms.CharField(label="Đơn vị phối hợp khác", max_length=500, required=False,
                                        help_text="Ví dụ: Các cơ quan, đơn vị có liên quan.")
    deadline_kind = forms.ChoiceField(label="Thời gian hoàn thành", choices=DeadlineKind.choices,
                                      initial=DeadlineKind.QUARTER,
                                      error_messages={"required": "Chưa chọn loại thời gian hoàn thành."})
    deadline_quarter = forms.TypedChoiceField(
        label="Quý", required=False, coerce=int, empty_value=None,
        choices=[("", "—"), *((q, f"Quý {r}") for q, r in ROMAN_QUARTERS.items())],
    )
    deadline_year = forms.IntegerField(
        label="Năm", required=False, min_value=deadlines.MIN_YEAR, max_value=deadlines.MAX_YEAR,
        error_messages={"invalid": "Năm phải là số, ví dụ 2023.",
                        "min_value": f"Năm phải từ {deadlines.MIN_YEAR} trở đi.",
                        "max_value": f"Năm phải đến {deadlines.MAX_YEAR} là cùng."},
    )
    deadline_date = _date_field("Hạn hoàn thành (ngày)", required=False)
    funding = forms.CharField(label="Kinh phí", max_length=500, required=False,
                              widget=forms.TextInput(attrs={"list": "kinh-phi-goi-y"}))
    expected_output = forms.CharField(label="Sản phẩm", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text="Ví dụ: Báo cáo kết quả; Quyết định ban hành quy trình.")
    order = forms.IntegerField(label="Thứ tự", required=False, min_value=1, max_value=10_000,
                               help_text="Để trống: xếp cuối danh sách.")

    def __init__(self, *args, definition: QuestionnaireDef, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.fields["factor_codes"].choices = [(f.code, f"{f.code} — {f.name}") for f in definition.factors]
        factor_names = {f.code: f.name for f in definition.factors}
        grouped: dict[str, list[tuple[str, str]]] = {}
        for criterion in definition.criteria:
            text = " ".join(criterion.text.split())
            grouped.setdefault(criterion.factor, []).append((criterion.code, f"{criterion.code} — {text}"))
        self.fields["criterion_codes"].choices = [
            (f"{code} — {factor_names.get(code, code)}", choices) for code, choices in grouped.items()
        ]
        agencies = Agency.objects.filter(is_active=True).select_related("level").order_by("level__order", "code")
        self.fields["lead_agency"].queryset = agencies
        self.fields["cooperating_agencies"].queryset = agencies
        self.fields["lead_agency"].label_from_instance = _agency_label
        self.fields["cooperating_agencies"].label_from_instance = _agency_label
        self.group_suggestions = [f"Yếu tố: {f.name}" for f in definition.factors]
        self.funding_suggestions = FUNDING_SUGGESTIONS

    @classmethod
    def initial_of(cls, task: PlanTask) -> dict:
        return {
            "group": task.group, "content": task.content, "factor_codes": task.factor_codes,
            "criterion_codes": task.criterion_codes, "lead_agency": task.lead_agency_id,
            "cooperating_agencies": [a.pk for a in task.cooperating_agencies.all()],
            "cooperating_other": task.cooperating_other, "deadline_kind": task.deadline_kind,
            "deadline_quarter": task.deadline_quarter, "deadline_year": task.deadline_year,
            "deadline_date": task.deadline_date if task.deadline_kind == DeadlineKind.DATE else None,
            "funding": task.funding, "expected_output": task.expected_output, "order": task.order,
        }

    def clean(self):
        data = super().clean()
        kind = data.get("deadline_kind")
        if kind:
            deadline = Deadline(kind, quarter=data.get("deadline_quarter"), year=data.get("deadline_year"),
                                date=data.get("deadline_date"))
            try:
                deadline.due  # noqa: B018 — raises on an incomplete deadline
            except DeadlineError as exc:
                field = {DeadlineKind.QUARTER: "deadline_quarter" if deadline.quarter is None else "deadline_year",
                         DeadlineKind.YEAR: "deadline_year", DeadlineKind.DATE: "deadline_date"}.get(kind)
                if field and field not in self.errors:
                    self.add_error(field, str(exc))
            else:
                data["deadline"] = deadline
        if not data.get("group") and len(data.get("factor_codes") or []) == 1:
            # Plans head each group with its factor; default to it when the heading is left blank.
            name = next(f.name for f in self.definition.factors if f.code == data["factor_codes"][0])
            data["group"] = f"Yếu tố: {name}"
        return data

    def task_fields(self) -> TaskFields:
        data = self.cleaned_data
        return TaskFields(
            content=data["content"], lead_agency=data["lead_agency"], deadline=data["deadline"],
            group=data.get("group") or "", factor_codes=tuple(data.get("factor_codes") or ()),
            criterion_codes=tuple(data.get("criterion_codes") or ()),
            cooperating_agencies=tuple(data.get("cooperating_agencies") or ()),
            cooperating_other=data.get("cooperating_other") or "", funding=data.get("funding") or "",
            expected_output=data.get("expected_output") or "", order=data.get("order"),
        )


def _agency_label(agency: Agency) -> str:
    return f"{agency.name} ({agency.code})"


class ProgressForm(forms.Form):
    reported_on = _date_field("Ngày báo cáo")
    status = forms.ChoiceField(label="Tình trạng", choices=TaskStatus.choices,
                               error_messages={"required": "Chưa chọn tình trạng thực hiện."})
    percent = forms.IntegerField(
        label="Tỷ lệ hoàn thành (%)", min_value=0, max_value=100,
        error_messages={"required": "Chưa có tỷ lệ hoàn thành (0–100).",
                        "invalid": "Tỷ lệ hoàn thành phải là số nguyên từ 0 đến 100.",
                        "min_value": "Tỷ lệ hoàn thành không nhỏ hơn 0.",
                        "max_value": "Tỷ lệ hoàn thành không lớn hơn 100."},
    )
    note = forms.CharField(label="Kết quả, khó khăn, kiến nghị", required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))

    @classmethod
    def initial_for(cls, task: PlanTask) -> dict:
        today: dt.date = timezone.localdate()
        return {"reported_on": today, "status": task.status, "percent": task.percent}
