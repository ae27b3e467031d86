"""The entry form and the detail page show the definition's gate hints."""
from __future__ import annotations

from django.urls import reverse

from surveys.selectors import load_definition


def test_entry_form_and_detail_page_show_the_definitions_gate_hints(
    client, langson_round, entry_officer, supervisor, record
):
    definition = load_definition(langson_round.questionnaire)
    saved = record(entry_officer, "STP-0001")
    client.force_login(supervisor)
    detail = client.get(reverse("surveys:response_detail", args=[langson_round.code, saved.pk])).content.decode()
    client.force_login(entry_officer)
    entry = client.get(reverse("surveys:response_create", args=[langson_round.code])).content.decode()
    for hint in definition.gate_hints.values():
        assert f"Chỉ hỏi khi {hint.condition}" in detail
        assert hint.entry in entry
