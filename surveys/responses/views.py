"""Questionnaire (phiếu) pages of a round: list, XLSX download, detail, entry and edit.

Scoping is decided in `surveys.accounts.access` only: the round comes from `visible_rounds`, the list and
the detail from `visible_responses`, the agencies offered from `enterable_agencies`, and an edit
needs the questionnaire in `editable_responses`. A questionnaire outside the user's scope is a
404 (its existence is not revealed); a page the user's role has nothing to do with is a 403.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sipas_portal.downloads import serve
from surveys.accounts import access, audit
from surveys.models import Agency, Channel, Domain, Response, RoundAgencyDomain, SurveyRound, Verification
from surveys.questionnaires.definition import QuestionDef, applies
from surveys.responses import exports, services
from surveys.responses.answers import answers_snapshot
from surveys.responses.forms_entry import (
    ResponseEntryForm,
    ResponseFilterForm,
    entry_data_json,
    questionnaire_sections,
)
from surveys.selectors import load_definition

PAGE_SIZE = 50
# Who has any business with questionnaires: supervisors read them, entry officers key them.
READ_CAPABILITIES = (access.SUPERVISE, access.ENTER_RESPONSES, access.ENTER_ANY_AGENCY)
ENTRY_CAPABILITIES = (access.ENTER_RESPONSES, access.ENTER_ANY_AGENCY)
NOT_APPLICABLE = "không áp dụng"


def visible_round(request, code: str) -> SurveyRound:
    """The round of `code` if the user has anything to do with it (else 404)."""
    return get_object_or_404(access.visible_rounds(request.user), code=code)


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment) if moment else None


# --------------------------------------------------------------------------- list
def _filtered(request, survey_round: SurveyRound) -> tuple[ResponseFilterForm, QuerySet[Response], dict]:
    visible = access.visible_responses(request.user, survey_round)
    agencies = Agency.objects.filter(pk__in=visible.order_by().values("agency_id")).order_by("code")
    form = ResponseFilterForm(request.GET or None, agencies=agencies)
    filters = form.filters()
    qs = visible
    if "co_quan" in filters:
        qs = qs.filter(agency=filters["co_quan"])
    if "kenh" in filters:
        qs = qs.filter(channel=filters["kenh"])
    if "q" in filters:
        qs = qs.filter(ma_phieu__icontains=filters["q"])
    if request.GET.get("cua_toi") == "1":  # “Phiếu tôi đã nhập”
        qs = qs.filter(entered_by=request.user)
        filters = {**filters, "cua_toi": "1"}
    return form, qs, filters


def _filter_query(filters: dict) -> str:
    params = {k: (v.code if isinstance(v, Agency) else v) for k, v in filters.items() if k != "cua_toi"}
    if filters.get("cua_toi"):
        params["cua_toi"] = "1"
    return urlencode(params)


@login_required
@require_safe
def response_list(request, code):
    access.require(request.user, *READ_CAPABILITIES)
    survey_round = visible_round(request, code)
    form, qs, filters = _filtered(request, survey_round)
    page = Paginator(qs.order_by("-entered_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "responses/response_list.html",
        {
            "round": survey_round,
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "filtered": bool(filters),
            "filter_query": _filter_query(filters),
            "can_enter": access.enterable_agencies(request.user, survey_round).exists(),
            "section_title": "Phiếu khảo sát",
        },
    )


@login_required
@require_safe
def response_list_xlsx(request, code):
    """The visible (and filtered) questionnaires as the import workbook (exports.questionnaire_list).
    Free-text answers are as `access.shown_free_text` lets this user read them: outside Sở Nội
    vụ staff, with phone numbers, e-mails and ID numbers masked; those this user may still key a
    second time (access.blind_to_first_entry) have no answers."""
    access.require(request.user, *READ_CAPABILITIES)
    survey_round = visible_round(request, code)
    _form, qs, filters = _filtered(request, survey_round)
    download, count = exports.questionnaire_list(
        survey_round=survey_round, definition=load_definition(survey_round.questionnaire), responses=qs,
        blind_ids=set(access.blind_to_first_entry(request.user, survey_round).values_list("pk", flat=True)),
        shown_text=functools.partial(access.shown_free_text, request.user),
    )
    audit.record_download(actor=request.user, action=audit.AuditAction.DOWNLOAD_RESPONSES, target=survey_round, round_code=survey_round.code,
                          after={"so_phieu": count, "bo_loc": _filter_query(filters)})
    return serve(download)


# --------------------------------------------------------------------------- detail
@dataclass
class AnswerLine:
    code: str
    text: str
    kind: str
    values: list[str]  # each chosen option as “3 — Bình thường”, or the text
    applicable: bool
    condition: str


def _answer_lines(question: QuestionDef, value: object, answers: dict, user, condition: str) -> AnswerLine:
    applicable = applies(question, answers)
    if value is None or value == "":
        shown: list[str] = []
    elif question.kind == "text":
        shown = [access.shown_free_text(user, str(value))]
    else:
        chosen = value if isinstance(value, list) else [value]
        shown = [
            f"{v} — {question.options[v]}" if v in question.options else f"{v} (không có trong bộ câu hỏi)"
            for v in chosen
        ]
    return AnswerLine(
        code=question.code, text=question.text, kind=question.kind, values=shown, applicable=applicable,
        condition=condition,
    )


@login_required
@require_safe
def response_detail(request, code, pk):
    access.require(request.user, *READ_CAPABILITIES)
    survey_round = visible_round(request, code)
    response = get_object_or_404(access.visible_responses(request.user, survey_round), pk=pk)
    definition = load_definition(survey_round.questionnaire)
    # Nhập kép is blind: whoever may still key this questionnaire a second time does not see
    # the first entry's answers here.
    blind = access.blind_to_first_entry(request.user, survey_round).filter(pk=response.pk).exists()
    snapshot = {} if blind else answers_snapshot(response)
    answers = {k: frozenset(v) if isinstance(v, list) else v for k, v in snapshot.items()}
    sections = [] if blind else [
        (section, [_answer_lines(definition.by_code[c], snapshot.get(c), answers, request.user,
                                 definition.gate_condition(c))
                   for c in section.question_codes if c in definition.by_code])
        for section in questionnaire_sections(survey_round.questionnaire)
    ]
    return render(
        request,
        "responses/response_detail.html",
        {
            "round": survey_round,
            "response": response,
            "sections": sections,
            "entered_at": _local(response.entered_at),
            "updated_at": _local(response.updated_at),
            "entered_by": exports.person_name(response.entered_by),
            "can_edit": access.editable_responses(request.user, survey_round).filter(pk=response.pk).exists(),
            "can_audit": access.can(request.user, access.SUPERVISE),
            "not_applicable": NOT_APPLICABLE,
            "flags": list(response.flags.all()) if access.can_review_flags(request.user) else [],
            "blind": blind,
            "text_masked": not access.sees_free_text_unmasked(request.user),
        },
    )


# --------------------------------------------------------------------------- entry and edit
def _round_domains(survey_round: SurveyRound) -> QuerySet[Domain]:
    return Domain.objects.filter(
        pk__in=RoundAgencyDomain.objects.filter(round=survey_round).values("domain_id")
    ).order_by("code")


def _own_agency_code(user, survey_round: SurveyRound) -> str | None:
    """The officer's own agency when segregation of duties keeps it out of their list; only used
    to explain a refusal (access.enterable_agencies has already decided)."""
    officer = access.officer_of(user)
    if survey_round.segregate_duties and officer is not None and officer.agency_id is not None:
        return officer.agency.code
    return None


def closed_notice(survey_round: SurveyRound) -> str | None:
    """Why questionnaires cannot be keyed in the round now (None while it collects)."""
    try:
        services.ensure_collecting(survey_round)
    except services.RoundNotOpen as exc:
        return str(exc)
    return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def response_create(request, code):
    access.require(request.user, *ENTRY_CAPABILITIES)
    survey_round = visible_round(request, code)
    agencies = access.enterable_agencies(request.user, survey_round)
    if not agencies.exists():
        raise PermissionDenied("Bạn không được giao nhập phiếu cho cơ quan nào trong đợt này.")
    return _entry_page(request, survey_round, agencies, response=None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def response_edit(request, code, pk):
    access.require(request.user, *ENTRY_CAPABILITIES)
    survey_round = visible_round(request, code)
    response = get_object_or_404(access.visible_responses(request.user, survey_round), pk=pk)
    if not access.editable_responses(request.user, survey_round).filter(pk=response.pk).exists():
        if access.blind_to_first_entry(request.user, survey_round).filter(pk=response.pk).exists():
            raise PermissionDenied(
                f"Phiếu {response.ma_phieu} đang chờ nhập lần hai và bạn có thể là người nhập lần hai: "
                "không mở lần nhập đầu để sửa. Hãy nhập lần hai tại mục “Nhập lần hai”."
            )
        raise PermissionDenied("Bạn không được sửa phiếu này.")
    agencies = access.enterable_agencies(request.user, survey_round)
    return _entry_page(request, survey_round, agencies, response=response)


CONTINUE_FIELDS = ("ma_co_quan", "ma_linh_vuc", "kenh", "ngay_khao_sat")


def quota_counts(survey_round: SurveyRound, agencies: QuerySet[Agency]) -> tuple[dict[str, list[str]], dict[str, list[int]]]:
    """For the agencies offered: their domains, and per “AGENCY/DOMAIN” [received, quota]
    (one grouped, indexed count), for the running count beside the form."""
    plans = list(
        RoundAgencyDomain.objects.filter(round=survey_round, agency__in=agencies)
        .order_by("agency__code", "domain__code")
        .values_list("agency_id", "agency__code", "domain_id", "domain__code", "quota")
    )
    received = {
        (row["agency_id"], row["domain_id"]): row["n"]
        for row in Response.objects.filter(round=survey_round, agency__in=agencies)
        .order_by().values("agency_id", "domain_id").annotate(n=Count("id"))
    }
    domains: dict[str, list[str]] = {}
    counts: dict[str, list[int]] = {}
    for agency_id, agency_code, domain_id, domain_code, quota in plans:
        domains.setdefault(agency_code, []).append(domain_code)
        counts[f"{agency_code}/{domain_code}"] = [received.get((agency_id, domain_id), 0), quota]
    return domains, counts


def entry_options(request, survey_round: SurveyRound, agencies: QuerySet[Agency]) -> dict:
    """What the keyboard entry form is built from (first and second entry alike)."""
    questionnaire = survey_round.questionnaire
    return {
        "definition": load_definition(questionnaire),
        "sections": questionnaire_sections(questionnaire),
        "agencies": agencies,
        "domains": _round_domains(survey_round),
        "own_agency_code": _own_agency_code(request.user, survey_round),
    }


def entry_data(survey_round: SurveyRound, form: ResponseEntryForm, agencies: QuerySet[Agency]) -> str:
    domains, counts = quota_counts(survey_round, agencies)
    return entry_data_json(form.definition, agency_domains=domains, counts=counts,
                           enforce_quota=survey_round.enforce_quota)


def _double_entry_note(saved: Response, *, checked_before: bool) -> str:
    if saved.verification == Verification.PENDING:
        return " Phiếu được chọn để nhập lần hai (nhập kép)."
    if saved.verification == Verification.MISMATCH and checked_before:
        return (" Phiếu đã qua nhập kép nên phải được cán bộ Sở Nội vụ đối chiếu lại với phiếu giấy; "
                "chưa tính vào chỉ số cho đến khi đối chiếu xong.")
    return ""


def _entry_page(request, survey_round: SurveyRound, agencies: QuerySet[Agency], *, response: Response | None):
    options = entry_options(request, survey_round, agencies)
    if request.method == "POST":
        form = ResponseEntryForm(request.POST, **options)
        if form.is_valid():
            row = form.parsed_row()
            checked_before = response is not None and response.verification == Verification.VERIFIED
            try:
                if response is None:
                    saved = services.record_response(survey_round=survey_round, row=row, entered_by=request.user,
                                                     definition=form.definition)
                else:
                    saved = services.update_response(response=response, row=row, edited_by=request.user,
                                                     definition=form.definition)
            except services.ResponseInvalid as exc:
                form.add_row_errors(exc.errors)
            except services.RoundNotOpen as exc:
                form.add_error(None, str(exc))
            else:
                note = _double_entry_note(saved, checked_before=checked_before)
                messages.success(request, f"Đã lưu phiếu {saved.ma_phieu}.{note}", extra_tags="entry-saved")
                if response is None and "luu_tiep" in request.POST:
                    keep = {name: request.POST.get(name, "") for name in CONTINUE_FIELDS}
                    return redirect(f"{reverse('surveys:response_create', args=[survey_round.code])}?{urlencode(keep)}")
                return redirect("surveys:response_detail", code=survey_round.code, pk=saved.pk)
    elif response is not None:
        form = ResponseEntryForm(
            initial=ResponseEntryForm.initial_from(response, answers_snapshot(response)), **options
        )
    else:
        # “Lưu và nhập phiếu tiếp” keeps the agency, domain, channel and date of the batch; a
        # paper form is most often handed out at the desk.
        initial = {"kenh": Channel.TRUC_TIEP}
        initial.update({name: request.GET[name] for name in CONTINUE_FIELDS if request.GET.get(name)})
        form = ResponseEntryForm(initial=initial, **options)
    form.flag_invalid()
    return render(
        request,
        "responses/response_form.html",
        {
            "round": survey_round,
            "form": form,
            "response": response,
            "not_open": closed_notice(survey_round),
            "entry_data": entry_data(survey_round, form, agencies),
            "second_entry": False,
        },
    )


# --------------------------------------------------------------------------- my questionnaires
@login_required
@require_safe
def my_responses(request, code):
    """Phiếu tôi đã nhập: the officer's own questionnaires, newest first, with edit while the
    round is open (access.editable_responses decides which)."""
    access.require(request.user, *ENTRY_CAPABILITIES)
    survey_round = visible_round(request, code)
    mine = access.visible_responses(request.user, survey_round).filter(entered_by=request.user)
    page = Paginator(
        mine.annotate(n_flags=Count("flags")).order_by("-entered_at", "-id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    open_round = closed_notice(survey_round) is None
    editable = set(
        access.editable_responses(request.user, survey_round).filter(pk__in=[r.pk for r in page.object_list])
        .values_list("pk", flat=True)
    ) if open_round else set()
    return render(
        request,
        "responses/my_responses.html",
        {
            "round": survey_round,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "editable": editable,
            "total": mine.count(),
            "can_enter": access.enterable_agencies(request.user, survey_round).exists(),
            "second_entry_waiting": access.second_entry_queue(request.user, survey_round).count(),
        },
    )
