"""Filters for the report templates: numbers in Vietnamese format, prose paragraphs."""
from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from sipas_portal.formatting import EMPTY, format_number

register = template.Library()


@register.filter
def num2(value):
    """87.0721 → "87,07"; None → "—"."""
    return format_number(value, 2)


@register.filter
def rate(numerator, denominator):
    """A response rate numerator/denominator as "93,50%"; "—" without a quota."""
    if not denominator:
        return EMPTY
    return f"{format_number(100 * numerator / denominator, 2)}%"


@register.filter
def paragraphs(text):
    """Staff prose: one <p> per line, escaped; lines starting with "- " stay as list-like lines."""
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    html = []
    for line in lines:
        css = ' class="dash"' if line.startswith("- ") else ""
        html.append(f"<p{css}>{conditional_escape(line)}</p>")
    return mark_safe("".join(html))

