"""The results dashboards (issue 6 §4): thin views over indexes.dashboards.

Scoping comes from surveys.accounts.access only. Pages that aggregate many agencies (overview, levels,
ranking, domains, process, respondents, trends) need VIEW_ALL_RESULTS; an agency officer, who
may read only their own agency (and its communes), reaches its own agency page — the overview
sends them there. Every page takes the same filter (channel, collection dates) and offers the
same tables as XLSX with `?tai=xlsx`, built from the very data the page shows.
"""
from __future__ import annotations

import dataclasses

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from sipas_portal import charts
from sipas_portal.downloads import serve
from sipas_portal.formatting import format_percent
from surveys.accounts import access
from surveys.models import Agency, Channel, Domain, RoundAgencyDomain

from . import dashboards as d
from . import figures as fig
from . import ranking as rk
from . import sheets as sh
from . import targets as t
from .exports import dashboard_workbook

XLSX_PARAM = "tai"
PAGES = (  # (url name, tab title) in tab order
    ("dashboard_overview", "Tổng quan"),
    ("dashboard_levels", "Theo cấp"),
    ("dashboard_ranking", "Xếp hạng cơ quan"),
    ("dashboard_domains", "Theo lĩnh vực"),
    ("dashboard_process", "Quá trình giải quyết"),
    ("dashboard_demographics", "Người trả lời"),
    ("dashboard_trends", "Xu hướng"),
    ("dashboard_targets", "Chỉ tiêu"),
)


