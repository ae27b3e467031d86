"""Cảnh báo chất lượng phiếu: near duplicates and straight-lining set aside for review.

Staff and supervisors (access.can_review_flags) list the flags of a round, download them, and
mark each reviewed with a conclusion (audited in surveys.responses.quality.review_flag). Flags are listed
only for questionnaires the user may read (access.visible_responses).
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from sipas_portal.downloads import serve
from surveys.accounts import access, audit
from surveys.models import FlagKind, ResponseFlag, SurveyRound
from surveys.responses import exports, quality
from surveys.responses.views import visible_round

PAGE_SIZE = 50
STATES = {"cho": "Chưa xem xét", "da": "Đã xem xét", "": "Tất cả"}


def _require(user) -> None:
    if not access.can_review_flags(user):
        raise PermissionDenied("Bạn không có quyền xem cảnh báo chất lượng phiếu.")


def _flags(request, survey_round: SurveyRound):
    qs = ResponseFlag.objects.filter(
        response__in=access.visible_responses(request.user, survey_round).order_by().values("pk")
    ).select_related("response__agency", "response__domain", "response__entered_by", "related", "reviewed_by")
    state = request.GET.get("trang_thai", "cho")
    if state == "cho":
        qs = qs.filter(reviewed_at__isnull=True)
    elif state == "da":
        qs = qs.filter(reviewed_at__isnull=False)
    else:
        state = ""
    kind = request.GET.get("loai", "")
    if kind in FlagKind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    return qs.order_by("-created_at", "-id"), state, kind


@login_required
@require_safe
def flag_list(request, code):
    _require(request.user)
    survey_round = visible_round(request, code)
    qs, state, kind = _flags(request, survey_round)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    base = ResponseFlag.objects.filter(response__round=survey_round)
    return render(request, "quality/flag_list.html", {
        "round": survey_round, "page": page, "state": state, "kind": kind, "states": STATES,
        "kinds": FlagKind.choices,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "filter_query": f"trang_thai={state}&loai={kind}",
        "open_count": base.filter(reviewed_at__isnull=True).count(), "total_count": base.count(),
        "window_minutes": int(quality.NEAR_DUPLICATE_WINDOW.total_seconds() // 60),
        "min_answers": quality.STRAIGHT_LINE_MIN_ANSWERS,
    })


@login_required
@require_safe
def flag_list_xlsx(request, code):
    _require(request.user)
    survey_round = visible_round(request, code)
    qs, state, kind = _flags(request, survey_round)
    download = exports.quality_flags(survey_round=survey_round, flags=qs)
    audit.record_download(actor=request.user, action=audit.AuditAction.DOWNLOAD_FLAGS, target=survey_round,
                          round_code=survey_round.code, after={"trang_thai": state or "tất cả", "loai": kind or "tất cả"})
    return serve(download)


@login_required
@require_POST
def flag_review(request, code, pk):
    _require(request.user)
    survey_round = visible_round(request, code)
    flag = get_object_or_404(
        ResponseFlag.objects.filter(
            response__in=access.visible_responses(request.user, survey_round).order_by().values("pk")
        ),
        pk=pk,
    )
    note = request.POST.get("ket_luan", "").strip()[:2000]
    if not note:
        messages.error(request, f"Phiếu {flag.response.ma_phieu}: hãy ghi kết luận xem xét trước khi đánh dấu đã xem xét.")
    else:
        quality.review_flag(flag=flag, reviewed_by=request.user, note=note)
        messages.success(request, f"Đã đánh dấu xem xét cảnh báo của phiếu {flag.response.ma_phieu}.")
    state = request.POST.get("trang_thai", "cho")
    return redirect(f"{reverse('surveys:flag_list', args=[survey_round.code])}?trang_thai={state if state in STATES else 'cho'}")
