"""Sample-frame pages (khung mẫu) of a round: upload, draw, lists for the post office and the
phone, contact statuses, response rates, purge. Thin: scoping comes from surveys.accounts.access
(`frame_agency_ids`, `can_manage_frames`), the work from surveys.sampling.frames."""
from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sipas_portal.downloads import PDF, Download, serve
from surveys.accounts import access, audit
from surveys.models import Agency, ContactStatus, RoundAgencyDomain, RoundStatus, SampleDraw, SurveyRound
from surveys.questionnaires.paper import PaperBatchInvalid, PaperCopy, paper_questionnaires_pdf
from surveys.responses.uploads import ImportSizeLimitHandler
from surveys.sampling import exports, frames
from surveys.sampling.forms import ContactFilterForm, ContactStatusForm, DrawForm, FrameUploadForm

PAGE_SIZE = 100
MAX_ERRORS_SHOWN = 500


def _round(request, code: str) -> tuple[SurveyRound, set[int] | None]:
    """The round (404 outside the user's rounds) and the agencies whose frames the user sees (403)."""
    survey_round = get_object_or_404(access.visible_rounds(request.user), code=code)
    return survey_round, access.frame_agency_ids(request.user, survey_round)


def _agencies(survey_round: SurveyRound, agency_ids: set[int] | None):
    qs = Agency.objects.filter(round_entries__round=survey_round).order_by("code")
    return qs if agency_ids is None else qs.filter(pk__in=agency_ids)


def _require_managers(request) -> None:
    if not access.can_manage_frames(request.user):
        access.require(request.user, access.MANAGE_ROUNDS)  # raises 403 with the usual message


@login_required
@require_safe
def frame_home(request, code):
    survey_round, agency_ids = _round(request, code)
    rows, _ = frames.response_rates(survey_round, agency_ids)
    grouped = _grouped_rates(rows)
    total = frames.RateRow("", "Cộng", "", "", 0)
    for agency_row, _domains in grouped:
        total.add(agency_row)  # the agencies with a frame: a province-wide quota would mislead here
    return render(request, "frames/frame_home.html", {
        "round": survey_round,
        "section_title": "Khung mẫu và chọn mẫu",
        "frames": frames.round_frames(survey_round, agency_ids),
        "agency_rows": grouped,
        "total": total,
        "scoped": agency_ids is not None,
        "can_manage": access.can_manage_frames(request.user),
        "can_draw": access.can(request.user, access.MANAGE_ROUNDS),
        "open": survey_round.status in frames.OPEN_STATUSES,
        "purgeable": survey_round.status in frames.PURGEABLE_STATUSES,
        "draws": SampleDraw.objects.filter(round=survey_round).select_related("drawn_by")[:5],
        "draw_form": DrawForm(),
    })


def _grouped_rates(rows: list[frames.RateRow]) -> list[tuple[frames.RateRow, list[frames.RateRow]]]:
    """Each agency's total with its domain rows, for agencies with a frame."""
    by_agency: dict[str, list[frames.RateRow]] = {}
    for row in rows:
        by_agency.setdefault(row.agency_code, []).append(row)
    return [(total, by_agency[total.agency_code]) for total in frames.agency_rates(rows) if total.in_frame]


@csrf_exempt
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def frame_upload(request, code):
    """The size-limiting upload handler goes in before the CSRF check reads the body (as in
    views.round_import): csrf_exempt here, csrf_protect on the inner view."""
    survey_round, agency_ids = _round(request, code)
    limiter = ImportSizeLimitHandler(request)
    request.upload_handlers.insert(0, limiter)
    return _frame_upload(request, survey_round, agency_ids, limiter)


@csrf_protect
def _frame_upload(request, survey_round, agency_ids, limiter: ImportSizeLimitHandler):
    agencies = _agencies(survey_round, agency_ids)
    errors, closed = [], None
    if request.method == "POST":
        data, files = request.POST, request.FILES
        too_large = (limiter.approximate_size or 0) if limiter.exceeded else None
        form = FrameUploadForm(data, files, agencies=agencies, upload_too_large=too_large)
        if form.is_valid():
            upload = form.cleaned_data["workbook"]
            try:
                outcome = frames.upload_frame(
                    survey_round=survey_round, agency=form.cleaned_data["agency"], source=upload,
                    filename=upload.name, uploaded_by=request.user,
                )
            except frames.FramesClosed as exc:
                closed = str(exc)
            else:
                if outcome.ok:
                    count = outcome.frame.contacts.count()
                    messages.success(request, f"Đã lưu khung mẫu của {outcome.frame.agency.code}: {count} người.")
                    return redirect("surveys:frame_home", code=survey_round.code)
                errors = outcome.errors
    else:
        form = FrameUploadForm(agencies=agencies)
        if survey_round.status not in frames.OPEN_STATUSES:
            try:
                frames.ensure_frames_open(survey_round)
            except frames.FramesClosed as exc:
                closed = str(exc)
    return render(request, "frames/frame_upload.html", {
        "round": survey_round,
        "section_title": "Tải lên khung mẫu",
        "form": form,
        "errors": errors[:MAX_ERRORS_SHOWN],
        "error_count": len(errors),
        "errors_hidden": max(0, len(errors) - MAX_ERRORS_SHOWN),
        "closed": closed,
    })


