"""Dữ liệu phiếu ẩn danh: the page that describes the export and its three downloads.

Who may download which agencies' rows is decided in `surveys.accounts.access.response_data_agency_ids`;
building the files and the audit row are `surveys.responses.exports.export_response_data`.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from surveys.accounts import access
from surveys.responses.exports import (
    MULTI_NOTE,
    TEXT_EXCLUDED_NOTE,
    XLSX_MAX_ROWS,
    ExportSource,
    ExportTooLarge,
    build_layout,
    codebook_rows,
    export_response_data,
)
from surveys.selectors import load_definition


def _scope(request, code):
    """The round (404 unless visible) and the agencies whose rows the user may have (None = all)."""
    access.require(request.user, access.VIEW_ALL_RESULTS, access.VIEW_OWN_RESULTS)
    survey_round = get_object_or_404(access.visible_rounds(request.user), code=code)
    return survey_round, access.response_data_agency_ids(request.user, survey_round)


@login_required
@require_safe
def response_data(request, code):
    survey_round, agency_ids = _scope(request, code)
    definition = load_definition(survey_round.questionnaire)
    layout = build_layout(definition)
    count = ExportSource(survey_round, None if agency_ids is None else frozenset(agency_ids)).count()
    excluded = [q for q in definition.questions if q.code in layout.excluded]
    return render(
        request,
        "surveys/response_data.html",
        {
            "round": survey_round,
            "count": count,
            "scoped": agency_ids is not None,
            "codebook": codebook_rows(layout),
            "excluded": excluded,
            "text_note": TEXT_EXCLUDED_NOTE,
            "multi_note": MULTI_NOTE,
            "xlsx_too_large": count > XLSX_MAX_ROWS,
            "section_title": "Dữ liệu phiếu ẩn danh",
        },
    )


@login_required
@require_safe
def response_data_file(request, code, fmt):
    survey_round, agency_ids = _scope(request, code)
    try:
        export = export_response_data(
            survey_round=survey_round, agency_ids=agency_ids, fmt=fmt,
            definition=load_definition(survey_round.questionnaire), downloaded_by=request.user,
        )
    except ExportTooLarge as exc:
        messages.error(request, str(exc))
        return redirect("surveys:response_data", code=survey_round.code)
    if export.chunks is not None:
        response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
    return FileResponse(export.handle, as_attachment=True, filename=export.filename, content_type=export.content_type)
