"""Trình soạn bộ câu hỏi (/bo-cau-hoi/): list, edit, preview, copy. Sở Nội vụ staff only
(MANAGE_ROUNDS); the rules are in surveys.questionnaires.services."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from surveys.accounts import access
from surveys.models import Factor, Question, Questionnaire, Section, SurveyRound
from surveys.questionnaires import services as bs
from surveys.questionnaires.forms import CopyForm, FactorForm, QuestionForm, QuestionnaireCreateForm, SectionForm
from surveys.questionnaires.paper import gating_notes
from surveys.selectors import load_definition


def _questionnaire(request, qcode: str) -> Questionnaire:
    access.require(request.user, access.MANAGE_ROUNDS)
    return get_object_or_404(Questionnaire, code=qcode)


def _problems(exc: bs.BuilderError) -> str:
    return " ".join(exc.problems)


@login_required
@require_safe
def questionnaire_list(request):
    access.require(request.user, access.MANAGE_ROUNDS)
    questionnaires = list(Questionnaire.objects.prefetch_related("rounds").order_by("code"))
    for q in questionnaires:
        q.lock = bs.lock_reason(q)
        q.n_questions = q.questions.count()
    return render(request, "builder/questionnaire_list.html",
                  {"questionnaires": questionnaires, "form": QuestionnaireCreateForm()})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def questionnaire_create(request):
    access.require(request.user, access.MANAGE_ROUNDS)
    form = QuestionnaireCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire = bs.create_questionnaire(
                code=form.cleaned_data["code"], name=form.cleaned_data["name"], changed_by=request.user
            )
        except bs.BuilderError as exc:
            form.add_error(None, _problems(exc))
        else:
            messages.success(request, f"Đã tạo bộ câu hỏi {questionnaire.code}.")
            return redirect("builder:questionnaire_detail", qcode=questionnaire.code)
    return render(request, "builder/questionnaire_create.html", {"form": form})


@login_required
@require_safe
def questionnaire_detail(request, qcode):
    questionnaire = _questionnaire(request, qcode)
    definition = load_definition(questionnaire)
    sections = list(questionnaire.sections.all())
    questions = list(
        questionnaire.questions.select_related("factor", "condition_question", "section").prefetch_related("options")
    )
    for section in sections:
        section.question_list = [q for q in questions if q.section_id == section.pk]
    return render(request, "builder/questionnaire_detail.html", {
        "questionnaire": questionnaire,
        "lock": bs.lock_reason(questionnaire),
        "sections": sections,
        "factors": list(questionnaire.factors.all()),
        "rounds": SurveyRound.objects.filter(questionnaire=questionnaire).order_by("-year"),
        "problems": bs.problems_of(questionnaire),
        "warnings": bs.completeness_warnings(definition),
        "section_form": SectionForm(prefix="phan-moi"),
        "factor_form": FactorForm(prefix="yeu-to-moi"),
        "copy_form": CopyForm(initial={"new_code": f"{questionnaire.code}-v2"}),
        "n_criteria": len(definition.criteria),
    })


@login_required
@require_safe
def questionnaire_preview(request, qcode):
    """Xem trước như người trả lời thấy: the questions with their inputs, nothing is sent."""
    questionnaire = _questionnaire(request, qcode)
    definition = load_definition(questionnaire)
    notes_after, notes_beside = gating_notes(definition)
    section_of = dict(questionnaire.questions.values_list("code", "section_id"))
    sections = []
    for section in questionnaire.sections.all():
        sections.append({
            "section": section,
            "questions": [
                {"q": q, "options": sorted(q.options.items()), "beside": notes_beside.get(q.code, ""),
                 "after": notes_after.get(q.code, [])}
                for q in definition.questions if section_of.get(q.code) == section.pk
            ],
        })
    return render(request, "builder/preview.html", {"questionnaire": questionnaire, "sections": sections})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def questionnaire_copy(request, qcode):
    questionnaire = _questionnaire(request, qcode)
    form = CopyForm(request.POST or None, initial={"new_code": f"{questionnaire.code}-v2"})
    if request.method == "POST" and form.is_valid():
        try:
            copy = bs.copy_to_new_version(questionnaire=questionnaire, new_code=form.cleaned_data["new_code"],
                                          new_name=form.cleaned_data["new_name"], changed_by=request.user)
        except bs.BuilderError as exc:
            form.add_error(None, _problems(exc))
        else:
            messages.success(request, f"Đã sao chép {questionnaire.code} thành phiên bản mới {copy.code}.")
            return redirect("builder:questionnaire_detail", qcode=copy.code)
    return render(request, "builder/copy.html", {"questionnaire": questionnaire, "form": form})


def _save_or_delete(request, qcode, *, model, form_class, new_prefix: str, noun: str, form_hint: str,
                    save, delete):
    """Thêm, sửa (pk) hoặc xóa (action=delete) one part of a questionnaire (a section, a factor)."""
    questionnaire = _questionnaire(request, qcode)
    pk = request.POST.get("pk")
    part = get_object_or_404(model, pk=pk, questionnaire=questionnaire) if pk else None
    try:
        if part is not None and request.POST.get("action") == "delete":
            delete(part, changed_by=request.user)
            messages.success(request, f"Đã xóa {noun} {part.code}.")
        else:
            form = form_class(request.POST, prefix=None if part else new_prefix)
            if not form.is_valid():
                raise bs.BuilderError(form_hint)
            saved = save(questionnaire, part, changed_by=request.user, **form.cleaned_data)
            messages.success(request, f"Đã lưu {noun} {saved.code}.")
    except bs.BuilderError as exc:
        messages.error(request, _problems(exc))
    return redirect("builder:questionnaire_detail", qcode=questionnaire.code)


@login_required
@require_POST
def section_save(request, qcode):
    return _save_or_delete(
        request, qcode, model=Section, form_class=SectionForm, new_prefix="phan-moi", noun="phần",
        form_hint="Phần: cần mã, tiêu đề và thứ tự là số không âm.",
        save=lambda q, part, **kw: bs.save_section(questionnaire=q, section=part, **kw),
        delete=lambda part, **kw: bs.delete_section(section=part, **kw),
    )


@login_required
@require_POST
def factor_save(request, qcode):
    return _save_or_delete(
        request, qcode, model=Factor, form_class=FactorForm, new_prefix="yeu-to-moi", noun="yếu tố",
        form_hint="Yếu tố: cần mã, tên và thứ tự là số không âm.",
        save=lambda q, part, **kw: bs.save_factor(questionnaire=q, factor=part, **kw),
        delete=lambda part, **kw: bs.delete_factor(factor=part, **kw),
    )


def _question_page(request, questionnaire: Questionnaire, question: Question | None):
    lock = bs.lock_reason(questionnaire)
    if request.method == "POST" and request.POST.get("action") == "delete" and question is not None:
        try:
            bs.delete_question(question=question, changed_by=request.user)
        except bs.BuilderError as exc:
            messages.error(request, _problems(exc))
            return redirect("builder:question_edit", qcode=questionnaire.code, question_id=question.pk)
        messages.success(request, f"Đã xóa câu {question.code}.")
        return redirect("builder:questionnaire_detail", qcode=questionnaire.code)
    if request.method == "POST":
        form = QuestionForm(request.POST, questionnaire=questionnaire, question=question)
        if form.is_valid():
            try:
                saved = bs.save_question(questionnaire=questionnaire, question=question, data=form.to_input(),
                                         changed_by=request.user)
            except bs.BuilderError as exc:
                for problem in exc.problems:
                    form.add_error(None, problem)
            else:
                messages.success(request, f"Đã lưu câu {saved.code}.")
                return redirect("builder:questionnaire_detail", qcode=questionnaire.code)
    else:
        initial = None
        if question is None:
            last = questionnaire.questions.order_by("-order").first()
            initial = {"order": (last.order + 1) if last else 1, "section": last.section_id if last else None}
        form = QuestionForm(questionnaire=questionnaire, question=question,
                            **({"initial": initial} if initial else {}))
    status = 400 if request.method == "POST" else 200
    return render(request, "builder/question_form.html",
                  {"questionnaire": questionnaire, "question": question, "form": form, "lock": lock}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def question_create(request, qcode):
    return _question_page(request, _questionnaire(request, qcode), None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def question_edit(request, qcode, question_id):
    questionnaire = _questionnaire(request, qcode)
    question = get_object_or_404(Question, pk=question_id, questionnaire=questionnaire)
    return _question_page(request, questionnaire, question)
