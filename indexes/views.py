"""The index table, its downloads and the recompute button. Scoping comes from surveys.accounts.access
only: every view reads results through `selectors.round_results` with the user's
`result_agency_ids`, so the page and both downloads always show the same rows."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from sipas_portal.downloads import serve
from surveys.accounts import access

from . import selectors, services
from .explain import MAX_LISTED, explain
from .exports import index_json_file, index_xlsx


def _results_scope(request, code):
    """The round (404 unless visible to the user) and the agencies whose results the user may
    read (None = all); 403 for a user who may read no results at all."""
    access.require(request.user, access.VIEW_ALL_RESULTS, access.VIEW_OWN_RESULTS)
    survey_round = get_object_or_404(access.visible_rounds(request.user), code=code)
    return survey_round, access.result_agency_ids(request.user, survey_round)


@login_required
@require_safe
def round_indexes(request, code):
    survey_round, agency_ids = _results_scope(request, code)
    return render(
        request,
        "indexes/round_indexes.html",
        {
            "round": survey_round,
            "table": selectors.index_table(survey_round, agency_ids=agency_ids),
            "scoped": agency_ids is not None,
            "can_recompute": access.can(request.user, access.RECOMPUTE),
        },
    )


@login_required
@require_safe
def round_indexes_json(request, code):
    survey_round, agency_ids = _results_scope(request, code)
    return serve(index_json_file(survey_round, agency_ids=agency_ids))


@login_required
@require_safe
def round_indexes_xlsx(request, code):
    survey_round, agency_ids = _results_scope(request, code)
    return serve(index_xlsx(survey_round, agency_ids=agency_ids))


@login_required
@require_POST
def round_recompute(request, code):
    """Tính lại chỉ số ngay (synchronously) and go back to the index table."""
    access.require(request.user, access.RECOMPUTE)
    survey_round = get_object_or_404(access.visible_rounds(request.user), code=code)
    services.recompute_round(round_id=survey_round.pk, force=True)
    messages.success(request, f"Đã tính lại chỉ số của đợt {survey_round.code}.")
    if access.can_see_results(request.user):
        return redirect("indexes:round_indexes", code=survey_round.code)
    return redirect("surveys:round_overview", code=survey_round.code)


@login_required
@require_safe
def round_explain(request, code, scope, scope_code=""):
    """Cách tính: the sums behind one scope's indexes (supervisors and result readers)."""
    survey_round, agency_ids = _results_scope(request, code)
    result = get_object_or_404(
        selectors.round_results(survey_round, agency_ids=agency_ids), scope=scope, code=scope_code
    )
    return render(
        request,
        "indexes/round_explain.html",
        {"round": survey_round, "x": explain(survey_round, result), "max_listed": MAX_LISTED},
    )
