"""Nhập kép pages: the second-entry queue and form, the differences to resolve, agreement rates.

Who may do what is decided in surveys.accounts.access: `second_entry_queue` (another officer than the
first, an agency they may enter for), `can_read_double_entry` (staff and supervisors read the
differences and rates), `resolvable_responses` (staff resolve, never their own entries).
"""
from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from sipas_portal.downloads import serve
from surveys.accounts import access, audit
from surveys.models import Channel, Response, SecondEntry, SurveyRound, Verification
from surveys.questionnaires.definition import QuestionnaireDef
from surveys.responses import double_entry, exports, services
from surveys.responses.forms_entry import ResponseEntryForm
from surveys.responses.importing import RowError
from surveys.responses.views import ENTRY_CAPABILITIES, closed_notice, entry_data, entry_options, visible_round
from surveys.selectors import load_definition

PAGE_SIZE = 50


def _require_reader(user) -> None:
    if not access.can_read_double_entry(user):
        raise PermissionDenied("Bạn không có quyền xem kết quả nhập kép.")


# --------------------------------------------------------------------------- second entry
@login_required
@require_safe
def second_entry_queue(request, code):
    """Phiếu chờ nhập lần hai that this officer may key (never the ones they keyed first)."""
    access.require(request.user, *ENTRY_CAPABILITIES)
    survey_round = visible_round(request, code)
    queue = access.second_entry_queue(request.user, survey_round).order_by("entered_at", "id")
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    waiting_mine = Response.objects.filter(
        round=survey_round, verification=Verification.PENDING, entered_by=request.user
    ).count()
    return render(request, "double_entry/queue.html", {
        "round": survey_round, "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "waiting_mine": waiting_mine, "not_open": closed_notice(survey_round),
        "can_read": access.can_read_double_entry(request.user),
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def second_entry(request, code, pk):
    """The same keyboard form, blind: the serial is given, nothing of the first entry is shown."""
    access.require(request.user, *ENTRY_CAPABILITIES)
    survey_round = visible_round(request, code)
    queue = access.second_entry_queue(request.user, survey_round)
    response = queue.filter(pk=pk).first()
    if response is None:
        own = Response.objects.filter(round=survey_round, pk=pk, entered_by=request.user,
                                      verification=Verification.PENDING).exists()
        if own:
            raise PermissionDenied("Bạn đã nhập lần đầu phiếu này; lần nhập thứ hai phải do một cán bộ khác thực hiện.")
        raise_not_found()
    agencies = access.enterable_agencies(request.user, survey_round)
    options = entry_options(request, survey_round, agencies)
    if request.method == "POST":
        form = ResponseEntryForm(request.POST, fixed_serial=response.ma_phieu, **options)
        if form.is_valid():
            try:
                entry = double_entry.record_second_entry(response=response, row=form.parsed_row(),
                                                         entered_by=request.user)
            except services.ResponseInvalid as exc:
                form.add_row_errors(exc.errors)
            except (services.RoundNotOpen, double_entry.DoubleEntryRefused) as exc:
                form.add_error(None, str(exc))
            else:
                if entry.differences:
                    messages.warning(request, f"Đã lưu lần nhập thứ hai của phiếu {response.ma_phieu}: có "
                                              f"{entry.differences} mục khác lần đầu, phiếu chờ đối chiếu với phiếu giấy.")
                else:
                    messages.success(request, f"Đã lưu lần nhập thứ hai của phiếu {response.ma_phieu}: khớp với lần "
                                              "đầu, phiếu được tính vào chỉ số.")
                return redirect("surveys:second_entry_queue", code=survey_round.code)
    else:
        # The same default channel as the first entry's form; nothing else of the first entry.
        form = ResponseEntryForm(initial={"kenh": Channel.TRUC_TIEP}, fixed_serial=response.ma_phieu, **options)
    form.flag_invalid()
    return render(request, "double_entry/second_entry_form.html", {
        "round": survey_round, "form": form, "response": None, "target": response, "second_entry": True,
        "not_open": closed_notice(survey_round), "entry_data": entry_data(survey_round, form, agencies),
    })


def raise_not_found():

    raise Http404("Không có phiếu này trong danh sách chờ nhập lần hai của bạn.")


# --------------------------------------------------------------------------- differences
def _mismatches(request, survey_round: SurveyRound):
    return (
        access.visible_responses(request.user, survey_round)
        .filter(verification=Verification.MISMATCH)
        .select_related("second_entry__entered_by")
        .order_by("entered_at", "id")
    )


@login_required
@require_safe
def mismatch_list(request, code):
    _require_reader(request.user)
    survey_round = visible_round(request, code)
    page = Paginator(_mismatches(request, survey_round), PAGE_SIZE).get_page(request.GET.get("page"))
    resolvable = set(access.resolvable_responses(request.user, survey_round).filter(
        pk__in=[r.pk for r in page.object_list]).values_list("pk", flat=True))
    counts = {
        state: Response.objects.filter(round=survey_round, verification=state).count()
        for state in (Verification.PENDING, Verification.MISMATCH, Verification.VERIFIED)
    }
    return render(request, "double_entry/mismatch_list.html", {
        "round": survey_round, "page": page, "resolvable": resolvable,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "pending": counts[Verification.PENDING], "mismatch": counts[Verification.MISMATCH],
        "verified": counts[Verification.VERIFIED],
    })


@login_required
@require_safe
def mismatch_list_xlsx(request, code):
    """Every differing item of every questionnaire waiting for resolution, one row each."""
    _require_reader(request.user)
    survey_round = visible_round(request, code)
    definition = load_definition(survey_round.questionnaire)
    download, count = exports.mismatches(survey_round=survey_round, comparisons=(
        _shown_comparison(request.user, double_entry.comparison(response, definition), definition)
        for response in _mismatches(request, survey_round).select_related("agency", "domain", "entered_by")
    ))
    audit.record_download(actor=request.user, action=audit.AuditAction.DOWNLOAD_MISMATCHES, target=survey_round,
                          round_code=survey_round.code, after={"so_dong": count})
    return serve(download)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mismatch_resolve(request, code, pk):
    """The two entries side by side where they differ; a resolver picks, per item, the one that
    matches the paper."""
    _require_reader(request.user)
    survey_round = visible_round(request, code)
    response = get_object_or_404(
        access.visible_responses(request.user, survey_round).select_related("agency", "domain", "entered_by"),
        pk=pk, verification=Verification.MISMATCH,
    )
    can_resolve = access.resolvable_responses(request.user, survey_round).filter(pk=response.pk).exists()
    definition = load_definition(survey_round.questionnaire)
    errors: list[str] = []
    choices: dict[str, str] = {}
    note = ""
    if request.method == "POST":
        if not can_resolve:
            raise PermissionDenied("Bạn không được đối chiếu phiếu này.")
        result = double_entry.comparison(response, definition)
        choices = {d.code: request.POST.get(f"chon_{d.code}", "") for d in result.differences}
        note = request.POST.get("ghi_chu", "")[:2000]
        try:
            double_entry.resolve_mismatch(response=response, choices=choices, resolved_by=request.user, note=note)
        except double_entry.DoubleEntryRefused as exc:
            errors.append(str(exc))
        except services.ResponseInvalid as exc:
            errors.extend(str(RowError(None, e.column, e.message)) for e in exc.errors)
        except services.RoundNotOpen as exc:
            errors.append(str(exc))
        else:
            messages.success(request, f"Đã đối chiếu phiếu {response.ma_phieu}: phiếu được tính vào chỉ số.")
            return redirect("surveys:mismatch_list", code=survey_round.code)
        response.refresh_from_db()
    result = _shown_comparison(request.user, double_entry.comparison(response, definition), definition)
    return render(request, "double_entry/mismatch_resolve.html", {
        "round": survey_round, "response": response, "result": result, "can_resolve": can_resolve,
        "errors": errors, "choices": choices, "note": note,
        "first_by": exports.person_name(response.entered_by, nobody=exports.AUTOMATIC_ENTRY),
        "second_by": exports.person_name(result.entry.entered_by, nobody=exports.AUTOMATIC_ENTRY),
        "second_at": double_entry.local_day(result.entry.entered_at),
        "first_at": double_entry.local_day(response.entered_at),
    })


def _shown_comparison(
    user, result: double_entry.Comparison, definition: QuestionnaireDef
) -> double_entry.Comparison:
    """The differences as this user may read them: a supervisor sees a differing free-text
    answer with its phone numbers, e-mails and ID numbers masked (access.shown_free_text); the
    Sở Nội vụ staff who resolve against the paper see it as keyed."""
    def shown(difference: double_entry.Difference) -> double_entry.Difference:
        question = definition.by_code.get(difference.code)
        if question is None or question.kind != "text":
            return difference
        return dataclasses.replace(
            difference,
            first_text=access.shown_free_text(user, difference.first_text),
            second_text=access.shown_free_text(user, difference.second_text),
        )

    return dataclasses.replace(result, differences=[shown(d) for d in result.differences])


# --------------------------------------------------------------------------- agreement rates
@login_required
@require_safe
def agreement(request, code):
    _require_reader(request.user)
    survey_round = visible_round(request, code)
    definition = load_definition(survey_round.questionnaire)
    questions = double_entry.question_agreement(survey_round, definition)
    return render(request, "double_entry/agreement.html", {
        "round": survey_round, "officers": double_entry.round_agreement(survey_round),
        "questions": [(c, label, total, diff, 100 * (total - diff) / total if total else None)
                      for c, label, total, diff in questions],
        "second_entries": SecondEntry.objects.filter(response__round=survey_round).count(),
    })


@login_required
@require_safe
def agreement_xlsx(request, code):
    _require_reader(request.user)
    survey_round = visible_round(request, code)
    download = exports.agreement(survey_round=survey_round, definition=load_definition(survey_round.questionnaire))
    audit.record_download(actor=request.user, action=audit.AuditAction.DOWNLOAD_AGREEMENT, target=survey_round,
                          round_code=survey_round.code)
    return serve(download)
