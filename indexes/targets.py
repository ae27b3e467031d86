"""Mục tiêu kết quả of a round: the SIPAS target and the key domains' target that the
dashboards highlight and the annual report measures against — one rule, read in one place.

`round_targets` (cached) is what every reader uses; `update_round_targets` is the one service
that changes them (audited; it clears the shared cache entry).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction

from surveys.accounts import audit
from surveys.models import Domain, SurveyRound

from .models import RoundTargets

TARGETS_CACHE_SECONDS = 30  # a safety net: update_round_targets deletes the shared entry
DEFAULT_SIPAS_TARGET = 90.0
DEFAULT_DOMAIN_TARGET = 80.0
# Land, construction, investment: the domains the seeds hold to ≥ 80% (Sơn La 2022).
DEFAULT_TARGET_DOMAINS = ("DATDAI", "HDXD", "DTVN")


@dataclass(frozen=True)
class Targets:
    sipas: float = DEFAULT_SIPAS_TARGET
    domain: float = DEFAULT_DOMAIN_TARGET
    domain_codes: frozenset[str] = frozenset()
    domain_names: tuple[str, ...] = ()
    saved: bool = False  # set by staff for this round (else the defaults)

    def for_domain(self, code: str) -> float | None:
        return self.domain if code in self.domain_codes else None


def stored_targets(survey_round: SurveyRound) -> Targets:
    """The round's targets, or the defaults of the seeds when staff have not set them."""
    stored = RoundTargets.objects.filter(round=survey_round).first()
    if stored is None:
        domains = list(Domain.objects.filter(code__in=DEFAULT_TARGET_DOMAINS).order_by("code"))
        return Targets(DEFAULT_SIPAS_TARGET, DEFAULT_DOMAIN_TARGET, frozenset(d.code for d in domains),
                       tuple(d.name for d in domains))
    domains = list(stored.domains.order_by("code"))
    return Targets(float(stored.sipas), float(stored.domain), frozenset(d.code for d in domains),
                   tuple(d.name for d in domains), saved=True)


def targets_cache_key(survey_round: SurveyRound) -> str:
    # Not per data_version: the writer's copy of the round may hold an older one than readers'.
    return f"sipas:dashboard:targets:{survey_round.code}:{survey_round.pk}"


def round_targets(survey_round: SurveyRound) -> Targets:
    """The round's targets (cached; `update_round_targets` clears the entry)."""
    key = targets_cache_key(survey_round)
    targets = cache.get(key)
    if targets is None:
        targets = stored_targets(survey_round)
        cache.set(key, targets, TARGETS_CACHE_SECONDS)
    return targets


@transaction.atomic
def update_round_targets(
    *, survey_round: SurveyRound, sipas: Decimal, domain: Decimal, domain_codes: Sequence[str],
    actor: AbstractBaseUser | None,
) -> RoundTargets:
    """Đặt mục tiêu kết quả của đợt; writes one audit row with the values before and after."""
    before = stored_targets(survey_round)
    targets, _ = RoundTargets.objects.select_for_update().get_or_create(round=survey_round)
    targets.sipas = sipas
    targets.domain = domain
    targets.save()
    targets.domains.set(Domain.objects.filter(code__in=domain_codes))
    audit.record(
        action=audit.AuditAction.TARGETS_SET,
        target=survey_round,
        round_code=survey_round.code,
        before={"sipas": before.sipas, "linh_vuc": before.domain, "cac_linh_vuc": sorted(before.domain_codes),
                "da_luu": before.saved},
        after={"sipas": float(sipas), "linh_vuc": float(domain), "cac_linh_vuc": sorted(domain_codes)},
        actor=actor,
    )
    cache.delete(targets_cache_key(survey_round))
    transaction.on_commit(lambda: cache.delete(targets_cache_key(survey_round)))
    return targets
