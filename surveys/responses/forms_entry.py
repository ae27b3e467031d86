"""Forms of the questionnaire (phiếu) pages: the list filter and the entry form.

The entry form's field names are the column codes of the import workbook (interfaces.md §2):
`ma_phieu`, `ma_co_quan`, `ma_linh_vuc`, `kenh`, `ngay_khao_sat`, then one field per question
code (`A1`, `C1.1`, …). A `RowError` from the service therefore lands on the field named by its
column, and the form checks answers with the same `importing.parse_answer` as the import.
"""
from __future__ import annotations

import datetime as dt
import json
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from surveys.models import Agency, Channel, Domain, Questionnaire
from surveys.questionnaires.definition import AnswerValue, GateHint, QuestionDef, QuestionnaireDef, SectionDef
from surveys.responses.importing import ParsedRow, RowError, parse_answer, parse_date
from surveys.selectors import cached_definition

META_FIELDS = ("ma_phieu", "ma_co_quan", "ma_linh_vuc", "kenh", "ngay_khao_sat")
DATE_FORMAT = "%d/%m/%Y"
OPTION_SEPARATOR = " · "


def sentence(message: str) -> str:
    """Service messages start in lower case (they follow “Dòng 3, cột C1.1: …”); on a form
    field they stand alone."""
    return message[:1].upper() + message[1:] if message else message


SectionLayout = SectionDef  # the name the entry, detail and online pages know it by


def questionnaire_sections(questionnaire: Questionnaire) -> list[SectionLayout]:
    """The questionnaire's sections that have questions, with their question codes, in
    questionnaire order: the definition's sections, which the paper form prints too."""
    return [section for section in cached_definition(questionnaire).sections if section.question_codes]


def options_text(question: QuestionDef) -> str:
    """“1 Nam · 2 Nữ”."""
    return OPTION_SEPARATOR.join(f"{value} {label}" for value, label in sorted(question.options.items()))


def answer_text(value: object) -> str:
    """A stored answer (answers_snapshot) or a parsed one as the officer types it: 3, “1;3”, text."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return ";".join(str(v) for v in sorted(value))
    return str(value)


# --------------------------------------------------------------------------- list filter
class ResponseFilterForm(forms.Form):
    """Lọc danh sách phiếu (GET). Unknown values are ignored, never an error page."""

    co_quan = forms.ModelChoiceField(
        queryset=Agency.objects.none(), to_field_name="code", required=False, label="Cơ quan",
        empty_label="Tất cả cơ quan",
    )
    kenh = forms.ChoiceField(choices=[("", "Tất cả các kênh"), *Channel.choices], required=False, label="Kênh")
    q = forms.CharField(required=False, max_length=50, label="Mã phiếu", strip=True)

    def __init__(self, *args, agencies: QuerySet[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["co_quan"].queryset = agencies
        self.fields["q"].widget.attrs.update({"placeholder": "Tìm theo mã phiếu", "autocomplete": "off"})
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control")

    def filters(self) -> dict:
        """The valid filters only (an invalid one is dropped, not reported)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in ("co_quan", "kenh", "q") if data.get(name)}


# --------------------------------------------------------------------------- entry form
SEGREGATION_MESSAGE = (
    "Không nhập được phiếu cho cơ quan %(code)s: theo nguyên tắc phân tách nhiệm vụ, cán bộ không nhập, "
    "sửa phiếu đánh giá cơ quan nơi mình công tác."
)
NOT_ASSIGNED_MESSAGE = "Bạn không được giao nhập phiếu cho cơ quan “%(value)s” trong đợt này."


class AgencyField(forms.ModelChoiceField):
    """The agencies the officer may enter for (access.enterable_agencies); a forged code is
    refused with the reason, the officer's own agency under segregation of duties named as such."""

    def __init__(self, *args, own_agency_code: str | None = None, **kwargs):
        self.own_agency_code = own_agency_code
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Agency) -> str:
        return f"{obj.code} — {obj.name}"

    def to_python(self, value):
        # Typed, not picked: “stp ” is STP.
        value = str(value).strip().upper() if value not in self.empty_values else value
        try:
            return super().to_python(value)
        except ValidationError:
            code = str(value or "").strip().upper()
            if self.own_agency_code and code == self.own_agency_code.upper():
                raise ValidationError(SEGREGATION_MESSAGE, code="segregation", params={"code": code}) from None
            raise


class DomainField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Domain) -> str:
        return f"{obj.code} — {obj.name}"

    def to_python(self, value):
        value = str(value).strip().upper() if value not in self.empty_values else value
        return super().to_python(value)


# On paper-entry keyboards the officer separates several options with a space or a comma as
# readily as with “;”: all three mean the same.
_MULTI_SEPARATORS = re.compile(r"[\s,;]+")


