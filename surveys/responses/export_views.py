"""Dữ liệu phiếu ẩn danh: the page that describes the export and its three downloads.

Who may download which agencies' rows is decided in `surveys.accounts.access.response_data_agency_ids`;
building the files is `surveys.responses.exports.response_data_export`; the view records the download
(one audit row per file) and serves it.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from sipas_portal.downloads import serve
from surveys.accounts import access, audit
from surveys.responses.exports import (
    ANONYMOUS_NOTE,
    MULTI_NOTE,
    TEXT_EXCLUDED_NOTE,
    XLSX_MAX_ROWS,
    ExportSource,
    ExportTooLarge,
    build_layout,
    codebook_rows,
    response_data_export,
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
        export = response_data_export(
            survey_round=survey_round, agency_ids=agency_ids, fmt=fmt,
            definition=load_definition(survey_round.questionnaire),
        )
    except ExportTooLarge as exc:
        messages.error(request, str(exc))
        return redirect("surveys:response_data", code=survey_round.code)
    audit.record_download(actor=request.user, action=audit.AuditAction.DOWNLOAD_RESPONSE_DATA, target=survey_round, round_code=survey_round.code,
                          after=export.summary, note=ANONYMOUS_NOTE)
    return serve(export.download)
