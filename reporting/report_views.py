"""The round's report page (staff write, generate; leadership downloads) — thin views."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from sipas_portal.downloads import Download, serve
from surveys.accounts import access
from surveys.models import SurveyRound

from . import services
from .forms import DraftForm, GenerateForm, ReportTextsForm
from .models import ReportSection, ReportStatus, ReportVersion
from .selectors import report_texts, round_versions

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _round(user, code: str) -> SurveyRound:
    """The round, if the user may read its report (leadership, Sở Nội vụ staff)."""
    access.require(user, access.MANAGE_ROUNDS, access.DOWNLOAD_REPORTS)
    return get_object_or_404(access.visible_rounds(user), code=code)


def _editable_round(user, code: str) -> SurveyRound:
    access.require(user, access.MANAGE_ROUNDS)
    return get_object_or_404(access.visible_rounds(user), code=code)


def _version(user, code: str, pk: int) -> ReportVersion:
    survey_round = _round(user, code)
    return get_object_or_404(round_versions(survey_round), pk=pk)


@require_safe
def report_index(request):
    access.require(request.user, access.MANAGE_ROUNDS, access.DOWNLOAD_REPORTS)
    rounds = access.visible_rounds(request.user).order_by("-year", "code")
    return render(request, "reporting/report_index.html", {"rounds": rounds})


@require_safe
def report_page(request, code: str):
    survey_round = _round(request.user, code)
    can_edit = access.can(request.user, access.MANAGE_ROUNDS)
    versions = list(round_versions(survey_round)[:50])
    return render(request, "reporting/report_page.html", {
        "round": survey_round,
        "can_edit": can_edit,
        "texts_form": ReportTextsForm(initial_texts=report_texts(survey_round)) if can_edit else None,
        "generate_form": GenerateForm(),
        "draft_form": DraftForm(),
        "versions": versions,
        "pending": [v for v in versions if not v.is_finished],
    })


@require_POST
def save_texts(request, code: str):
    survey_round = _editable_round(request.user, code)
    posted = [key for key in ReportSection.values if key in request.POST]
    if not posted:
        messages.warning(request, "Không có phần nội dung nào được gửi; chưa lưu gì.")
        return redirect("report:page", code=code)
    form = ReportTextsForm(request.POST, initial_texts=report_texts(survey_round))
    if not form.is_valid():
        messages.error(request, "Chưa lưu: kiểm tra các phần được đánh dấu bên dưới.")
        versions = list(round_versions(survey_round)[:50])
        return render(request, "reporting/report_page.html", {
            "round": survey_round, "can_edit": True, "texts_form": form, "generate_form": GenerateForm(),
            "draft_form": DraftForm(), "versions": versions, "pending": [v for v in versions if not v.is_finished],
        }, status=400)
    changed = 0
    for key in posted:
        before = form.initial.get(key) or form.fields[key].initial or ""
        text = services.save_report_text(
            survey_round=survey_round, section_key=key, body=form.cleaned_data[key], user=request.user
        )
        changed += int(text.body != before.strip())
    messages.success(request, f"Đã lưu nội dung báo cáo ({changed} phần thay đổi).")
    return redirect("report:page", code=code)


@require_POST
def make_draft(request, code: str):
    survey_round = _editable_round(request.user, code)
    form = DraftForm(request.POST)
    replace = form.is_valid() and form.cleaned_data["replace"]
    written = services.draft_report_texts(survey_round=survey_round, user=request.user, replace=replace)
    if written:
        messages.success(request, f"Đã tạo bản nháp từ số liệu cho {len(written)} phần; hãy đọc và chỉnh sửa.")
    else:
        messages.info(request, "Mọi phần đã có nội dung; chọn “Ghi đè” để thay bằng bản nháp từ số liệu.")
    return redirect("report:page", code=code)


@require_POST
def generate(request, code: str):
    survey_round = _editable_round(request.user, code)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("format", []):
            messages.error(request, error)
        return redirect("report:page", code=code)
    version = services.request_report(
        survey_round=survey_round, report_format=form.cleaned_data["format"], user=request.user
    )
    messages.success(request, f"Đã gửi yêu cầu tạo báo cáo {version.get_format_display()} (phiên bản #{version.pk}).")
    return redirect("report:page", code=code)


@require_safe
def version_status(request, code: str, pk: int):
    version = _version(request.user, code, pk)
    return JsonResponse({
        "id": version.pk,
        "status": version.status,
        "status_label": version.get_status_display(),
        "progress": version.progress,
        "finished": version.is_finished,
        "error": version.error if version.status == ReportStatus.FAILED else "",
    })


@require_safe
def download(request, code: str, pk: int):
    version = _version(request.user, code, pk)
    if version.status != ReportStatus.DONE or not version.file:
        raise Http404("Phiên bản báo cáo chưa sẵn sàng.")
    services.record_download(version=version, user=request.user)
    return file_response(version)


def file_response(version: ReportVersion) -> HttpResponseBase:
    try:
        handle = version.file.open("rb")
    except FileNotFoundError:
        raise Http404("Không tìm thấy tệp báo cáo.") from None
    return serve(Download(version.download_name(), handle, CONTENT_TYPES[version.format]))
