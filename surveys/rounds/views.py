"""Round list, round overview and workbook import. Who sees what is decided in surveys.accounts.access
only: these views ask it, they never look at roles."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from sipas_portal.downloads import serve
from surveys import selectors
from surveys.accounts import access
from surveys.responses import services
from surveys.responses.forms import ImportWorkbookForm
from surveys.responses.uploads import ImportSizeLimitHandler
from surveys.rounds import exports

MAX_ERRORS_SHOWN = 500


def _actions(user) -> dict[str, bool]:
    """What the buttons of a round page may offer."""
    return {
        "results": access.can_see_results(user),
        "enter": access.can(user, access.ENTER_RESPONSES) or access.can(user, access.ENTER_ANY_AGENCY),
        "recompute": access.can(user, access.RECOMPUTE),
        "responses": access.can(user, access.ENTER_RESPONSES) or access.can(user, access.SUPERVISE),
    }


@login_required
@require_safe
def round_list(request):
    visible = access.visible_rounds(request.user).values("pk")
    return render(
        request,
        "surveys/round_list.html",
        {"rounds": selectors.round_list().filter(pk__in=visible)},
    )


def progress_agency_ids(user, survey_round) -> set[int] | None:
    """Agencies whose collection progress the user sees (None = all): those whose results they
    may read, plus those they may key questionnaires for."""
    ids: set[int] | None = set()
    if access.can_see_results(user):
        ids = access.result_agency_ids(user, survey_round)
    if ids is not None:
        ids |= set(access.enterable_agencies(user, survey_round).values_list("pk", flat=True))
    return ids


def _progress(request, code):
    """The round and its progress rows, limited to what the user may see."""
    survey_round = get_object_or_404(access.visible_rounds(request.user), code=code)
    rows = selectors.round_progress(survey_round)
    agency_ids = progress_agency_ids(request.user, survey_round)
    if agency_ids is not None:
        rows = [row for row in rows if row["agency"].pk in agency_ids]
    return survey_round, rows, agency_ids


@login_required
@require_safe
def round_overview(request, code):
    survey_round, rows, agency_ids = _progress(request, code)
    return render(
        request,
        "surveys/round_overview.html",
        {
            "round": survey_round,
            "rows": rows,
            "levels": selectors.level_progress(rows),
            "scoped": agency_ids is not None,
            "actions": _actions(request.user),
        },
    )


@csrf_exempt
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def round_import(request, code):
    """Nhập bảng tính. The size-limiting upload handler must be installed before the CSRF check
    reads request.POST, hence csrf_exempt here and csrf_protect on the inner view."""
    access.require(request.user, access.ENTER_RESPONSES, access.ENTER_ANY_AGENCY)
    limiter = ImportSizeLimitHandler(request)
    request.upload_handlers.insert(0, limiter)
    return _round_import(request, code, limiter)


@csrf_protect
def _round_import(request, code, limiter: ImportSizeLimitHandler):
    survey_round = get_object_or_404(access.visible_rounds(request.user), code=code)
    allowed = allowed_import_agencies(request.user, survey_round)
    errors = []
    not_open = None
    if request.method == "POST":
        data, files = request.POST, request.FILES  # parses the body: only now is `exceeded` known
        too_large = (limiter.approximate_size or 0) if limiter.exceeded else None
        form = ImportWorkbookForm(data, files, upload_too_large=too_large)
        if form.is_valid():
            try:
                outcome = services.import_responses(
                    survey_round=survey_round,
                    source=form.cleaned_data["workbook"],
                    entered_by=request.user,
                    allowed_agencies=allowed,
                )
            except services.RoundNotOpen as exc:
                not_open = str(exc)
            else:
                if outcome.ok:
                    messages.success(request, f"Đã nhập {outcome.saved} phiếu.")
                    return redirect("surveys:round_overview", code=survey_round.code)
                errors = outcome.errors
    else:
        form = ImportWorkbookForm()
        try:
            services.ensure_collecting(survey_round)
        except services.RoundNotOpen as exc:
            not_open = str(exc)
    return render(
        request,
        "surveys/round_import.html",
        {
            "round": survey_round,
            "form": form,
            "errors": errors[:MAX_ERRORS_SHOWN],
            # Whole-file problems (not a workbook, no sheet "Phieu") read better as a sentence.
            "file_errors": [e for e in errors if e.row is None and not e.column],
            "cell_errors": [e for e in errors if e.row is not None or e.column][:MAX_ERRORS_SHOWN],
            "error_count": len(errors),
            "errors_hidden": max(0, len(errors) - MAX_ERRORS_SHOWN),
            "not_open": not_open,
            "allowed_agencies": None if allowed is None else sorted(allowed),
        },
    )


def allowed_import_agencies(user, survey_round) -> set[str] | None:
    """Agency codes the user may import rows about; None = any agency of the round."""
    if access.can(user, access.ENTER_ANY_AGENCY):
        return None
    return set(access.enterable_agencies(user, survey_round).values_list("code", flat=True))


@login_required
@require_safe
def round_template(request, code):
    """Tải mẫu bảng tính nhập phiếu của đợt (interfaces.md §2)."""
    access.require(request.user, access.ENTER_RESPONSES, access.ENTER_ANY_AGENCY, access.MANAGE_ROUNDS)
    survey_round = get_object_or_404(access.visible_rounds(request.user), code=code)
    return serve(exports.entry_template(survey_round))


@login_required
@require_safe
def round_progress_xlsx(request, code):
    """Tải bảng tiến độ thu phiếu (the overview's two tables) as XLSX."""
    survey_round, rows, _ = _progress(request, code)
    return serve(exports.progress_workbook(survey_round, rows))
