"""Nhập kép: a paper questionnaire drawn at its first entry (services.record_response) is keyed a
second time, blind, by another officer; equal entries make it count, differing ones wait for a
person to resolve them against the paper.

States (Response.verification): PENDING → (second entry equal) VERIFIED
                                PENDING → (second entry differs) MISMATCH → (resolved) VERIFIED
Only NOT_REQUIRED and VERIFIED questionnaires count in the indexes (Response.objects.counted()).

An "item" compared is a question of the questionnaire or one of the form's details (agency,
domain, channel, date); the serial is not keyed again, it is how the second officer finds the
form. Both entries blank is agreement.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from surveys.accounts import audit
from surveys.models import Response, SecondEntry, Verification
from surveys.questionnaires.definition import AnswerValue, QuestionnaireDef
from surveys.responses import services
from surveys.responses.answers import answers_snapshot
from surveys.responses.importing import ParsedRow, check_row, parse_date

META_ITEMS = ("ma_co_quan", "ma_linh_vuc", "kenh", "ngay_khao_sat")
META_LABELS = {"ma_co_quan": "Cơ quan", "ma_linh_vuc": "Lĩnh vực", "kenh": "Kênh", "ngay_khao_sat": "Ngày khảo sát"}
FIRST, SECOND = "1", "2"


class DoubleEntryRefused(Exception):
    """The second entry or the resolution cannot be made (wrong state, same officer, …)."""


# --------------------------------------------------------------------------- pure comparison
def plain_answer(value: AnswerValue | Iterable[int] | None) -> object:
    """An answer as stored in JSON: a number, a sorted list (multi-choice), text; None if blank."""
    if value is None or value == "":
        return None
    if isinstance(value, (set, frozenset, list, tuple)):
        return sorted(value) or None
    return value


def row_items(definition: QuestionnaireDef, row: ParsedRow) -> dict[str, object]:
    """Every compared item of a keyed questionnaire, in questionnaire order."""
    items: dict[str, object] = {
        "ma_co_quan": row.agency_code,
        "ma_linh_vuc": row.domain_code,
        "kenh": row.channel,
        "ngay_khao_sat": row.surveyed_on.isoformat() if row.surveyed_on else None,
    }
    for question in definition.questions:
        items[question.code] = plain_answer(row.answers.get(question.code))
    return items


def differing_items(first: Mapping[str, object], second: Mapping[str, object]) -> list[str]:
    """The items whose values differ, in the order of `first`."""
    keys = list(first) + [k for k in second if k not in first]
    return [k for k in keys if first.get(k) != second.get(k)]


def row_from_items(definition: QuestionnaireDef, items: Mapping[str, object], *, ma_phieu: str) -> ParsedRow:
    """The questionnaire a set of chosen items describes, as the services take it."""
    answers: dict[str, AnswerValue] = {}
    for question in definition.questions:
        value = items.get(question.code)
        if value is None or value == "" or value == []:
            continue
        answers[question.code] = frozenset(value) if isinstance(value, list) else value
    day = items.get("ngay_khao_sat")
    return ParsedRow(
        row=1, ma_phieu=ma_phieu, agency_code=str(items.get("ma_co_quan") or ""),
        domain_code=str(items.get("ma_linh_vuc") or ""), channel=str(items.get("kenh") or ""),
        surveyed_on=parse_date(day) if isinstance(day, str) else day, answers=answers,
    )


def stored_items(definition: QuestionnaireDef, response: Response) -> dict[str, object]:
    """The first entry (as stored now) as compared items."""
    snapshot = answers_snapshot(response)
    items: dict[str, object] = {
        "ma_co_quan": response.agency.code,
        "ma_linh_vuc": response.domain.code,
        "kenh": response.channel,
        "ngay_khao_sat": response.surveyed_on.isoformat() if response.surveyed_on else None,
    }
    for question in definition.questions:
        items[question.code] = plain_answer(snapshot.get(question.code))
    return items


# --------------------------------------------------------------------------- actions
@transaction.atomic
def record_second_entry(*, response: Response, row: ParsedRow, entered_by: AbstractBaseUser) -> SecondEntry:
    """Nhập lần hai: keep what the second officer keyed, compare it with the first entry.

    Equal → VERIFIED (it now counts: the round is marked changed); different → MISMATCH for a
    resolver. The questionnaire keyed must itself be valid (a keying slip such as option 7 is
    reported to the officer, like at the first entry)."""
    locked = Response.objects.select_for_update(of=("self",)).select_related("round", "agency", "domain").get(
        pk=response.pk
    )
    survey_round = locked.round
    services.ensure_collecting(survey_round)
    if locked.verification != Verification.PENDING or SecondEntry.objects.filter(response=locked).exists():
        raise DoubleEntryRefused(f"Phiếu {locked.ma_phieu} không còn chờ nhập lần hai.")
    if entered_by.pk in (locked.entered_by_id, locked.edited_by_id):
        raise DoubleEntryRefused(
            f"Bạn đã nhập hoặc sửa phiếu {locked.ma_phieu}; lần nhập thứ hai phải do một cán bộ khác thực hiện."
        )
    definition = services.load_storable_definition(survey_round)
    row.ma_phieu = locked.ma_phieu
    errors = check_row(row, services.entry_context(survey_round, definition, row, existing_id=locked.pk))
    if errors:
        raise services.ResponseInvalid(errors)
    first = stored_items(definition, locked)
    second = row_items(definition, row)
    differing = differing_items(first, second)
    entry = SecondEntry.objects.create(
        response=locked,
        answers={code: second[code] for code in second if code not in META_ITEMS},
        meta={"phieu": {k: second[k] for k in META_ITEMS}, "khac_nhau": differing, "so_muc": len(second),
              "lan_dau": {k: first[k] for k in differing}},
        entered_by=entered_by,
        differences=len(differing),
    )
    locked.verification = Verification.MISMATCH if differing else Verification.VERIFIED
    locked.save(update_fields=["verification", "updated_at"])
    audit.record(
        action=audit.AuditAction.SECOND_ENTRY, target=locked, round_code=survey_round.code, actor=entered_by,
        after={"khop": not differing, "so_muc_khac": len(differing), "muc_khac": differing},
        note="Khớp với lần nhập đầu: phiếu được tính." if not differing else "Có khác biệt: chờ đối chiếu với phiếu giấy.",
    )
    if not differing:
        services.mark_round_changed(survey_round=survey_round)
    return entry


@dataclass
class Difference:
    code: str
    label: str
    first: object
    second: object
    first_text: str = ""
    second_text: str = ""


@dataclass
class Comparison:
    response: Response
    entry: SecondEntry
    differences: list[Difference] = field(default_factory=list)
    agreeing: int = 0


def comparison(response: Response, definition: QuestionnaireDef) -> Comparison:
    """The first and second entries side by side, only where they differ now."""
    entry = response.second_entry
    first = stored_items(definition, response)
    second = {**entry.meta.get("phieu", {}), **entry.answers}
    differences = []
    for code in differing_items(first, second):
        question = definition.by_code.get(code)
        differences.append(Difference(
            code=code,
            label=META_LABELS.get(code) or (question.text if question else code),
            first=first.get(code), second=second.get(code),
            first_text=_shown(question, first.get(code)), second_text=_shown(question, second.get(code)),
        ))
    return Comparison(response=response, entry=entry, differences=differences,
                      agreeing=len(first) - len(differences))


def _shown(question, value: object) -> str:
    if value is None:
        return "(bỏ trống)"
    if question is None or question.kind == "text":
        if isinstance(value, str) and len(value) == 10 and value[4] == "-":
            day = parse_date(value)
            return day.strftime("%d/%m/%Y") if day else value
        return str(value)
    values = value if isinstance(value, list) else [value]
    return "; ".join(f"{v} — {question.options.get(v, 'không có trong bộ câu hỏi')}" for v in values)


@transaction.atomic
def resolve_mismatch(
    *, response: Response, choices: Mapping[str, str], resolved_by: AbstractBaseUser, note: str = ""
) -> Response:
    """Đối chiếu: for each differing item the resolver says which entry matches the paper
    (`choices[code]` = "1" or "2"); the questionnaire is saved with those values (through
    services.update_response: the same checks, the same audit of old and new answers) and
    then counts (VERIFIED)."""
    locked = Response.objects.select_for_update(of=("self",)).select_related("round", "agency", "domain").get(
        pk=response.pk
    )
    if locked.verification != Verification.MISMATCH:
        raise DoubleEntryRefused(f"Phiếu {locked.ma_phieu} không có khác biệt nào chờ đối chiếu.")
    entry = SecondEntry.objects.select_for_update().get(response=locked)
    if resolved_by.pk in (locked.entered_by_id, entry.entered_by_id, locked.edited_by_id):
        raise DoubleEntryRefused(
            f"Bạn đã nhập hoặc sửa phiếu {locked.ma_phieu}; việc đối chiếu phải do người khác thực hiện."
        )
    definition = services.load_storable_definition(locked.round)
    result = comparison(locked, definition)
    missing = [d.code for d in result.differences if choices.get(d.code) not in (FIRST, SECOND)]
    if missing:
        raise DoubleEntryRefused("Hãy chọn giá trị đúng theo phiếu giấy cho: " + ", ".join(missing) + ".")
    items = stored_items(definition, locked)
    chosen = {d.code: (d.first if choices[d.code] == FIRST else d.second) for d in result.differences}
    items.update(chosen)
    row = row_from_items(definition, items, ma_phieu=locked.ma_phieu)
    services.update_response(response=locked, row=row, edited_by=resolved_by)
    locked.verification = Verification.VERIFIED
    locked.save(update_fields=["verification", "updated_at"])
    entry.resolved_by = resolved_by
    entry.resolved_at = timezone.now()
    entry.resolution_note = note.strip()
    entry.meta = {**entry.meta, "chon": {code: choices[code] for code in chosen}}
    entry.save(update_fields=["resolved_by", "resolved_at", "resolution_note", "meta"])
    audit.record(
        action=audit.AuditAction.DOUBLE_ENTRY_RESOLVED, target=locked, round_code=locked.round.code, actor=resolved_by,
        after={"chon_lan": {code: choices[code] for code in chosen}, "gia_tri": chosen}, note=note.strip(),
    )
    services.mark_round_changed(survey_round=locked.round)
    return locked


# --------------------------------------------------------------------------- agreement rates
@dataclass
class Agreement:
    """Tỷ lệ khớp of one officer over the double-keyed questionnaires they keyed (either entry)."""

    user_id: int | None
    name: str = ""
    forms: int = 0
    forms_equal: int = 0
    items: int = 0
    items_equal: int = 0
    as_first: int = 0
    as_second: int = 0

    @property
    def form_rate(self) -> float | None:
        return 100 * self.forms_equal / self.forms if self.forms else None

    @property
    def item_rate(self) -> float | None:
        return 100 * self.items_equal / self.items if self.items else None


def agreement_rates(entries: Iterable[tuple[int | None, int | None, int, int]], names: Mapping[int, str]) -> list[Agreement]:
    """Per officer, from (first officer, second officer, items compared, items differing) of each
    second entry: the share of forms keyed alike and of items (questions and details) keyed alike.
    A disagreement counts against both officers: the entries alone cannot tell who slipped."""
    rates: dict[int | None, Agreement] = {}
    for first_id, second_id, compared, differing in entries:
        for user_id, role in ((first_id, "first"), (second_id, "second")):
            rate = rates.setdefault(user_id, Agreement(user_id=user_id, name=names.get(user_id, "nhập tự động")
                                                       if user_id else "nhập tự động"))
            rate.forms += 1
            rate.forms_equal += differing == 0
            rate.items += compared
            rate.items_equal += compared - differing
            if role == "first":
                rate.as_first += 1
            else:
                rate.as_second += 1
    return sorted(rates.values(), key=lambda r: (r.form_rate if r.form_rate is not None else 101, r.name))


def round_agreement(survey_round) -> list[Agreement]:
    """Agreement rates per officer for a round (one query over the second entries)."""

    rows = list(
        SecondEntry.objects.filter(response__round=survey_round).values_list(
            "response__entered_by_id", "entered_by_id", "meta", "differences"
        )
    )
    ids = {i for r in rows for i in r[:2] if i}
    names = {u.pk: (u.get_full_name() or u.get_username()) for u in get_user_model().objects.filter(pk__in=ids)}
    return agreement_rates(
        ((first, second, int((meta or {}).get("so_muc") or 0), differences) for first, second, meta, differences in rows),
        names,
    )


def question_agreement(survey_round, definition: QuestionnaireDef) -> list[tuple[str, str, int, int]]:
    """Per item: (code, label, second entries, second entries that differed on it)."""
    differing: dict[str, int] = {}
    total = 0
    for meta in SecondEntry.objects.filter(response__round=survey_round).values_list("meta", flat=True):
        total += 1
        for code in (meta or {}).get("khac_nhau", []):
            differing[code] = differing.get(code, 0) + 1
    items = [(code, META_LABELS[code]) for code in META_ITEMS] + [(q.code, q.text) for q in definition.questions]
    return [(code, label, total, differing.get(code, 0)) for code, label in items]


def local_day(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""