@login_required
@require_safe
def frame_template(request, code):
    survey_round, agency_ids = _round(request, code)
    return serve(exports.frame_template(survey_round, agency_ids))


@login_required
@require_POST
def frame_draw(request, code):
    survey_round, _ = _round(request, code)
    access.require(request.user, access.MANAGE_ROUNDS)
    form = DrawForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("seed", []):
            messages.error(request, f"Chưa chọn mẫu: {error}")
        return redirect("surveys:frame_home", code=survey_round.code)
    try:
        outcome = frames.draw_sample(survey_round=survey_round, seed=form.cleaned_data["seed"], drawn_by=request.user)
    except frames.FramesClosed as exc:
        messages.error(request, str(exc))
        return redirect("surveys:frame_home", code=survey_round.code)
    text = f"Đã chọn mẫu với hạt giống {outcome.draw.seed}: {outcome.drawn} người mới"
    if outcome.released:
        text += f" (thay {outcome.released} người của lần chọn trước chưa gửi phiếu)"
    messages.success(request, text + ".")
    short = [c for c in outcome.cells if c.short]
    if short:
        messages.warning(request, "Khung mẫu không đủ chỉ tiêu ở: " + "; ".join(
            f"{c.agency_code}/{c.domain_code} thiếu {c.short}" for c in short[:20]
        ) + ("; …" if len(short) > 20 else "") + ".")
    return redirect("surveys:frame_home", code=survey_round.code)


def _filtered_contacts(request, survey_round, agency_ids):
    contacts = frames.drawn_contacts(survey_round, agency_ids)
    form = ContactFilterForm(request.GET or None, agencies=_agencies(survey_round, agency_ids))
    filters = form.filters()
    if "co_quan" in filters:
        contacts = contacts.filter(agency=filters["co_quan"])
    if "tinh_trang" in filters:
        wanted = filters["tinh_trang"]
        if wanted == ContactStatus.RETURNED:
            contacts = contacts.filter(Q(status=wanted) | Q(has_response=True))
        else:
            contacts = contacts.filter(status=wanted, has_response=False)
    if "q" in filters:
        contacts = contacts.filter(ma_phieu__icontains=filters["q"])
    return form, contacts, filters


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def frame_contacts(request, code):
    """Người được chọn mẫu: the list (filtered, paged) and the bulk status form."""
    survey_round, agency_ids = _round(request, code)
    can_manage = access.can_manage_frames(request.user)
    status_form = ContactStatusForm()
    problems: list[str] = []
    if request.method == "POST":
        _require_managers(request)
        status_form = ContactStatusForm(request.POST)
        if status_form.is_valid():
            serials = frames.parse_serials(status_form.cleaned_data["serials"])
            status = status_form.cleaned_data["status"]
            try:
                changed = frames.update_contact_statuses(
                    survey_round=survey_round, serials=serials, status=status, changed_by=request.user
                )
            except frames.FrameInputInvalid as exc:
                problems = exc.messages
            else:
                messages.success(request, f"Đã cập nhật {changed} người sang “{ContactStatus(status).label}” "
                                          f"({len(serials)} mã đã nhập).")
                return redirect(request.get_full_path())
    form, contacts, filters = _filtered_contacts(request, survey_round, agency_ids)
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    for contact in page:
        contact.shown_status = ContactStatus(frames.effective_status(contact)).label
    return render(request, "frames/frame_contacts.html", {
        "round": survey_round,
        "section_title": "Người được chọn mẫu",
        "form": form,
        "status_form": status_form,
        "problems": problems,
        "page": page,
        "filtered": bool(filters),
        "query": _without_page(request),
        "can_manage": can_manage,
    })


def _without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
@require_safe
def frame_contacts_xlsx(request, code):
    survey_round, agency_ids = _round(request, code)
    _form, contacts, _filters = _filtered_contacts(request, survey_round, agency_ids)
    contacts = list(contacts)
    audit.record_download(actor=request.user, action=audit.AuditAction.DOWNLOAD_CONTACTS, target=survey_round,
                          round_code=survey_round.code, after={"so_nguoi": len(contacts)})
    return serve(exports.contacts_workbook(survey_round, contacts))


def _list_download(request, code, kind: str):
    survey_round, agency_ids = _round(request, code)
    _require_managers(request)
    contacts = frames.drawn_contacts(survey_round, agency_ids).filter(frame__purged_at__isnull=True)
    agency_code = request.GET.get("co_quan", "").strip().upper()
    if agency_code:
        contacts = contacts.filter(agency__code=agency_code)
    contacts = list(contacts)
    base_url = request.build_absolute_uri("/")
    if kind == "mail":
        download, action = exports.mailing_workbook(survey_round, contacts, base_url), audit.AuditAction.DOWNLOAD_MAILING_LIST
    else:
        download, action = exports.phone_workbook(survey_round, contacts, base_url), audit.AuditAction.DOWNLOAD_PHONE_LIST
    audit.record_download(actor=request.user, action=action, target=survey_round, round_code=survey_round.code,
                          after={"so_nguoi": len(contacts), "co_quan": agency_code or "tất cả"})
    return serve(download)


