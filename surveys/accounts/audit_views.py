"""Nhật ký (audit trail) pages for supervisors: a searchable list and its XLSX export.

Read-only: there is no page that edits or deletes an entry (the model refuses both anyway).
Only users with the `supervise` capability get in; everyone else gets a 403.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from sipas_portal.downloads import serve
from surveys.accounts import access, audit, audit_selectors
from surveys.accounts import exports as audit_exports
from surveys.accounts.audit_selectors import AuditFilters

PAGE_SIZE = 100
DATE_INPUT = ["%d/%m/%Y"]


class AuditFilterForm(forms.Form):
    tu_ngay = forms.DateField(
        label="Từ ngày", required=False, input_formats=DATE_INPUT,
        error_messages={"invalid": "Ngày phải có dạng dd/mm/yyyy."},
    )
    den_ngay = forms.DateField(
        label="Đến ngày", required=False, input_formats=DATE_INPUT,
        error_messages={"invalid": "Ngày phải có dạng dd/mm/yyyy."},
    )
    nguoi = forms.ChoiceField(label="Người thực hiện", required=False)
    hanh_dong = forms.ChoiceField(label="Hành động", required=False)
    dot = forms.ChoiceField(label="Đợt", required=False)
    q = forms.CharField(label="Tìm trong đối tượng, ghi chú", required=False, max_length=100, strip=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nguoi"].choices = [("", "Tất cả")] + [(n, n) for n in audit_selectors.actor_names()]
        self.fields["hanh_dong"].choices = [("", "Tất cả")] + [(a, a) for a in audit_selectors.actions()]
        self.fields["dot"].choices = [("", "Tất cả")] + [(c, c) for c in audit_selectors.round_codes()]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = css
        for name in ("tu_ngay", "den_ngay"):
            self.fields[name].widget = forms.DateInput(
                format="%d/%m/%Y",
                attrs={"class": "form-control", "placeholder": "dd/mm/yyyy", "inputmode": "numeric",
                       "autocomplete": "off"},
            )
        self.fields["q"].widget.attrs["autocomplete"] = "off"

    def clean(self):
        data = super().clean()
        start, end = data.get("tu_ngay"), data.get("den_ngay")
        if start and end and end < start:
            self.add_error("den_ngay", "“Đến ngày” phải sau “Từ ngày”.")
        return data

    def filters(self) -> AuditFilters:
        """The valid filters; an invalid one is shown on its field and left out."""
        if not self.is_bound:
            return AuditFilters()
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return AuditFilters(
            date_from=data.get("tu_ngay"),
            date_to=data.get("den_ngay"),
            actor=data.get("nguoi") or "",
            action=data.get("hanh_dong") or "",
            round_code=data.get("dot") or "",
            text=data.get("q") or "",
        )

    def query(self) -> str:
        """The valid filters as a query string (for page links and the download)."""
        if not self.is_bound:
            return ""
        params = {}
        for name in self.fields:
            value = self.data.get(name, "")
            if value and name not in self.errors:
                params[name] = value
        return urlencode(params)


def _filters(request) -> tuple[AuditFilterForm, AuditFilters]:
    form = AuditFilterForm(request.GET or None)
    return form, form.filters()


@login_required
@require_safe
def audit_list(request):
    access.require(request.user, access.SUPERVISE)
    form, filters = _filters(request)
    page = Paginator(audit_selectors.audit_entries(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/audit_list.html",
        {
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "rows": audit_selectors.entry_rows(page.object_list, shown=_free_text_for(request.user)),
            "filtered": filters != AuditFilters(),
            "filter_query": form.query(),
        },
    )


def _free_text_for(user) -> Callable[[str], str] | None:
    """How this reader sees the free text kept in the trail (answers, resolved values, report
    prose): None — as written — for Sở Nội vụ staff, otherwise access.shown_free_text's mask."""
    if access.sees_free_text_unmasked(user):
        return None
    return functools.partial(access.shown_free_text, user)


@login_required
@require_safe
def audit_xlsx(request):
    """The filtered entries (newest first), every change written out in full."""
    access.require(request.user, access.SUPERVISE)
    form, filters = _filters(request)
    download, count = audit_exports.audit_trail(
        entries=audit_selectors.audit_entries(filters), shown=_free_text_for(request.user)
    )
    audit.record_download(actor=request.user, action=audit.AuditAction.DOWNLOAD_AUDIT, target_type="surveys.AuditEntry", target_repr="Nhật ký",
                          round_code=filters.round_code, after={"so_muc": count, "bo_loc": form.query()})
    return serve(download)
