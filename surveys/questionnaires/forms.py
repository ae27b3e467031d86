"""Forms of the questionnaire builder. Options are typed one per line (“1. Nam”, or just
“Nam” to number them in order) so a whole question is keyed without the mouse."""
from __future__ import annotations

import re

from django import forms

from surveys.models import Factor, Question, QuestionKind, Questionnaire, Section
from surveys.questionnaires.services import QuestionInput

OPTION_LINE = re.compile(r"^\s*(\d{1,3})\s*[.)|:-]\s*(.+?)\s*$")


def parse_options(text: str) -> tuple[tuple[tuple[int, str], ...], list[str]]:
    """Lines “số. nội dung” (or only “nội dung”: numbered after the previous one)."""
    options: list[tuple[int, str]] = []
    errors: list[str] = []
    last = 0
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = OPTION_LINE.match(line)
        if match:
            value, label = int(match.group(1)), match.group(2)
        else:
            value, label = last + 1, line.strip()
        if value < 1:
            errors.append(f"Dòng {number}: số phương án phải từ 1 trở lên.")
        if len(label) > 255:
            errors.append(f"Dòng {number}: nội dung phương án dài quá 255 ký tự.")
        options.append((value, label))
        last = value
    return tuple(options), errors


def parse_values(text: str) -> tuple[tuple[int, ...], list[str]]:
    """“1” or “1;3” or “1, 3” → (1, 3)."""
    values: list[int] = []
    errors: list[str] = []
    for part in re.split(r"[;,\s]+", (text or "").strip()):
        if not part:
            continue
        if part.isdigit():
            values.append(int(part))
        else:
            errors.append(f"“{part}” không phải số phương án.")
    return tuple(values), errors


def options_text(question: Question) -> str:
    return "\n".join(f"{o.value}. {o.label}" for o in question.options.all())


class QuestionnaireCreateForm(forms.Form):
    code = forms.CharField(label="Mã bộ câu hỏi", max_length=50)
    name = forms.CharField(label="Tên", max_length=255)


class CopyForm(forms.Form):
    new_code = forms.CharField(label="Mã phiên bản mới", max_length=50)
    new_name = forms.CharField(label="Tên phiên bản mới", max_length=255, required=False)


class SectionForm(forms.Form):
    code = forms.CharField(label="Mã phần", max_length=10)
    title = forms.CharField(label="Tiêu đề", max_length=255)
    order = forms.IntegerField(label="Thứ tự", min_value=0, max_value=32000, initial=0)


class FactorForm(forms.Form):
    code = forms.CharField(label="Mã yếu tố", max_length=10)
    name = forms.CharField(label="Tên yếu tố", max_length=255)
    order = forms.IntegerField(label="Thứ tự", min_value=0, max_value=32000, initial=0)


class QuestionForm(forms.Form):
    section = forms.ModelChoiceField(label="Phần", queryset=Section.objects.none())
    code = forms.CharField(label="Mã câu hỏi", max_length=20, help_text="Ví dụ A1, C1.2.")
    text = forms.CharField(label="Nội dung câu hỏi", widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label="Loại câu hỏi", choices=QuestionKind.choices)
    order = forms.IntegerField(label="Thứ tự", min_value=0, max_value=32000, initial=0)
    options = forms.CharField(
        label="Phương án (mỗi dòng một phương án: “1. Nam”)", required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Câu thang hài lòng để trống sẽ dùng thang 1–5 (Rất không hài lòng … Rất hài lòng). Câu tự trả lời không có phương án.",
    )
    max_choices = forms.IntegerField(label="Số lựa chọn tối đa (câu chọn nhiều)", min_value=1, max_value=99, required=False)
    factor = forms.ModelChoiceField(label="Yếu tố (câu thang hài lòng = tiêu chí)", queryset=Factor.objects.none(),
                                    required=False)
    condition_question = forms.ModelChoiceField(label="Chỉ hỏi khi câu", queryset=Question.objects.none(), required=False)
    condition_values = forms.CharField(label="… có phương án (ví dụ 1 hoặc 1;2)", max_length=100, required=False)

    def __init__(self, *args, questionnaire: Questionnaire, question: Question | None = None, **kwargs):
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "section": question.section_id, "code": question.code, "text": question.text, "kind": question.kind,
                "order": question.order, "options": options_text(question), "max_choices": question.max_choices,
                "factor": question.factor_id, "condition_question": question.condition_question_id,
                "condition_values": ";".join(str(v) for v in question.condition_values or []),
            }
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = questionnaire.sections.all()
        self.fields["factor"].queryset = questionnaire.factors.all()
        gates = questionnaire.questions.filter(kind__in=(QuestionKind.SINGLE, QuestionKind.MULTI))
        if question is not None:
            gates = gates.exclude(pk=question.pk)
        self.fields["condition_question"].queryset = gates
        self.fields["condition_question"].label_from_instance = lambda q: f"{q.code} — {q.text[:60]}"

    def clean(self):
        data = super().clean()
        options, errors = parse_options(data.get("options", ""))
        for error in errors:
            self.add_error("options", error)
        values, errors = parse_values(data.get("condition_values", ""))
        for error in errors:
            self.add_error("condition_values", error)
        if data.get("condition_question") and not values:
            self.add_error("condition_values", "Cần ít nhất một số phương án của câu điều kiện.")
        data["parsed_options"], data["parsed_values"] = options, values
        return data

    def to_input(self) -> QuestionInput:
        data = self.cleaned_data
        return QuestionInput(
            section=data["section"], code=data["code"], text=data["text"], kind=data["kind"], order=data["order"],
            options=data["parsed_options"], max_choices=data.get("max_choices"), factor=data.get("factor"),
            condition_question=data.get("condition_question"), condition_values=data["parsed_values"],
        )
