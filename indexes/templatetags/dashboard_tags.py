"""Template tags of the results dashboards.

`{% figure fig %}` draws one index with its marks — below target, "mẫu nhỏ", n and the 95%
interval — in Python rather than as an {% include %}: a ranking or a process table holds a
thousand of them, and an include per cell would cost most of the page's time.
"""
from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from sipas_portal.formatting import format_number, format_percent

register = template.Library()

SMALL_BADGE = mark_safe(
    ' <span class="badge text-bg-warning badge-small" title="Dưới 30 người trả lời: chỉ số dễ dao động">mẫu nhỏ</span>'
)


@register.simple_tag
def figure_ci(fig) -> SafeString:
    """n and the 95% interval of a figure (indexes.figures.Figure)."""
    return mark_safe(_ci(fig))


def _ci(fig) -> str:
    # Only formatted numbers go in (format_number/format_percent): nothing to escape. Plain
    # strings, not format_html: a page holds a thousand figures.
    if fig is None or fig.value is None:
        return ""
    interval = (
        f' <span class="text-nowrap">95%: {format_number(fig.low)}–{format_number(fig.high)}</span>'
        if fig.low is not None else ""
    )
    return f'<span class="fig-ci"><span class="text-nowrap">n = {format_number(fig.n, 0)}</span>{interval}</span>'


@register.simple_tag
def figure(fig, ci: bool = True) -> SafeString:
    """The value, highlighted when below its target, with "mẫu nhỏ" and (unless ci=False) n
    and the interval."""
    if fig is None:
        return mark_safe(format_percent(None))
    value = format_percent(fig.value)
    if fig.below_target:
        target = format_percent(fig.target)
        html = (
            f'<span class="fig-value fig-below" title="Dưới chỉ tiêu {target}">{value}</span>'
            f'<i class="bi bi-arrow-down-circle-fill text-danger ms-1" aria-hidden="true"></i>'
            f'<span class="visually-hidden"> (dưới chỉ tiêu {target})</span>'
        )
    else:
        html = f'<span class="fig-value">{value}</span>'
    if fig.small_sample:
        html += SMALL_BADGE
    if ci:
        html += _ci(fig)
    return mark_safe(html)
