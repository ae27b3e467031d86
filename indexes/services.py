"""Recomputing and storing a round's indexes (sending that work to the worker: indexes.tasks)."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from surveys.accounts import audit
from surveys.models import SLOT_LAYOUT, SurveyRound
from surveys.responses.services import rebuild_derived_columns
from surveys.selectors import load_definition

from . import engine, gather
from .models import IndexResult


def compute_round(survey_round: SurveyRound) -> list[engine.ScopeResult]:
    """Every index of the round from the stored responses (no answer row is loaded)."""
    definition = load_definition(survey_round.questionnaire)
    tallies = gather.group_tallies(survey_round, definition)
    return engine.compute_scopes(
        gather.round_structure(survey_round), definition, tallies, gather.share_question_codes(definition)
    )


def recompute_round(*, round_id: int, force: bool = False) -> bool:
    """Tính lại chỉ số của đợt. Returns False when the stored results are already current.

    Safe to run twice or concurrently: results are stored only if they are newer than
    what is stored, and the round stays stale if a change arrived during the run.
    """
    survey_round = SurveyRound.objects.select_related("questionnaire").get(pk=round_id)
    if survey_round.slot_layout < SLOT_LAYOUT:
        # Written before a change of the slot layout (an upgraded database): rebuilt from the
        # answer rows first, or the computation would read counters that were never filled.
        rebuild_derived_columns(survey_round=survey_round)
        survey_round = SurveyRound.objects.select_related("questionnaire").get(pk=round_id)
    version = survey_round.data_version
    if not force and survey_round.computed_version >= version and survey_round.computed_at:
        return False
    results = compute_round(survey_round)
    return store_results(round_id=round_id, version=version, results=results, force=force)


@transaction.atomic
def store_results(*, round_id: int, version: int, results: list[engine.ScopeResult], force: bool = False) -> bool:
    survey_round = SurveyRound.objects.select_for_update().get(pk=round_id)
    if not force and survey_round.computed_at and survey_round.computed_version > version:
        return False
    IndexResult.objects.filter(round=survey_round).delete()
    IndexResult.objects.bulk_create(
        [
            IndexResult(
                round=survey_round,
                scope=result.scope,
                code=result.code or "",
                name=result.name,
                order=order,
                n=result.values.n,
                sipas=result.values.sipas,
                factors=result.values.factors,
                factors_n=result.values.factors_n,
                criteria=result.values.criteria,
                criteria_n=result.values.criteria_n,
                shares=result.values.shares,
                intervals=result.values.intervals,
            )
            for order, result in enumerate(results)
        ],
        batch_size=500,
    )
    survey_round.computed_version = max(version, survey_round.computed_version)
    survey_round.computed_at = timezone.now()
    survey_round.save(update_fields=["computed_version", "computed_at"])
    province = next((r for r in results if r.scope == "province"), None)
    audit.record(
        action=audit.AuditAction.INDEXES_RECOMPUTED, actor=None, target=survey_round, round_code=survey_round.code,
        after={"phien_ban_du_lieu": version, "so_pham_vi": len(results),
               "so_phieu": province.values.n if province else 0,
               "sipas_toan_tinh": province.values.sipas if province else None},
    )
    return True
