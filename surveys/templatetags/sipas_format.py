from django import template

from sipas_portal.formatting import format_number, format_percent

register = template.Library()


@register.filter
def percent_vi(value, places=2):
    """{{ value|percent_vi }} → 87,07% (— when there is no value, or the template found no
    figure: a factor one round's questionnaire lacks reads as "")."""
    return format_percent(None if value == "" else value, int(places))


@register.filter
def number_vi(value, places=0):
    """{{ value|number_vi }} → 1.790; {{ value|number_vi:2 }} → 87,07."""
    return format_number(value, int(places))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
