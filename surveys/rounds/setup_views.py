"""Thiết lập đợt: new round, settings and status, quota grid, agencies and domains, paper
questionnaires. Sở Nội vụ staff only (MANAGE_ROUNDS); the rules live in surveys.rounds.services."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sipas_portal.downloads import PDF, Download, serve
from surveys.accounts import access
from surveys.models import Agency, Domain, RoundStatusChange, SurveyRound
from surveys.questionnaires import paper
from surveys.rounds import exports
from surveys.rounds import services as rs
from surveys.rounds.forms import (
    AddAgencyForm,
    AddDomainForm,
    PaperBatchForm,
    RoundCreateForm,
    RoundSettingsForm,
    StatusChangeForm,
)


def _managed_round(request, code: str) -> SurveyRound:
    access.require(request.user, access.MANAGE_ROUNDS)
    return get_object_or_404(access.visible_rounds(request.user), code=code)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def round_create(request):
    access.require(request.user, access.MANAGE_ROUNDS)
    initial = {}
    source_code = request.GET.get("tu")
    if source_code:
        source = SurveyRound.objects.filter(code=source_code).first()
        if source is not None:
            initial = {"source_round": source, "year": source.year + 1}
    form = RoundCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey_round = rs.create_round(
                code=data["code"], name=data["name"], year=data["year"], starts_on=data["starts_on"],
                ends_on=data["ends_on"], created_by=request.user, source_round=data["source_round"],
                questionnaire=data["questionnaire"], new_questionnaire_code=data["new_questionnaire_code"],
                refresh_tree=data["refresh_tree"],
            )
        except rs.RoundSetupError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Đã tạo đợt {survey_round.code} (trạng thái Nháp).")
            return redirect("surveys:round_setup", code=survey_round.code)
    return render(request, "setup/round_create.html", {"form": form})


def _setup_context(survey_round: SurveyRound, settings_form, status_form) -> dict:
    return {
        "round": survey_round,
        "section_title": "Thiết lập đợt",
        "form": settings_form,
        "status_form": status_form,
        "transitions": rs.allowed_transitions(survey_round),
        "history": RoundStatusChange.objects.filter(round=survey_round).select_related("changed_by"),
        "frozen": survey_round.status in rs.FROZEN_STATUSES,
        "fresh": survey_round.computed_version == survey_round.data_version,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def round_setup(request, code):
    """Thiết lập đợt: settings (while not closed), status moves and their history."""
    survey_round = _managed_round(request, code)
    form = RoundSettingsForm(request.POST or None, instance=SurveyRound.objects.get(pk=survey_round.pk))
    if request.method == "POST" and form.is_valid():
        try:
            rs.update_round_settings(
                survey_round=survey_round,
                values={f: form.cleaned_data[f] for f in rs.SETTING_FIELDS},
                changed_by=request.user,
            )
        except rs.RoundSetupError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Đã lưu thiết lập đợt.")
            return redirect("surveys:round_setup", code=survey_round.code)
    return render(request, "setup/round_setup.html", _setup_context(survey_round, form, StatusChangeForm()))


@login_required
@require_POST
def round_status(request, code):
    survey_round = _managed_round(request, code)
    form = StatusChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Chọn trạng thái cần chuyển sang.")
        return redirect("surveys:round_setup", code=survey_round.code)
    try:
        change = rs.change_round_status(
            survey_round=survey_round, to_status=form.cleaned_data["to_status"],
            reason=form.cleaned_data["reason"], changed_by=request.user,
        )
    except rs.RoundSetupError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Đợt {survey_round.code} đã chuyển sang “{change.get_to_status_display()}”.")
    return redirect("surveys:round_setup", code=survey_round.code)


def _grid_context(survey_round: SurveyRound, *, errors=(), submitted=None) -> dict:
    rows = rs.quota_grid(survey_round)
    if submitted is not None:  # show what was typed back, so a typo is fixed in place
        for row in rows:
            row.typed = submitted.get(f"a-{row.entry.agency_id}")
            row.bad = row.typed is not None and rs.parse_quota(row.typed) is None
            for entry in row.domains:
                entry.typed = submitted.get(f"d-{entry.agency_id}-{entry.domain_id}")
                entry.bad = entry.typed is not None and rs.parse_quota(entry.typed) is None
    totals, grand, grand_domains = rs.level_totals(rows)
    return {
        "round": survey_round,
        "section_title": "Chỉ tiêu phiếu",
        "rows": rows,
        "level_totals": totals,
        "grand_total": grand,
        "grand_domain_total": grand_domains,
        "errors": list(errors),
        "frozen": survey_round.status in rs.FROZEN_STATUSES,
        "add_agency_form": AddAgencyForm(survey_round=survey_round, prefix="them-co-quan"),
        "add_domain_form": AddDomainForm(survey_round=survey_round, prefix="them-linh-vuc"),
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quota_grid(request, code):
    """Lưới chỉ tiêu: every agency and agency × domain quota in one form; all saved or none."""
    survey_round = _managed_round(request, code)
    if request.method == "POST":
        try:
            outcome = rs.save_quotas(survey_round=survey_round, data=request.POST, changed_by=request.user)
        except rs.RoundSetupError as exc:
            messages.error(request, str(exc))
            return redirect("surveys:quota_grid", code=survey_round.code)
        if outcome.ok:
            messages.success(request, f"Đã lưu chỉ tiêu ({outcome.changed} ô thay đổi).")
            return redirect("surveys:quota_grid", code=survey_round.code)
        context = _grid_context(survey_round, errors=outcome.errors, submitted=request.POST)
        return render(request, "setup/quota_grid.html", context, status=400)
    return render(request, "setup/quota_grid.html", _grid_context(survey_round))


@login_required
@require_safe
def quota_grid_xlsx(request, code):
    survey_round = _managed_round(request, code)
    return serve(exports.quota_workbook(survey_round))


@login_required
@require_POST
def round_members(request, code):
    """Thêm/bỏ cơ quan và lĩnh vực của đợt (forms of the quota grid page)."""
    survey_round = _managed_round(request, code)
    action = request.POST.get("action", "")
    try:
        if action == "add_agency":
            form = AddAgencyForm(request.POST, survey_round=survey_round, prefix="them-co-quan")
            if not form.is_valid():
                raise rs.RoundSetupError("Thêm cơ quan: chọn một cơ quan chưa có trong đợt và chỉ tiêu không âm.")
            agency = form.cleaned_data["agency"]
            rs.add_round_agency(survey_round=survey_round, agency=agency, quota=form.cleaned_data["quota"],
                                changed_by=request.user)
            messages.success(request, f"Đã thêm {agency.name} ({agency.code}) vào đợt.")
        elif action == "add_domain":
            form = AddDomainForm(request.POST, survey_round=survey_round, prefix="them-linh-vuc")
            if not form.is_valid():
                raise rs.RoundSetupError("Thêm lĩnh vực: chọn cơ quan của đợt, lĩnh vực và chỉ tiêu không âm.")
            agency, domain = form.cleaned_data["agency"], form.cleaned_data["domain"]
            rs.add_round_domain(survey_round=survey_round, agency=agency, domain=domain,
                                quota=form.cleaned_data["quota"], changed_by=request.user)
            messages.success(request, f"Đã thêm lĩnh vực {domain.code} cho {agency.code}.")
        elif action == "remove":
            _remove(survey_round, request.POST.get("target", ""), request.user)
            messages.success(request, "Đã bỏ khỏi đợt.")
        else:
            raise rs.RoundSetupError("Không rõ thao tác cần làm.")
    except rs.RoundSetupError as exc:
        messages.error(request, str(exc))
    return redirect("surveys:quota_grid", code=survey_round.code)


def _remove(survey_round: SurveyRound, target: str, user) -> None:
    """`a-<agency id>` or `d-<agency id>-<domain id>`, as the grid's buttons send them."""
    parts = target.split("-")
    try:
        ids = [int(p) for p in parts[1:]]
    except ValueError:
        ids = []
    if parts[0] == "a" and len(ids) == 1:
        agency = get_object_or_404(Agency, pk=ids[0])
        rs.remove_round_agency(survey_round=survey_round, agency=agency, changed_by=user)
    elif parts[0] == "d" and len(ids) == 2:
        agency, domain = get_object_or_404(Agency, pk=ids[0]), get_object_or_404(Domain, pk=ids[1])
        rs.remove_round_domain(survey_round=survey_round, agency=agency, domain=domain, changed_by=user)
    else:
        raise rs.RoundSetupError("Không rõ cơ quan hay lĩnh vực cần bỏ.")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def paper_print(request, code):
    """In phiếu giấy: N copies of an agency × domain with new serials, or reprints by serial."""
    survey_round = _managed_round(request, code)
    form = PaperBatchForm(request.POST or None, survey_round=survey_round)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        base_url = request.build_absolute_uri("/")
        try:
            if data["serial_list"]:
                batch = paper.print_listed_serials(
                    survey_round=survey_round, serials=data["serial_list"], printed_by=request.user, base_url=base_url
                )
            else:
                agency_code, domain_code = data["pair"].split("|", 1)
                batch = paper.print_paper_batch(
                    survey_round=survey_round, agency_code=agency_code, domain_code=domain_code,
                    count=data["count"], printed_by=request.user, base_url=base_url,
                )
        except paper.PaperBatchInvalid as exc:
            form.add_error(None, str(exc))
        else:
            first, last = batch.copies[0].ma_phieu, batch.copies[-1].ma_phieu
            return serve(Download(f"phieu-{first}-{last}.pdf", batch.pdf, PDF))
    return render(request, "setup/paper_print.html",
                  {"round": survey_round, "section_title": "In phiếu giấy", "form": form, "max_batch": paper.MAX_BATCH})
