"""{% entry_checks round %}: the round page's strip of entry checks — double entry waiting or
differing, quality flags not yet reviewed — with links, for the roles that act on them."""
from __future__ import annotations

from django import template
from django.db.models import Count

from surveys.accounts import access
from surveys.models import Response, ResponseFlag, Verification

register = template.Library()


@register.inclusion_tag("quality/_round_checks.html", takes_context=True)
def entry_checks(context, survey_round):
    user = context.get("user")
    enter = access.can(user, access.ENTER_RESPONSES) or access.can(user, access.ENTER_ANY_AGENCY)
    reader = access.can_read_double_entry(user)
    shown = enter or reader
    data = {"round": survey_round, "shown": shown, "enter": enter, "reader": reader}
    if not shown:
        return data
    # Only the questionnaires that entered the double-entry check (partial index response_to_verify).
    counts = dict(
        Response.objects.filter(round=survey_round).exclude(verification=Verification.NOT_REQUIRED)
        .order_by().values_list("verification").annotate(n=Count("id"))
    )
    data["double_entry"] = bool(survey_round.double_entry_percent) or bool(counts)
    data.update(
        pending=counts.get(Verification.PENDING, 0),
        mismatch=counts.get(Verification.MISMATCH, 0),
        second_for_me=access.second_entry_queue(user, survey_round).count() if enter and data["double_entry"] else 0,
        flags_open=ResponseFlag.objects.filter(response__round=survey_round, reviewed_at__isnull=True).count()
        if access.can_review_flags(user) else None,
    )
    return data
