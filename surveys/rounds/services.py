"""Thiết lập đợt khảo sát: creating a round (blank or copied from an earlier one), its settings,
its agencies, domains and quotas, and moving it through its statuses.

Rules of the statuses (issue 5): questionnaires are taken only while “Đang thu thập” (enforced
at entry by `services.ensure_collecting`); settings, quotas and agencies change only before the
round is closed — afterwards it must be reopened, with a reason that is kept; a round is
published only from indexes computed on its current data.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from surveys.accounts import audit
from surveys.models import (
    Agency,
    Domain,
    Questionnaire,
    Response,
    RoundAgency,
    RoundAgencyDomain,
    RoundStatus,
    RoundStatusChange,
    SurveyRound,
)
from surveys.questionnaires.scoring import check_storable
from surveys.questionnaires.services import check_definition
from surveys.responses.services import copy_questionnaire
from surveys.selectors import load_definition, round_agency_tree

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,29}$")
RESERVED_CODES = {"moi"}  # path segments of /dot/ that are not rounds

# Allowed moves, and whether each needs a reason (reopening and un-publishing do).
TRANSITIONS: dict[tuple[str, str], bool] = {
    (RoundStatus.DRAFT, RoundStatus.COLLECTING): False,
    (RoundStatus.COLLECTING, RoundStatus.CLOSED): False,
    (RoundStatus.CLOSED, RoundStatus.PUBLISHED): False,
    (RoundStatus.CLOSED, RoundStatus.COLLECTING): True,
    (RoundStatus.PUBLISHED, RoundStatus.CLOSED): True,
}
FROZEN_STATUSES = (RoundStatus.CLOSED, RoundStatus.PUBLISHED)
SETTING_FIELDS = (
    "name", "year", "province_name", "questionnaire", "starts_on", "ends_on",
    "segregate_duties", "enforce_quota", "double_entry_percent", "online_enabled",
)


class RoundSetupError(Exception):
    """A set-up action refused; the message says in Vietnamese what and why. Nothing was saved."""


def status_label(status: str) -> str:
    return RoundStatus(status).label


def ensure_editable(survey_round: SurveyRound) -> None:
    """No change to settings, quotas, agencies or questionnaire once the round is closed."""
    if survey_round.status in FROZEN_STATUSES:
        raise RoundSetupError(
            f"Đợt {survey_round.code} đang ở trạng thái “{survey_round.get_status_display()}”: không được thay "
            "đổi thiết lập, chỉ tiêu, cơ quan hay bộ câu hỏi. Cần mở lại đợt (ghi rõ lý do) trước khi sửa."
        )


def allowed_transitions(survey_round: SurveyRound) -> list[tuple[str, str, bool]]:
    """(to_status, label, reason required) of the moves open from the round's status."""
    return [
        (to, status_label(to), needs_reason)
        for (frm, to), needs_reason in TRANSITIONS.items()
        if frm == survey_round.status
    ]


def check_code(code: str) -> str:
    code = (code or "").strip()
    if not CODE_PATTERN.fullmatch(code) or code.lower() in RESERVED_CODES:
        raise RoundSetupError(
            f"Mã đợt “{code}” không hợp lệ: chỉ dùng chữ không dấu, số, dấu gạch ngang hoặc gạch dưới (tối đa 30 ký tự)."
        )
    if SurveyRound.objects.filter(code=code).exists():
        raise RoundSetupError(f"Mã đợt “{code}” đã có; chọn mã khác.")
    return code