@login_required
@require_safe
def frame_mailing_xlsx(request, code):
    return _list_download(request, code, "mail")


@login_required
@require_safe
def frame_phone_xlsx(request, code):
    return _list_download(request, code, "phone")


@login_required
@require_safe
def frame_rates_xlsx(request, code):
    survey_round, agency_ids = _round(request, code)
    return serve(exports.rates_workbook(survey_round, agency_ids))


@login_required
@require_POST
def frame_delete(request, code, frame_id):
    """Xoá khung mẫu tải lên nhầm (before anyone in it is drawn): its uploader's agency or staff."""
    survey_round, agency_ids = _round(request, code)
    frame = get_object_or_404(frames.round_frames(survey_round, agency_ids), pk=frame_id)
    try:
        count = frames.delete_frame(frame=frame, deleted_by=request.user)
    except (frames.FrameInputInvalid, frames.FramesClosed) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Đã xoá khung mẫu “{frame.filename}” ({count} người) của {frame.agency.code}.")
    return redirect("surveys:frame_home", code=survey_round.code)


@login_required
@require_POST
def frame_purge(request, code):
    survey_round, _ = _round(request, code)
    access.require(request.user, access.MANAGE_ROUNDS)
    try:
        count = frames.purge_frames(survey_round=survey_round, purged_by=request.user)
    except frames.FramesClosed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Đã xoá họ tên, địa chỉ, điện thoại của {count} người trong các khung mẫu.")
    return redirect("surveys:frame_home", code=survey_round.code)


@login_required
@require_safe
def frame_paper_pdf(request, code):
    """Phiếu giấy for the drawn contacts not yet returned, each with its serial (surveys.questionnaires.paper)."""
    survey_round, agency_ids = _round(request, code)
    _require_managers(request)
    contacts = frames.drawn_contacts(survey_round, agency_ids).filter(has_response=False).exclude(
        status__in=[ContactStatus.RETURNED, ContactStatus.REFUSED]
    )
    agency_code = request.GET.get("co_quan", "").strip().upper()
    if agency_code:
        contacts = contacts.filter(agency__code=agency_code)
    copies = [PaperCopy(ma_phieu=c.ma_phieu, agency_code=c.agency.code, domain_code=c.domain.code) for c in contacts]
    try:
        pdf = paper_questionnaires_pdf(survey_round=survey_round, copies=copies,
                                       base_url=request.build_absolute_uri("/"))
    except PaperBatchInvalid as exc:
        messages.error(request, str(exc))
        return redirect("surveys:frame_home", code=survey_round.code)
    audit.record(actor=request.user, action=audit.AuditAction.PAPER_FOR_CONTACTS, target=survey_round, round_code=survey_round.code,
                 after={"so_phieu": len(copies)})
    return serve(Download(f"phieu-giay-khung-mau-{survey_round.code}.pdf", pdf, PDF))


# --------------------------------------------------------------------------- desk links
def _public_base(request) -> str:
    """Where respondents reach the portal: settings.SIPAS_PUBLIC_URL, else this request's host."""
    configured = getattr(settings, "SIPAS_PUBLIC_URL", "")
    return (configured or request.build_absolute_uri("/")).rstrip("/")


def _desk_links(request, survey_round, agency_ids) -> list[dict]:
    base = _public_base(request)
    pairs = RoundAgencyDomain.objects.filter(round=survey_round).select_related("agency", "domain")
    if agency_ids is not None:
        pairs = pairs.filter(agency_id__in=agency_ids)
    return [
        {"agency": p.agency, "domain": p.domain,
         "url": base + reverse("online:desk", args=[survey_round.code, p.agency.code, p.domain.code])}
        for p in pairs.order_by("agency__code", "domain__code")
    ]


@login_required
@require_safe
def desk_links(request, code):
    """Đường dẫn và mã QR của phiếu trực tuyến cho từng bộ phận một cửa (cơ quan × lĩnh vực)."""
    survey_round, agency_ids = _round(request, code)
    links = _desk_links(request, survey_round, agency_ids)
    for link in links:
        link["qr"] = segno.make(link["url"], error="m").svg_data_uri(scale=3, border=2)
    return render(request, "frames/desk_links.html", {
        "round": survey_round,
        "section_title": "Đường dẫn trả lời trực tuyến",
        "links": links,
        "open": survey_round.status == RoundStatus.COLLECTING and survey_round.online_enabled,
    })


@login_required
@require_safe
def desk_links_xlsx(request, code):
    survey_round, agency_ids = _round(request, code)
    return serve(exports.desk_links_workbook(survey_round, _desk_links(request, survey_round, agency_ids)))