# ---- forms -----------------------------------------------------------------------------------
class FilterForm(forms.Form):
    kenh = forms.ChoiceField(label="Kênh thu thập", required=False, choices=[("", "Tất cả các kênh"), *Channel.choices])
    tu_ngay = forms.DateField(
        label="Khảo sát từ ngày", required=False,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
        error_messages={"invalid": "Ngày “từ ngày” không hợp lệ: nhập theo dạng dd/mm/yyyy, ví dụ 01/11/2022."},
    )
    den_ngay = forms.DateField(
        label="đến ngày", required=False,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
        error_messages={"invalid": "Ngày “đến ngày” không hợp lệ: nhập theo dạng dd/mm/yyyy, ví dụ 30/11/2022."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm" if isinstance(field, forms.ChoiceField)
                                          else "form-control form-control-sm")

    def clean(self):
        data = super().clean()
        start, end = data.get("tu_ngay"), data.get("den_ngay")
        if start and end and end < start:
            raise forms.ValidationError(
                f"Khoảng ngày không hợp lệ: “đến ngày” ({end:%d/%m/%Y}) trước “từ ngày” ({start:%d/%m/%Y})."
            )
        return data

    def result_filter(self) -> fig.ResultFilter:
        if not self.is_valid():
            return fig.NO_FILTER
        data = self.cleaned_data
        return fig.ResultFilter(data.get("kenh") or "", data.get("tu_ngay"), data.get("den_ngay"))


class TargetsForm(forms.Form):
    sipas = forms.DecimalField(
        label="Chỉ tiêu SIPAS (%)", min_value=0, max_value=100, max_digits=5, decimal_places=2,
        localize=True,
        help_text="Áp dụng cho SIPAS toàn tỉnh, từng cấp và từng cơ quan.",
        error_messages={"invalid": "Chỉ tiêu SIPAS phải là một số từ 0 đến 100, ví dụ 90 hoặc 87,5.",
                        "min_value": "Chỉ tiêu SIPAS không được nhỏ hơn 0.",
                        "max_value": "Chỉ tiêu SIPAS không được lớn hơn 100.",
                        "max_decimal_places": "Chỉ tiêu SIPAS có tối đa hai chữ số thập phân.",
                        "required": "Hãy nhập chỉ tiêu SIPAS."},
    )
    domain = forms.DecimalField(
        label="Chỉ tiêu của các lĩnh vực trọng điểm (%)", min_value=0, max_value=100, max_digits=5,
        decimal_places=2, localize=True,
        error_messages={"invalid": "Chỉ tiêu lĩnh vực phải là một số từ 0 đến 100, ví dụ 80.",
                        "min_value": "Chỉ tiêu lĩnh vực không được nhỏ hơn 0.",
                        "max_value": "Chỉ tiêu lĩnh vực không được lớn hơn 100.",
                        "max_decimal_places": "Chỉ tiêu lĩnh vực có tối đa hai chữ số thập phân.",
                        "required": "Hãy nhập chỉ tiêu của các lĩnh vực trọng điểm."},
    )
    domains = forms.MultipleChoiceField(
        label="Lĩnh vực trọng điểm", required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Lĩnh vực “%(value)s” không có trong đợt khảo sát này."},
    )

    def __init__(self, *args, domain_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domains"].choices = domain_choices
        for name in ("sipas", "domain"):
            self.fields[name].widget.attrs.update({"class": "form-control", "inputmode": "decimal"})


# ---- shared helpers --------------------------------------------------------------------------
def _round_for_results(request, code):
    access.require(request.user, access.VIEW_ALL_RESULTS, access.VIEW_OWN_RESULTS)
    survey_round = get_object_or_404(access.visible_rounds(request.user), code=code)
    return survey_round, access.result_agency_ids(request.user, survey_round)


def _round_for_all_results(request, code):
    """Aggregate pages: every agency's answers are in them, so only readers of all results."""
    survey_round, agency_ids = _round_for_results(request, code)
    if agency_ids is not None:
        raise PermissionDenied("Trang này tổng hợp kết quả của mọi cơ quan; bạn chỉ được xem kết quả của cơ quan mình.")
    return survey_round


def _filter(request) -> tuple[FilterForm, fig.ResultFilter]:
    form = FilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Bộ lọc chưa được áp dụng: {error}")
    return form, form.result_filter() if form.is_bound else fig.NO_FILTER


def _render(request, template, survey_round, page_name, context, tables, *, title, result_filter, filter_form):
    """The page, or with ?tai=xlsx its tables as a workbook (same data, same filter)."""
    if request.GET.get(XLSX_PARAM) == "xlsx":
        return serve(dashboard_workbook(survey_round=survey_round, page_name=page_name, title=title, tables=tables,
                                        result_filter=result_filter))
    query = request.GET.copy()
    query[XLSX_PARAM] = "xlsx"
    return render(request, template, {
        "round": survey_round,
        "page_name": page_name,
        "page_title": title,
        "tabs": _tabs(request, survey_round),
        "filter_form": filter_form,
        "result_filter": result_filter,
        "xlsx_query": query.urlencode(),
        "status": d.computed_status(survey_round),
        **context,
    })


def _tabs(request, survey_round) -> list[dict]:
    """The dashboard's tabs; none for an agency officer, who reads only their agency's page."""
    if not access.can(request.user, access.VIEW_ALL_RESULTS):
        return []
    return [
        {"name": name, "title": title, "url": reverse(f"indexes:{name}", args=[survey_round.code])}
        for name, title in PAGES
    ]


def _bar(items, *, title, target=None):
    return charts.bar_chart(items, title=title, target=target) if items else ""


def _bar_item(label: str, figure: fig.Figure, note: str = ""):
    marks = [note] if note else []
    if figure.small_sample:
        marks.append("mẫu nhỏ")
    return charts.BarItem(label=label, value=figure.value, low=figure.low, high=figure.high,
                          highlight=figure.below_target, note=", ".join(marks))


def _short(code: str, text: str, limit: int = 34) -> str:
    """A criterion's chart label: its code and the start of its text (the table has it all)."""
    label = f"{code} {text}"
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


# ---- pages -----------------------------------------------------------------------------------
@login_required
@require_safe
def dashboard_home(request):
    """Kết quả: the newest round the user may read results of."""
    access.require(request.user, access.VIEW_ALL_RESULTS, access.VIEW_OWN_RESULTS)
    survey_round = access.visible_rounds(request.user).order_by("-year", "-computed_at", "code").first()
    if survey_round is None:
        raise Http404("Chưa có đợt khảo sát nào có kết quả bạn được xem.")
    return redirect("indexes:dashboard_overview", code=survey_round.code)


@login_required
@require_safe
def dashboard_overview(request, code):
    survey_round, agency_ids = _round_for_results(request, code)
    if agency_ids is not None:
        own = access.officer_of(request.user)
        if own is None or own.agency_id not in agency_ids:
            raise PermissionDenied("Tài khoản chưa gắn với cơ quan nào.")
        return redirect("indexes:dashboard_agency", code=survey_round.code, agency_code=own.agency.code)
    definition = fig.round_definition(survey_round)
    form, result_filter = _filter(request)
    results = fig.RoundResults(survey_round, definition, result_filter)
    page = d.overview(results, t.round_targets(survey_round))
    chart_factors = chart_criteria = chart_levels = ""
    if page.province:
        chart_factors = charts.profile_chart([_bar_item(f"{f.code} {f.name}", f.figure) for f in page.factors],
                                             title="Chỉ số các yếu tố (khoảng tin cậy 95%)")
        chart_criteria = _bar([_bar_item(_short(c.code, c.text), c.figure) for c in page.criteria[:10]],
                              title="10 tiêu chí có chỉ số thấp nhất (khoảng tin cậy 95%)")
        chart_levels = _bar([_bar_item(level.name, level.sipas) for level in page.levels],
                            title="SIPAS theo cấp", target=page.targets.sipas)
    return _render(
        request, "indexes/dashboard/overview.html", survey_round, "tong-quan",
        {"page": page, "factors": definition.factors, "chart_factors": chart_factors,
         "chart_criteria": chart_criteria, "chart_levels": chart_levels},
        sh.overview_tables(page, definition), title="Tổng quan toàn tỉnh", result_filter=result_filter,
        filter_form=form,
    )


@login_required
@require_safe
def dashboard_levels(request, code):
    survey_round = _round_for_all_results(request, code)
    definition = fig.round_definition(survey_round)
    form, result_filter = _filter(request)
    targets = t.round_targets(survey_round)
    page = d.levels_page(fig.RoundResults(survey_round, definition, result_filter), targets)
    chart = _bar([_bar_item(f.name, f.sipas) for f in page.district_areas],
                 title="SIPAS theo địa bàn huyện (huyện và các xã)", target=targets.sipas)
    return _render(
        request, "indexes/dashboard/levels.html", survey_round, "theo-cap",
        {"page": page, "factors": definition.factors, "chart": chart},
        sh.levels_tables(page, definition), title="Kết quả theo cấp", result_filter=result_filter, filter_form=form,
    )


@login_required
@require_safe
def dashboard_ranking(request, code):
    survey_round = _round_for_all_results(request, code)
    definition = fig.round_definition(survey_round)
    form, result_filter = _filter(request)
    targets = t.round_targets(survey_round)
    levels = rk.ranking(fig.RoundResults(survey_round, definition, result_filter), targets,
                       rk.agency_places(survey_round))
    level_charts = {
        level.code: _bar(
            [_bar_item(row.figures.name, row.figures.sipas,
                       f"nhóm {row.group}" if row.group and level.groups > 1 else "")
             for row in level.rows],
            title=f"SIPAS — {level.name} (khoảng tin cậy 95%)", target=targets.sipas,
        )
        for level in levels
    }
    return _render(
        request, "indexes/dashboard/ranking.html", survey_round, "xep-hang",
        {"levels": [(level, level_charts.get(level.code, "")) for level in levels], "factors": definition.factors,
         "targets": targets},
        sh.ranking_tables(levels, definition), title="Xếp hạng cơ quan", result_filter=result_filter,
        filter_form=form,
    )


@login_required
@require_safe
def dashboard_agency(request, code, agency_code):
    survey_round, agency_ids = _round_for_results(request, code)
    places = rk.agency_places(survey_round)
    if agency_code not in places:
        raise Http404("Cơ quan không tham gia đợt khảo sát này.")
    visible_codes = _visible_codes(agency_ids)
    if visible_codes is not None and agency_code not in visible_codes:
        raise Http404("Không tìm thấy cơ quan.")
    definition = fig.round_definition(survey_round)
    form, result_filter = _filter(request)
    targets = t.round_targets(survey_round)
    page = d.agency_page(fig.RoundResults(survey_round, definition, result_filter), agency_code, targets, places)
    if page is None:
        raise Http404("Chưa có kết quả của cơ quan này.")
    page = _comments_as_shown_to(request.user, page)
    chart_factors = chart_criteria = chart_domains = ""
    if page.agency.n:
        chart_factors = charts.profile_chart([_bar_item(f"{f.code} {f.name}", f.figure) for f in page.factors],
                                             title="Chỉ số các yếu tố (khoảng tin cậy 95%)")
        chart_criteria = _bar([_bar_item(_short(c.code, c.text), c.figure) for c in page.criteria],
                              title="Các tiêu chí, thấp nhất trước (khoảng tin cậy 95%)")
        # Domains have their own targets (the key domains only): highlighted bars, no one line.
        chart_domains = _bar([_bar_item(f.name, f.sipas) for f in page.domains if f.n],
                             title="SIPAS theo lĩnh vực (khoảng tin cậy 95%)")
    return _render(
        request, "indexes/dashboard/agency.html", survey_round, f"co-quan-{agency_code}",
        {"page": page, "factors": definition.factors, "chart_factors": chart_factors,
         "chart_criteria": chart_criteria, "chart_domains": chart_domains,
         "can_read_all": agency_ids is None, "visible_codes": visible_codes,
         "comments_masked": not access.sees_free_text_unmasked(request.user)},
        sh.agency_tables(page, definition), title=f"Kết quả của {page.agency.name}", result_filter=result_filter,
        filter_form=form,
    )


def _comments_as_shown_to(user, page: d.AgencyPage) -> d.AgencyPage:
    """The respondents' comments as this user may read them (access.shown_free_text): the page
    and its XLSX are both built from the returned page, so neither shows more than the other."""
    comments = [dataclasses.replace(c, text=access.shown_free_text(user, c.text)) for c in page.comments]
    return dataclasses.replace(page, comments=comments)


def _visible_codes(agency_ids: set[int] | None) -> set[str] | None:
    """Codes of the agencies whose results the user may read (None: all of them)."""
    if agency_ids is None:
        return None
    return set(Agency.objects.filter(pk__in=agency_ids).values_list("code", flat=True))


@login_required
@require_safe
def dashboard_domains(request, code):
    survey_round = _round_for_all_results(request, code)
    definition = fig.round_definition(survey_round)
    form, result_filter = _filter(request)
    targets = t.round_targets(survey_round)
    page = d.domains_page(fig.RoundResults(survey_round, definition, result_filter), targets)
    ordered = sorted((r for r in page.rows if r.sipas.value is not None), key=lambda r: -r.sipas.value)
    chart = _bar([_bar_item(r.name, r.sipas, "lĩnh vực trọng điểm" if r.sipas.target is not None else "")
                  for r in ordered], title="SIPAS theo lĩnh vực (khoảng tin cậy 95%)")
    return _render(
        request, "indexes/dashboard/domains.html", survey_round, "theo-linh-vuc",
        {"page": page, "factors": definition.factors, "chart": chart},
        sh.domains_tables(page, definition), title="Kết quả theo lĩnh vực", result_filter=result_filter,
        filter_form=form,
    )


@login_required
@require_safe
def dashboard_process(request, code):
    survey_round = _round_for_all_results(request, code)
    definition = fig.round_definition(survey_round)
    form, result_filter = _filter(request)
    page = d.process_page(fig.RoundResults(survey_round, definition, result_filter), rk.agency_places(survey_round))
    chart = ""
    if page.indicator_rows:
        province = page.indicator_rows[0]
        chart = _bar([_bar_item(i.label, f) for i, f in zip(page.indicators, province.figures, strict=True)],
                     title=f"Quá trình giải quyết — {province.name} (khoảng tin cậy 95%)")
    return _render(
        request, "indexes/dashboard/process.html", survey_round, "qua-trinh",
        {"page": page, "chart": chart},
        sh.process_tables(page), title="Quá trình giải quyết công việc", result_filter=result_filter,
        filter_form=form,
    )


@login_required
@require_safe
def dashboard_demographics(request, code):
    survey_round = _round_for_all_results(request, code)
    definition = fig.round_definition(survey_round)
    form, result_filter = _filter(request)
    page = d.demographics_page(fig.RoundResults(survey_round, definition, result_filter))
    return _render(
        request, "indexes/dashboard/demographics.html", survey_round, "nguoi-tra-loi",
        {"page": page},
        sh.demographics_tables(page), title="Thông tin người trả lời", result_filter=result_filter,
        filter_form=form,
    )


@login_required
@require_safe
def dashboard_trends(request, code):
    survey_round = _round_for_all_results(request, code)
    definition = fig.round_definition(survey_round)
    page = d.trends_page(survey_round, definition, access.visible_rounds(request.user))
    chart = ""
    if page.years:
        series = [
            charts.LineSeries("SIPAS do Bộ Nội vụ công bố", {r.year: r.sipas.value for r in page.published}),
            charts.LineSeries("SIPAS theo khảo sát của tỉnh", {r.year: r.sipas.value for r in page.surveyed}),
        ]
        chart = charts.line_chart([s for s in series if s.points], title="SIPAS qua các năm", years=page.years)
    return _render(
        request, "indexes/dashboard/trends.html", survey_round, "xu-huong",
        {"page": page, "chart": chart}, sh.trends_tables(page), title="Xu hướng qua các năm",
        result_filter=fig.NO_FILTER, filter_form=None,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def dashboard_targets(request, code):
    """Chỉ tiêu của đợt: everyone who reads all results sees them; staff who manage rounds edit."""
    survey_round = _round_for_all_results(request, code)
    can_edit = access.can(request.user, access.MANAGE_ROUNDS)
    targets = t.round_targets(survey_round)
    round_domains = (
        Domain.objects.filter(pk__in=RoundAgencyDomain.objects.filter(round=survey_round).values("domain_id"))
        .order_by("name")
    )
    choices = [(dom.code, f"{dom.name} ({dom.code})") for dom in round_domains]
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Chỉ cán bộ Sở Nội vụ quản lý đợt khảo sát mới sửa được chỉ tiêu.")
        form = TargetsForm(request.POST, domain_choices=choices)
        if form.is_valid():
            t.update_round_targets(
                survey_round=survey_round, sipas=form.cleaned_data["sipas"], domain=form.cleaned_data["domain"],
                domain_codes=form.cleaned_data["domains"], actor=request.user,
            )
            messages.success(request, f"Đã lưu chỉ tiêu của đợt {survey_round.code}.")
            return redirect("indexes:dashboard_targets", code=survey_round.code)
    else:
        form = TargetsForm(
            initial={"sipas": targets.sipas, "domain": targets.domain, "domains": sorted(targets.domain_codes)},
            domain_choices=choices,
        )
    return render(request, "indexes/dashboard/targets.html", {
        "round": survey_round, "page_name": "chi-tieu", "page_title": "Chỉ tiêu", "tabs": _tabs(request, survey_round),
        "status": d.computed_status(survey_round), "targets": targets, "form": form, "can_edit": can_edit,
        "sipas_text": format_percent(targets.sipas), "domain_text": format_percent(targets.domain),
    })


@login_required
@require_safe
def computed_status(request, code):
    """JSON for the status badge's polling script: when results were computed, and whether a
    newer computation is pending. Anyone who may see the round may ask."""
    survey_round = get_object_or_404(access.visible_rounds(request.user), code=code)
    response = JsonResponse(d.computed_status(survey_round), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response