class AnswerField(forms.CharField):
    """One question, keyed as on paper: an option number, “1;3” for several, or text.

    Cleans to the parsed answer (`importing.parse_answer`) or None when left blank.
    """

    def __init__(self, question: QuestionDef, **kwargs):
        self.question = question
        super().__init__(required=False, strip=True, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        if self.question.kind == "multi":
            text = ";".join(p for p in _MULTI_SEPARATORS.split(text) if p)
        answer, message = parse_answer(self.question, text)
        if message:
            raise ValidationError(sentence(message), code="answer")
        return answer


def _question_help(question: QuestionDef, hint: GateHint | None) -> str:
    parts = []
    if question.options and question.kind != "text":
        parts.append(options_text(question))
    if question.kind == "multi":
        limit = f"Chọn tối đa {question.max_choices}, " if question.max_choices else "Chọn nhiều, "
        parts.append(f"{limit}gõ các số cách nhau bởi dấu cách hoặc dấu phẩy (ví dụ 1 3).")
    if hint is not None:
        parts.append(hint.entry)
    if question.kind == "text":
        parts.append("Để trống nếu không có ý kiến.")
    return "\n".join(parts)


class ResponseEntryForm(forms.Form):
    """Nhập hoặc sửa một phiếu giấy."""

    ma_phieu = forms.CharField(
        label="Mã phiếu", max_length=50, strip=True,
        error_messages={"required": "Hãy nhập mã phiếu (số in trên phiếu giấy)."},
    )
    ma_co_quan = AgencyField(
        queryset=Agency.objects.none(), to_field_name="code", label="Cơ quan được đánh giá",
        empty_label="— Chọn cơ quan —",
        error_messages={"required": "Hãy chọn cơ quan được đánh giá.", "invalid_choice": NOT_ASSIGNED_MESSAGE},
    )
    ma_linh_vuc = DomainField(
        queryset=Domain.objects.none(), to_field_name="code", label="Lĩnh vực", empty_label="— Chọn lĩnh vực —",
        help_text="Phải là một lĩnh vực cơ quan đã chọn khảo sát trong đợt.",
        error_messages={"required": "Hãy chọn lĩnh vực.",
                        "invalid_choice": "Lĩnh vực “%(value)s” không có trong đợt này."},
    )
    kenh = forms.ChoiceField(
        label="Kênh thu thập", choices=[("", "— Chọn kênh —"), *Channel.choices],
        error_messages={"required": "Hãy chọn kênh thu thập phiếu.",
                        "invalid_choice": "Kênh “%(value)s” không hợp lệ."},
    )
    ngay_khao_sat = forms.CharField(
        label="Ngày khảo sát", max_length=10, strip=True, help_text="dd/mm/yyyy, ví dụ 05/10/2022.",
        error_messages={"required": "Hãy nhập ngày khảo sát (dd/mm/yyyy)."},
    )

    def __init__(
        self,
        *args,
        definition: QuestionnaireDef,
        sections: list[SectionLayout],
        agencies: QuerySet[Agency],
        domains: QuerySet[Domain],
        own_agency_code: str | None = None,
        fixed_serial: str | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.sections = sections
        self.fixed_serial = fixed_serial
        if fixed_serial is not None:
            # Nhập lần hai: the serial is how the officer found the form; it is not keyed again.
            self.fields["ma_phieu"].disabled = True
            self.fields["ma_phieu"].initial = fixed_serial
        agency_field = self.fields["ma_co_quan"]
        agency_field.queryset = agencies
        agency_field.own_agency_code = own_agency_code
        self.fields["ma_linh_vuc"].queryset = domains
        self.fields["ma_phieu"].widget.attrs.update({"autocomplete": "off", "class": "form-control"})
        self.fields["ngay_khao_sat"].widget.attrs.update(
            {"placeholder": "dd/mm/yyyy", "autocomplete": "off", "inputmode": "numeric", "class": "form-control"}
        )
        # Agency and domain are typed by code (type-ahead from a datalist), the channel picked.
        self.fields["ma_co_quan"].widget = forms.TextInput(attrs={
            "class": "form-control meta-code", "list": "ds-co-quan", "autocomplete": "off",
            "autocapitalize": "characters", "spellcheck": "false", "placeholder": "Gõ mã, ví dụ STP",
        })
        self.fields["ma_linh_vuc"].widget = forms.TextInput(attrs={
            "class": "form-control meta-code", "list": "ds-linh-vuc", "autocomplete": "off",
            "autocapitalize": "characters", "spellcheck": "false", "placeholder": "Gõ mã lĩnh vực",
        })
        self.fields["kenh"].widget.attrs["class"] = "form-select"
        for question in definition.questions:
            self.fields[question.code] = self._answer_field(question, definition.gate_hints.get(question.code))

    @staticmethod
    def _answer_field(question: QuestionDef, hint: GateHint | None) -> AnswerField:
        attrs = {"autocomplete": "off", "class": "form-control", "data-question": question.code}
        if question.condition_question:
            attrs["data-condition-question"] = question.condition_question
            attrs["data-condition-values"] = ";".join(str(v) for v in sorted(question.condition_values))
        if question.kind == "text":
            widget = forms.Textarea(attrs={**attrs, "rows": 3})
        else:
            if question.kind in ("single", "scale"):
                # Option numbers only; a multi-choice answer needs the “;” key, so it keeps the
                # full keyboard on a tablet.
                attrs.update({"inputmode": "numeric", "maxlength": "3", "class": "form-control answer-input"})
            else:
                attrs.update({"maxlength": "40", "class": "form-control answer-input answer-input-multi"})
            widget = forms.TextInput(attrs=attrs)
        return AnswerField(
            question, label=f"{question.code}. {question.text}", help_text=_question_help(question, hint), widget=widget,
        )

    # ---- reading -------------------------------------------------------------------------
    def clean_ngay_khao_sat(self) -> dt.date:
        text = self.cleaned_data["ngay_khao_sat"]
        day = parse_date(text)
        if day is None:
            raise ValidationError("“%(text)s” không phải ngày dạng dd/mm/yyyy.", code="date", params={"text": text})
        return day

    def parsed_row(self) -> ParsedRow:
        data = self.cleaned_data
        answers: dict[str, AnswerValue] = {
            q.code: data[q.code] for q in self.definition.questions if data.get(q.code) is not None
        }
        return ParsedRow(
            row=1,
            ma_phieu=data["ma_phieu"],
            agency_code=data["ma_co_quan"].code,
            domain_code=data["ma_linh_vuc"].code,
            channel=data["kenh"],
            surveyed_on=data["ngay_khao_sat"],
            answers=answers,
        )

    def add_row_errors(self, errors: list[RowError]) -> None:
        """The service's errors on the fields they name; the rest above the form."""
        for error in errors:
            field = error.column if error.column in self.fields else None
            message = sentence(error.message)
            if field is None and error.column:
                message = f"{error.column}: {message}"
            self.add_error(field, message)

    # ---- display -------------------------------------------------------------------------
    def datalist(self, name: str) -> list[tuple[str, str]]:
        """(code, name) of the agencies or domains offered, for the type-ahead lists."""
        return [(obj.code, obj.name) for obj in self.fields[name].queryset]

    def agencies_list(self) -> list[tuple[str, str]]:
        return self.datalist("ma_co_quan")

    def domains_list(self) -> list[tuple[str, str]]:
        return self.datalist("ma_linh_vuc")

    def meta_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in META_FIELDS]

    def question_sections(self) -> list[tuple[SectionLayout, list[forms.BoundField]]]:
        return [(section, [self[code] for code in section.question_codes if code in self.fields])
                for section in self.sections]

    def flag_invalid(self) -> None:
        """Bootstrap's invalid look, the error read out with the field, and the cursor on the
        first field to correct (or on the serial of a fresh form)."""
        invalid = [name for name in self.fields if name in self.errors]
        first = "ma_co_quan" if self.fixed_serial is not None else "ma_phieu"
        focus = invalid[0] if invalid else (first if not self.is_bound else None)
        if focus:
            self.fields[focus].widget.attrs["autofocus"] = True
        for name in invalid:
            widget = self.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            field_id = self[name].auto_id
            described = [f"{field_id}_error"]
            if self.fields[name].help_text:
                described.insert(0, f"{field_id}_helptext")
            widget.attrs["aria-describedby"] = " ".join(described)

    @classmethod
    def initial_from(cls, response, snapshot: dict[str, object]) -> dict[str, str]:
        """The form's initial data for an edit: the stored questionnaire as typed on paper."""
        initial = {
            "ma_phieu": response.ma_phieu,
            "ma_co_quan": response.agency.code,
            "ma_linh_vuc": response.domain.code,
            "kenh": response.channel,
            "ngay_khao_sat": response.surveyed_on.strftime(DATE_FORMAT) if response.surveyed_on else "",
        }
        initial.update({code: answer_text(value) for code, value in snapshot.items()})
        return initial


def entry_definition(definition: QuestionnaireDef) -> list[dict]:
    """The questionnaire as the keyboard entry script reads it (static/js/paper-entry.js):
    options, limits and gates — the same rules surveys.questionnaires.definition applies on the server."""
    return [
        {
            "code": q.code,
            "kind": q.kind,
            "options": sorted(q.options),
            "max": q.max_choices,
            "criterion": q.is_criterion,
            "gate": q.condition_question,
            "gateValues": sorted(q.condition_values),
            "gateText": definition.gate_condition(q.code),
        }
        for q in definition.questions
    ]


def entry_data_json(
    definition: QuestionnaireDef,
    *,
    agency_domains: dict[str, list[str]],
    counts: dict[str, list[int]],
    enforce_quota: bool,
) -> str:
    """The JSON of the entry form's data-entry attribute (no inline script under the CSP)."""
    return json.dumps(
        {"questions": entry_definition(definition), "agencyDomains": agency_domains, "quotas": counts,
         "enforceQuota": enforce_quota},
        ensure_ascii=False, separators=(",", ":"),
    )