def check_dates(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise RoundSetupError(
            f"Ngày kết thúc thu thập ({ends_on:%d/%m/%Y}) phải sau ngày bắt đầu ({starts_on:%d/%m/%Y})."
        )


def check_percent(value: int) -> None:
    if not 0 <= value <= 100:
        raise RoundSetupError(f"Tỷ lệ phiếu nhập hai lần phải từ 0 đến 100 (%), đã nhập {value}.")


# ---- creating a round ------------------------------------------------------------------------

@transaction.atomic
@audit.signal_rows_by("created_by")
def create_round(
    *,
    code: str,
    name: str,
    year: int,
    starts_on: dt.date,
    ends_on: dt.date,
    created_by: AbstractBaseUser | None,
    source_round: SurveyRound | None = None,
    questionnaire: Questionnaire | None = None,
    new_questionnaire_code: str = "",
    refresh_tree: bool = False,
) -> SurveyRound:
    """Tạo đợt mới: blank (with a questionnaire) or copied from `source_round` — its settings,
    agencies with their level/parent snapshot (or today's tree with `refresh_tree`), domains and
    quotas, and its questionnaire (or a new version of it under `new_questionnaire_code`).
    The new round is a draft (“Nháp”)."""
    code = check_code(code)
    check_dates(starts_on, ends_on)
    if source_round is None and questionnaire is None:
        raise RoundSetupError("Chọn đợt để sao chép hoặc chọn bộ câu hỏi cho đợt mới.")
    base = questionnaire or source_round.questionnaire
    if new_questionnaire_code:
        new_questionnaire_code = new_questionnaire_code.strip()
        if Questionnaire.objects.filter(code=new_questionnaire_code).exists():
            raise RoundSetupError(f"Mã bộ câu hỏi “{new_questionnaire_code}” đã có; chọn mã khác.")
        base = copy_questionnaire(
            questionnaire=base, new_code=new_questionnaire_code, new_name=f"{base.name} — {name}"
        )
    settings_from = source_round
    survey_round = SurveyRound.objects.create(
        code=code,
        name=name,
        year=year,
        starts_on=starts_on,
        ends_on=ends_on,
        questionnaire=base,
        status=RoundStatus.DRAFT,
        province_name=settings_from.province_name if settings_from else "Tỉnh Lạng Sơn",
        segregate_duties=settings_from.segregate_duties if settings_from else True,
        enforce_quota=settings_from.enforce_quota if settings_from else False,
        double_entry_percent=settings_from.double_entry_percent if settings_from else 0,
        online_enabled=settings_from.online_enabled if settings_from else True,
    )
    copied = {"co_quan": 0, "linh_vuc": 0}
    if source_round is not None:
        copied = _copy_agencies(source_round, survey_round, refresh_tree=refresh_tree)
    audit.record(
        action=audit.AuditAction.ROUND_CREATED, target=survey_round, round_code=code, actor=created_by,
        after={"sao_chep_tu": source_round.code if source_round else None, "bo_cau_hoi": base.code, **copied},
        note=(f"Sao chép từ đợt {source_round.code}" if source_round else "Đợt trống"),
    )
    return survey_round


def _copy_agencies(source: SurveyRound, target: SurveyRound, *, refresh_tree: bool) -> dict[str, int]:
    """Copy agencies (one query each way: bulk, so the trail gets one row, not hundreds)."""
    entries = list(RoundAgency.objects.filter(round=source).select_related("agency"))
    if refresh_tree:
        entries = [e for e in entries if e.agency.is_active]
    RoundAgency.objects.bulk_create(
        RoundAgency(
            round=target,
            agency_id=e.agency_id,
            level_id=e.agency.level_id if refresh_tree else e.level_id,
            parent_id=e.agency.parent_id if refresh_tree else e.parent_id,
            quota=e.quota,
        )
        for e in entries
    )
    kept = {e.agency_id for e in entries}
    domains = [d for d in RoundAgencyDomain.objects.filter(round=source) if d.agency_id in kept]
    RoundAgencyDomain.objects.bulk_create(
        RoundAgencyDomain(round=target, agency_id=d.agency_id, domain_id=d.domain_id, quota=d.quota) for d in domains
    )
    return {"co_quan": len(entries), "linh_vuc": len(domains)}


# ---- settings --------------------------------------------------------------------------------

@transaction.atomic
@audit.signal_rows_by("changed_by")
def update_round_settings(
    *, survey_round: SurveyRound, values: Mapping[str, object], changed_by: AbstractBaseUser | None
) -> SurveyRound:
    """Sửa thiết lập đợt (the SETTING_FIELDS). The trail gets the values before and after
    (surveys.accounts.audit signals on SurveyRound)."""
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    ensure_editable(survey_round)
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise RoundSetupError(f"Không sửa được các mục: {', '.join(sorted(unknown))}.")
    merged = {field: values.get(field, getattr(survey_round, field)) for field in SETTING_FIELDS}
    check_dates(merged["starts_on"], merged["ends_on"])
    check_percent(int(merged["double_entry_percent"]))
    questionnaire = merged["questionnaire"]
    if questionnaire.pk != survey_round.questionnaire_id:
        if Response.objects.filter(round=survey_round).exists():
            raise RoundSetupError(
                f"Đợt {survey_round.code} đã có phiếu theo bộ câu hỏi {survey_round.questionnaire.code}: "
                "không đổi được bộ câu hỏi."
            )
        problems = check_storable(load_definition(questionnaire))
        if problems:
            raise RoundSetupError(f"Bộ câu hỏi {questionnaire.code} không dùng được: {' '.join(problems)}")
    for field, value in merged.items():
        setattr(survey_round, field, value)
    survey_round.save()
    return survey_round


# ---- status ----------------------------------------------------------------------------------

@transaction.atomic
@audit.signal_rows_by("changed_by")
def change_round_status(
    *, survey_round: SurveyRound, to_status: str, reason: str, changed_by: AbstractBaseUser | None
) -> RoundStatusChange:
    """Chuyển trạng thái đợt: draft → collecting → closed → published; closed → collecting
    (mở lại) and published → closed (thu hồi công bố) only with a reason. Kept as a
    RoundStatusChange and in the audit trail."""
    survey_round = SurveyRound.objects.select_for_update().select_related("questionnaire").get(pk=survey_round.pk)
    from_status = survey_round.status
    reason = (reason or "").strip()
    if to_status not in RoundStatus.values:
        raise RoundSetupError(f"Trạng thái “{to_status}” không có.")
    if (from_status, to_status) not in TRANSITIONS:
        raise RoundSetupError(
            f"Không chuyển được đợt {survey_round.code} từ “{status_label(from_status)}” sang "
            f"“{status_label(to_status)}”."
        )
    if TRANSITIONS[(from_status, to_status)] and not reason:
        raise RoundSetupError(
            f"Cần ghi lý do khi chuyển đợt từ “{status_label(from_status)}” về “{status_label(to_status)}”."
        )
    if to_status == RoundStatus.COLLECTING and from_status == RoundStatus.DRAFT:
        _check_ready_to_collect(survey_round)
    if to_status == RoundStatus.PUBLISHED and survey_round.computed_version != survey_round.data_version:
        raise RoundSetupError(
            f"Chưa công bố được: chỉ số của đợt {survey_round.code} chưa được tính lại theo dữ liệu mới nhất "
            f"(dữ liệu phiên bản {survey_round.data_version}, chỉ số tính từ phiên bản "
            f"{survey_round.computed_version}). Hãy tính lại chỉ số rồi công bố."
        )
    # A queryset update: the explicit audit row below (with the reason) is the one record of it.
    SurveyRound.objects.filter(pk=survey_round.pk).update(status=to_status)
    change = RoundStatusChange.objects.create(
        round=survey_round, from_status=from_status, to_status=to_status, reason=reason, changed_by=changed_by
    )
    audit.record(
        action=audit.AuditAction.ROUND_STATUS_CHANGED, target=survey_round, round_code=survey_round.code, actor=changed_by,
        before={"trang_thai": from_status}, after={"trang_thai": to_status}, note=reason,
    )
    return change


def _check_ready_to_collect(survey_round: SurveyRound) -> None:

    definition = load_definition(survey_round.questionnaire)
    problems = check_storable(definition) + check_definition(definition)
    if not definition.criteria:
        problems.append("chưa có câu thang hài lòng gắn với yếu tố (tiêu chí) nào.")
    if problems:
        raise RoundSetupError(f"Bộ câu hỏi {survey_round.questionnaire.code} không dùng được: {' '.join(problems)}")
    if not RoundAgencyDomain.objects.filter(round=survey_round).exists():
        raise RoundSetupError(
            f"Đợt {survey_round.code} chưa có cơ quan và lĩnh vực khảo sát nào: thêm trước khi mở thu thập."
        )


# ---- quotas ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuotaCell:
    """One input of the grid: an agency's quota (domain None) or an agency × domain quota."""

    agency_id: int
    domain_id: int | None
    label: str  # "Sở Tư pháp (STP)" or "Sở Tư pháp (STP) × Lý lịch tư pháp (LLTP)"

    @property
    def name(self) -> str:
        return f"a-{self.agency_id}" if self.domain_id is None else f"d-{self.agency_id}-{self.domain_id}"


MAX_QUOTA = 1_000_000


def parse_quota(raw: object) -> int | None:
    """A non-negative whole number typed by a person ('1.200' and '1 200' read as 1200), or None."""
    text = str(raw if raw is not None else "").strip().replace(" ", "").replace("\u00a0", "").replace(".", "")
    if text == "":
        return 0
    if not re.fullmatch(r"\d+", text):
        return None
    value = int(text)
    return value if value <= MAX_QUOTA else None


def check_quota_input(cells: list[QuotaCell], data: Mapping[str, object]) -> tuple[dict[str, int], list[str]]:
    """Values of the cells present in `data`, and a message per bad cell (naming it)."""
    values: dict[str, int] = {}
    errors: list[str] = []
    for cell in cells:
        if cell.name not in data:
            continue
        value = parse_quota(data[cell.name])
        if value is None:
            errors.append(
                f"Chỉ tiêu của {cell.label}: “{data[cell.name]}” không phải số nguyên không âm "
                f"(0 đến {MAX_QUOTA:,}).".replace(",", ".")
            )
        else:
            values[cell.name] = value
    return values, errors


def quota_cells(survey_round: SurveyRound) -> list[QuotaCell]:
    agencies = {a.pk: a for a in Agency.objects.filter(round_entries__round=survey_round)}
    cells = [QuotaCell(a.pk, None, f"{a.name} ({a.code})") for a in agencies.values()]
    for entry in RoundAgencyDomain.objects.filter(round=survey_round).select_related("agency", "domain"):
        cells.append(QuotaCell(
            entry.agency_id, entry.domain_id,
            f"{entry.agency.name} ({entry.agency.code}) × {entry.domain.name} ({entry.domain.code})",
        ))
    return cells


@dataclass
class QuotaOutcome:
    changed: int
    errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors


@transaction.atomic
@audit.signal_rows_by("changed_by")
def save_quotas(
    *, survey_round: SurveyRound, data: Mapping[str, object], changed_by: AbstractBaseUser | None
) -> QuotaOutcome:
    """Lưu lưới chỉ tiêu: every cell valid, or nothing saved. One audit row lists each changed
    cell with its old and new quota."""
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    ensure_editable(survey_round)
    cells = quota_cells(survey_round)
    values, errors = check_quota_input(cells, data)
    if errors:
        return QuotaOutcome(changed=0, errors=errors)
    before, after = {}, {}
    agencies = {ra.agency_id: ra for ra in RoundAgency.objects.filter(round=survey_round).select_related("agency")}
    changed_agencies = []
    for agency_id, entry in agencies.items():
        new = values.get(f"a-{agency_id}")
        if new is not None and new != entry.quota:
            before[entry.agency.code], after[entry.agency.code] = entry.quota, new
            entry.quota = new
            changed_agencies.append(entry)
    changed_domains = []
    for entry in RoundAgencyDomain.objects.filter(round=survey_round).select_related("agency", "domain"):
        new = values.get(f"d-{entry.agency_id}-{entry.domain_id}")
        if new is not None and new != entry.quota:
            key = f"{entry.agency.code}×{entry.domain.code}"
            before[key], after[key] = entry.quota, new
            entry.quota = new
            changed_domains.append(entry)
    RoundAgency.objects.bulk_update(changed_agencies, ["quota"])
    RoundAgencyDomain.objects.bulk_update(changed_domains, ["quota"])
    if before:
        audit.record(action=audit.AuditAction.QUOTAS_CHANGED, target=survey_round, round_code=survey_round.code, actor=changed_by,
                     before=before, after=after, note=f"Sửa {len(before)} ô chỉ tiêu")
    return QuotaOutcome(changed=len(before), errors=[])


# ---- agencies and domains of the round -------------------------------------------------------

@transaction.atomic
@audit.signal_rows_by("changed_by")
def add_round_agency(
    *, survey_round: SurveyRound, agency: Agency, quota: int, changed_by: AbstractBaseUser | None
) -> RoundAgency:
    """Thêm cơ quan vào đợt, at its current place in the tree."""
    ensure_editable(survey_round)
    if RoundAgency.objects.filter(round=survey_round, agency=agency).exists():
        raise RoundSetupError(f"Cơ quan {agency.name} ({agency.code}) đã có trong đợt.")
    if quota < 0:
        raise RoundSetupError(f"Chỉ tiêu của {agency.name} ({agency.code}) phải là số nguyên không âm.")
    return RoundAgency.objects.create(
        round=survey_round, agency=agency, level_id=agency.level_id, parent_id=agency.parent_id, quota=quota
    )  # the audit signal records it


@transaction.atomic
@audit.signal_rows_by("changed_by")
def remove_round_agency(*, survey_round: SurveyRound, agency: Agency, changed_by: AbstractBaseUser | None) -> None:
    """Bỏ cơ quan khỏi đợt with its domains — refused once it has questionnaires."""
    ensure_editable(survey_round)
    if Response.objects.filter(round=survey_round, agency=agency).exists():
        raise RoundSetupError(f"Không bỏ được {agency.name} ({agency.code}): đã có phiếu về cơ quan này trong đợt.")
    if RoundAgency.objects.filter(round=survey_round, parent=agency).exists():
        raise RoundSetupError(
            f"Không bỏ được {agency.name} ({agency.code}): còn cơ quan trực thuộc trong đợt; bỏ các cơ quan đó trước."
        )
    for entry in RoundAgencyDomain.objects.filter(round=survey_round, agency=agency):
        entry.delete()
    deleted = 0
    for entry in RoundAgency.objects.filter(round=survey_round, agency=agency):
        entry.delete()
        deleted += 1
    if not deleted:
        raise RoundSetupError(f"Cơ quan {agency.name} ({agency.code}) không có trong đợt.")


@transaction.atomic
@audit.signal_rows_by("changed_by")
def add_round_domain(
    *, survey_round: SurveyRound, agency: Agency, domain: Domain, quota: int, changed_by: AbstractBaseUser | None
) -> RoundAgencyDomain:
    """Thêm lĩnh vực khảo sát cho một cơ quan của đợt."""
    ensure_editable(survey_round)
    if not RoundAgency.objects.filter(round=survey_round, agency=agency).exists():
        raise RoundSetupError(f"Cơ quan {agency.name} ({agency.code}) chưa có trong đợt; thêm cơ quan trước.")
    if RoundAgencyDomain.objects.filter(round=survey_round, agency=agency, domain=domain).exists():
        raise RoundSetupError(f"{agency.name} ({agency.code}) đã khảo sát lĩnh vực {domain.name} ({domain.code}).")
    if quota < 0:
        raise RoundSetupError("Chỉ tiêu phải là số nguyên không âm.")
    return RoundAgencyDomain.objects.create(round=survey_round, agency=agency, domain=domain, quota=quota)


@transaction.atomic
@audit.signal_rows_by("changed_by")
def remove_round_domain(
    *, survey_round: SurveyRound, agency: Agency, domain: Domain, changed_by: AbstractBaseUser | None
) -> None:
    """Bỏ một lĩnh vực của cơ quan khỏi đợt — refused once it has questionnaires."""
    ensure_editable(survey_round)
    if Response.objects.filter(round=survey_round, agency=agency, domain=domain).exists():
        raise RoundSetupError(
            f"Không bỏ được lĩnh vực {domain.name} ({domain.code}) của {agency.name} ({agency.code}): đã có phiếu."
        )
    entries = list(RoundAgencyDomain.objects.filter(round=survey_round, agency=agency, domain=domain))
    if not entries:
        raise RoundSetupError(f"{agency.name} ({agency.code}) không khảo sát lĩnh vực {domain.code} trong đợt.")
    for entry in entries:
        entry.delete()  # one audit row by the signal


# ---- reads for the quota grid ----------------------------------------------------------------

@dataclass
class GridRow:
    """An agency of the grid with its domains; `domain_sum` is checked against its own quota."""

    entry: RoundAgency
    depth: int
    domains: list[RoundAgencyDomain]

    @property
    def domain_sum(self) -> int:
        return sum(d.quota for d in self.domains)

    @property
    def mismatch(self) -> bool:
        return bool(self.domains) and self.domain_sum != self.entry.quota


@dataclass(frozen=True)
class LevelTotal:
    level_id: int
    name: str
    agencies: int
    quota: int
    domain_quota: int


def level_totals(rows: list[GridRow]) -> tuple[list[LevelTotal], int, int]:
    """Subtotals per level (in level order) and the grand totals of agency and domain quotas."""
    by_level: dict[int, list[GridRow]] = {}
    for row in rows:
        by_level.setdefault(row.entry.level_id, []).append(row)
    ordered = sorted(by_level.values(), key=lambda rs: (rs[0].entry.level.order, rs[0].entry.level.code))
    totals = [
        LevelTotal(rs[0].entry.level_id, rs[0].entry.level.name, len(rs), sum(r.entry.quota for r in rs),
                   sum(r.domain_sum for r in rs))
        for rs in ordered
    ]
    return totals, sum(t.quota for t in totals), sum(t.domain_quota for t in totals)


def quota_grid(survey_round: SurveyRound) -> list[GridRow]:
    """The round's agencies in tree order, each with its domains (by domain code)."""
    domains: dict[int, list[RoundAgencyDomain]] = {}
    for entry in RoundAgencyDomain.objects.filter(round=survey_round).select_related("domain").order_by("domain__code"):
        domains.setdefault(entry.agency_id, []).append(entry)
    return [GridRow(entry, depth, domains.get(entry.agency_id, [])) for entry, depth in round_agency_tree(survey_round)]
