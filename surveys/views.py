from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from . import selectors, services
from .forms import ImportWorkbookForm

MAX_ERRORS_SHOWN = 500


@login_required
@require_safe
def round_list(request):
    return render(request, "surveys/round_list.html", {"rounds": selectors.round_list()})


@login_required
@require_safe
def round_overview(request, code):
    survey_round = get_object_or_404(selectors.rounds(), code=code)
    rows = selectors.round_progress(survey_round)
    return render(
        request,
        "surveys/round_overview.html",
        {"round": survey_round, "rows": rows, "levels": selectors.level_progress(rows)},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def round_import(request, code):
    survey_round = get_object_or_404(selectors.rounds(), code=code)
    errors = []
    not_open = None
    if request.method == "POST":
        form = ImportWorkbookForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                outcome = services.import_responses(
                    survey_round=survey_round, source=form.cleaned_data["workbook"], entered_by=request.user
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
        },
    )
