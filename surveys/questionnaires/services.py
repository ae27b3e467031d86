"""Bộ câu hỏi: editing a questionnaire in the browser — sections, factors, questions, options,
gating rules — and copying it to a new version.

Every change is tried inside a transaction, the questionnaire is then read back as a
`QuestionnaireDef` and checked (`check_definition`, and `scoring.check_storable` for the slot
columns); a change that breaks a rule is rolled back whole, with the reasons. A questionnaire is
read-only once a round using it has questionnaires or is closed (`lock_reason`). Section,
factor, question and option rows are audited with before/after values by surveys.accounts.audit's
signals; copies get an explicit audit row.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from surveys.accounts import audit
from surveys.models import (
    Factor,
    Option,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
    RoundStatus,
    Section,
    SurveyRound,
)
from surveys.questionnaires.definition import QuestionnaireDef
from surveys.questionnaires.scoring import check_storable
from surveys.responses.services import copy_questionnaire
from surveys.selectors import load_definition

CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTI)
DEFAULT_SCALE = (
    (1, "Rất không hài lòng"), (2, "Không hài lòng"), (3, "Bình thường"), (4, "Hài lòng"), (5, "Rất hài lòng"),
)


class BuilderError(Exception):
    """A change refused; `problems` say in Vietnamese what is wrong. Nothing was saved."""

    def __init__(self, problems: Sequence[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(self.problems))


# ---- rules (pure) ----------------------------------------------------------------------------

def check_definition(definition: QuestionnaireDef) -> list[str]:
    """Structural rules of a questionnaire, beyond what the database enforces."""
    problems: list[str] = []
    factor_codes = set(definition.factor_codes)
    position = {q.code: i for i, q in enumerate(definition.questions)}
    for q in definition.questions:
        where = f"Câu {q.code}:"
        if q.kind in ("single", "multi", "scale") and not q.options:
            problems.append(f"{where} cần ít nhất một phương án trả lời.")
        if q.kind == "text" and q.options:
            problems.append(f"{where} câu tự trả lời không có phương án.")
        if q.kind == "scale" and q.factor is None:
            problems.append(f"{where} câu thang hài lòng phải gắn với một yếu tố.")
        if q.kind != "scale" and q.factor is not None:
            problems.append(f"{where} chỉ câu thang hài lòng mới gắn với yếu tố.")
        if q.factor is not None and q.factor not in factor_codes:
            problems.append(f"{where} yếu tố {q.factor} không có trong bộ câu hỏi.")
        if q.kind == "multi":
            if not q.max_choices:
                problems.append(f"{where} câu chọn nhiều cần số lựa chọn tối đa.")
            elif q.max_choices > len(q.options):
                problems.append(
                    f"{where} số lựa chọn tối đa ({q.max_choices}) lớn hơn số phương án ({len(q.options)})."
                )
        elif q.max_choices:
            problems.append(f"{where} chỉ câu chọn nhiều mới có số lựa chọn tối đa.")
        if q.condition_question is not None:
            gate = definition.by_code.get(q.condition_question)
            if gate is None:
                problems.append(f"{where} câu điều kiện {q.condition_question} không có.")
            elif gate.kind not in ("single", "multi"):
                problems.append(f"{where} câu điều kiện {gate.code} phải là câu chọn một hoặc chọn nhiều.")
            elif position[gate.code] >= position[q.code]:
                problems.append(f"{where} câu điều kiện {gate.code} phải đứng trước câu này.")
            else:
                missing = sorted(v for v in q.condition_values if v not in gate.options)
                if not q.condition_values:
                    problems.append(f"{where} cần ít nhất một giá trị điều kiện của câu {gate.code}.")
                if missing:
                    problems.append(
                        f"{where} câu {gate.code} không có phương án {', '.join(str(v) for v in missing)}."
                    )
    return problems


def completeness_warnings(definition: QuestionnaireDef) -> list[str]:
    """What a questionnaire still lacks before a round can use it (shown, not blocking edits)."""
    warnings = []
    if not definition.criteria:
        warnings.append("Bộ câu hỏi chưa có câu thang hài lòng gắn với yếu tố (tiêu chí) nào: chưa tính được chỉ số.")
    unused = [f.code for f in definition.factors if not any(q.factor == f.code for q in definition.criteria)]
    if unused:
        warnings.append(f"Yếu tố chưa có tiêu chí: {', '.join(unused)}.")
    return warnings


def lock_reason(questionnaire: Questionnaire) -> str | None:
    """Why the questionnaire may no longer change, or None."""
    used = Response.objects.filter(round__questionnaire=questionnaire).values_list("round__code", flat=True)
    first = used.order_by("round__code").first()
    if first is not None:
        return (
            f"Bộ câu hỏi {questionnaire.code} đã có phiếu trả lời trong đợt {first}: chỉ được xem, không được sửa. "
            "Sao chép thành phiên bản mới để sửa."
        )
    frozen = SurveyRound.objects.filter(
        questionnaire=questionnaire, status__in=(RoundStatus.CLOSED, RoundStatus.PUBLISHED)
    ).order_by("code").first()
    if frozen is not None:
        return (
            f"Bộ câu hỏi {questionnaire.code} thuộc đợt {frozen.code} đã đóng: chỉ được xem, không được sửa. "
            "Sao chép thành phiên bản mới để sửa."
        )
    return None


def ensure_unlocked(questionnaire: Questionnaire) -> None:
    reason = lock_reason(questionnaire)
    if reason:
        raise BuilderError(reason)


def problems_of(questionnaire: Questionnaire) -> list[str]:
    definition = load_definition(questionnaire)
    return check_definition(definition) + check_storable(definition)


def _validate(questionnaire: Questionnaire, before: Sequence[str] = ()) -> None:
    """After a tentative change, inside its transaction: raise (so it all rolls back) if the
    change broke a rule. Problems already there before (`before`) do not block other edits."""
    new = [p for p in problems_of(questionnaire) if p not in set(before)]
    if new:
        raise BuilderError(new)


def _changed(questionnaire: Questionnaire) -> None:
    """A new definition version, in the changing transaction: the next read of the cached
    definition (surveys.selectors.cached_definition) misses and loads the change."""
    questionnaire.definition_version = uuid.uuid4()
    Questionnaire.objects.filter(pk=questionnaire.pk).update(definition_version=questionnaire.definition_version)


# ---- sections and factors --------------------------------------------------------------------

def _clean_code(code: str, what: str) -> str:
    code = (code or "").strip()
    if not code or len(code) > 20 or any(ch.isspace() for ch in code):
        raise BuilderError(f"Mã {what} “{code}” không hợp lệ: cần 1–20 ký tự, không có khoảng trắng.")
    return code


@transaction.atomic
@audit.signal_rows_by("changed_by")
def save_section(
    *, questionnaire: Questionnaire, code: str, title: str, order: int, section: Section | None = None,
    changed_by: AbstractBaseUser | None,
) -> Section:
    """Thêm hoặc sửa phần (A, B, C, D)."""
    ensure_unlocked(questionnaire)
    code = _clean_code(code, "phần")[:10]
    if not (title or "").strip():
        raise BuilderError("Phần cần có tiêu đề.")
    clash = Section.objects.filter(questionnaire=questionnaire, code=code)
    if section is not None:
        clash = clash.exclude(pk=section.pk)
    if clash.exists():
        raise BuilderError(f"Phần {code} đã có trong bộ câu hỏi.")
    section = section or Section(questionnaire=questionnaire)
    section.code, section.title, section.order = code, title.strip(), order
    section.save()
    _changed(questionnaire)
    return section


@transaction.atomic
@audit.signal_rows_by("changed_by")
def delete_section(*, section: Section, changed_by: AbstractBaseUser | None) -> None:
    ensure_unlocked(section.questionnaire)
    if section.questions.exists():
        raise BuilderError(f"Phần {section.code} còn câu hỏi: chuyển hoặc xóa các câu hỏi trước.")
    section.delete()
    _changed(section.questionnaire)


@transaction.atomic
@audit.signal_rows_by("changed_by")
def save_factor(
    *, questionnaire: Questionnaire, code: str, name: str, order: int, factor: Factor | None = None,
    changed_by: AbstractBaseUser | None,
) -> Factor:
    """Thêm hoặc sửa yếu tố (F1…): criteria are the scale questions bound to it."""
    ensure_unlocked(questionnaire)
    before = problems_of(questionnaire)
    code = _clean_code(code, "yếu tố")[:10]
    if not (name or "").strip():
        raise BuilderError("Yếu tố cần có tên.")
    clash = Factor.objects.filter(questionnaire=questionnaire, code=code)
    if factor is not None:
        clash = clash.exclude(pk=factor.pk)
    if clash.exists():
        raise BuilderError(f"Yếu tố {code} đã có trong bộ câu hỏi.")
    factor = factor or Factor(questionnaire=questionnaire)
    factor.code, factor.name, factor.order = code, name.strip(), order
    factor.save()
    _validate(questionnaire, before)
    _changed(questionnaire)
    return factor


@transaction.atomic
@audit.signal_rows_by("changed_by")
def delete_factor(*, factor: Factor, changed_by: AbstractBaseUser | None) -> None:
    ensure_unlocked(factor.questionnaire)
    if factor.criteria.exists():
        raise BuilderError(f"Yếu tố {factor.code} còn tiêu chí: gắn các câu đó sang yếu tố khác trước.")
    factor.delete()
    _changed(factor.questionnaire)


# ---- questions -------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuestionInput:
    """What the question form holds, already parsed."""

    section: Section
    code: str
    text: str
    kind: str
    order: int
    options: tuple[tuple[int, str], ...]
    max_choices: int | None = None
    factor: Factor | None = None
    condition_question: Question | None = None
    condition_values: tuple[int, ...] = ()


@transaction.atomic
@audit.signal_rows_by("changed_by")
def save_question(
    *, questionnaire: Questionnaire, data: QuestionInput, question: Question | None = None,
    changed_by: AbstractBaseUser | None,
) -> Question:
    """Thêm hoặc sửa câu hỏi with its options and gating; checked as a whole questionnaire."""
    ensure_unlocked(questionnaire)
    before = problems_of(questionnaire)
    code = _clean_code(data.code, "câu hỏi")
    if not data.text.strip():
        raise BuilderError(f"Câu {code}: cần nội dung câu hỏi.")
    for obj, what in ((data.section, "phần"), (data.factor, "yếu tố"), (data.condition_question, "câu điều kiện")):
        if obj is not None and obj.questionnaire_id != questionnaire.pk:
            raise BuilderError(f"Câu {code}: {what} không thuộc bộ câu hỏi {questionnaire.code}.")
    if question is not None and data.condition_question is not None and data.condition_question.pk == question.pk:
        raise BuilderError(f"Câu {code}: không thể là điều kiện của chính nó.")
    clash = Question.objects.filter(questionnaire=questionnaire, code=code)
    if question is not None:
        clash = clash.exclude(pk=question.pk)
    if clash.exists():
        raise BuilderError(f"Câu {code} đã có trong bộ câu hỏi.")
    values = [v for v, _ in data.options]
    if len(values) != len(set(values)):
        raise BuilderError(f"Câu {code}: số phương án bị trùng.")
    options = data.options or (DEFAULT_SCALE if data.kind == QuestionKind.SCALE else ())
    question = question or Question(questionnaire=questionnaire)
    question.section = data.section
    question.code = code
    question.text = data.text.strip()
    question.kind = data.kind
    question.order = data.order
    question.max_choices = data.max_choices if data.kind == QuestionKind.MULTI else None
    question.factor = data.factor if data.kind == QuestionKind.SCALE else None
    question.condition_question = data.condition_question
    question.condition_values = sorted(set(data.condition_values)) if data.condition_question else []
    question.save()
    _replace_options(question, options if data.kind != QuestionKind.TEXT else ())
    _validate(questionnaire, before)
    _changed(questionnaire)
    return question


def _replace_options(question: Question, options: Sequence[tuple[int, str]]) -> None:
    """Update options in place (so the trail shows label changes), add new, delete dropped."""
    existing = {o.value: o for o in question.options.all()}
    wanted = dict(options)
    for value, option in existing.items():
        if value not in wanted:
            option.delete()
        elif option.label != wanted[value]:
            option.label = wanted[value]
            option.save()
    for value, label in options:
        if value not in existing:
            Option.objects.create(question=question, value=value, label=label)


@transaction.atomic
@audit.signal_rows_by("changed_by")
def delete_question(*, question: Question, changed_by: AbstractBaseUser | None) -> None:
    questionnaire = question.questionnaire
    ensure_unlocked(questionnaire)
    before = problems_of(questionnaire)
    gated = list(question.gated.values_list("code", flat=True))
    if gated:
        raise BuilderError(f"Câu {question.code} là điều kiện của các câu {', '.join(gated)}: sửa các câu đó trước.")
    question.options.all().delete()
    question.delete()
    _validate(questionnaire, before)
    _changed(questionnaire)


@transaction.atomic
@audit.signal_rows_by("changed_by")
def copy_to_new_version(
    *, questionnaire: Questionnaire, new_code: str, new_name: str = "", changed_by: AbstractBaseUser | None
) -> Questionnaire:
    """Sao chép thành phiên bản mới (editable even when the original is locked)."""
    new_code = (new_code or "").strip()
    if not new_code or len(new_code) > 50 or any(ch.isspace() for ch in new_code):
        raise BuilderError(f"Mã bộ câu hỏi “{new_code}” không hợp lệ: cần 1–50 ký tự, không có khoảng trắng.")
    if Questionnaire.objects.filter(code=new_code).exists():
        raise BuilderError(f"Mã bộ câu hỏi “{new_code}” đã có; chọn mã khác.")
    copy = copy_questionnaire(questionnaire=questionnaire, new_code=new_code, new_name=new_name.strip() or None)
    audit.record(action=audit.AuditAction.QUESTIONNAIRE_COPIED, target=copy, actor=changed_by,
                 after={"tu": questionnaire.code, "ma_moi": new_code}, note=f"Sao chép từ {questionnaire.code}")
    return copy


@transaction.atomic
@audit.signal_rows_by("changed_by")
def create_questionnaire(*, code: str, name: str, changed_by: AbstractBaseUser | None) -> Questionnaire:
    """Bộ câu hỏi trống (sections, factors and questions are added afterwards)."""
    code = (code or "").strip()
    if not code or len(code) > 50 or any(ch.isspace() for ch in code):
        raise BuilderError(f"Mã bộ câu hỏi “{code}” không hợp lệ: cần 1–50 ký tự, không có khoảng trắng.")
    if Questionnaire.objects.filter(code=code).exists():
        raise BuilderError(f"Mã bộ câu hỏi “{code}” đã có; chọn mã khác.")
    if not (name or "").strip():
        raise BuilderError("Bộ câu hỏi cần có tên.")
    return Questionnaire.objects.create(code=code, name=name.strip())
