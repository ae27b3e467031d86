"""User actions of the survey domain. Each is one transaction: all or nothing."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import IO

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F

from surveys.accounts import audit
from surveys.models import (
    SLOT_LAYOUT,
    Agency,
    Answer,
    Channel,
    Domain,
    Factor,
    Option,
    Question,
    Questionnaire,
    Response,
    RoundAgency,
    RoundAgencyDomain,
    RoundStatus,
    SecondEntry,
    Section,
    SurveyRound,
    Verification,
)
from surveys.questionnaires.definition import QuestionnaireDef
from surveys.questionnaires.scoring import check_storable, derived_columns, empty_columns
from surveys.responses import quality
from surveys.responses.answers import answers_snapshot, parsed_snapshot, read_answers
from surveys.responses.importing import ImportContext, ParsedRow, RowError, WorkbookUnreadable, check_row, read_workbook
from surveys.selectors import load_definition, round_agency_domains
from surveys.signals import round_data_changed


class RoundNotOpen(Exception):
    """Đợt khảo sát không ở trạng thái nhận phiếu."""


@dataclass
class ImportOutcome:
    saved: int
    errors: list[RowError]
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class QuestionnaireUnsupported(RoundNotOpen):
    """Bộ câu hỏi vượt quá số cột lưu trữ: the round cannot take questionnaires."""


def load_storable_definition(survey_round: SurveyRound, definition: QuestionnaireDef | None = None) -> QuestionnaireDef:
    """The round's questionnaire as data, refusing one that does not fit the slot columns.

    A caller that has just read the definition (the entry view builds its form from it) passes it
    in: reading it costs three queries and a few hundred objects, a third of a save."""
    if definition is None or definition.code != survey_round.questionnaire.code:
        definition = load_definition(survey_round.questionnaire)
    problems = check_storable(definition)
    if problems:
        raise QuestionnaireUnsupported(" ".join(problems))
    return definition


def ensure_collecting(survey_round: SurveyRound) -> None:
    if survey_round.status != RoundStatus.COLLECTING:
        raise RoundNotOpen(
            f"Đợt {survey_round.code} đang ở trạng thái “{survey_round.get_status_display()}”; "
            "chỉ nhận phiếu khi đợt “Đang thu thập”."
        )


def build_import_context(
    survey_round: SurveyRound, definition: QuestionnaireDef, *, allowed_agencies: set[str] | None = None
) -> ImportContext:
    return ImportContext(
        definition=definition,
        round_code=survey_round.code,
        agency_domains=round_agency_domains(survey_round),
        agencies=set(RoundAgency.objects.filter(round=survey_round).values_list("agency__code", flat=True)),
        existing_serials=set(Response.objects.filter(round=survey_round).values_list("ma_phieu", flat=True)),
        allowed_agencies=allowed_agencies,
    )


def import_responses(
    *,
    survey_round: SurveyRound,
    source: IO[bytes] | str,
    entered_by: AbstractBaseUser | None,
    skip_invalid: bool = False,
    allowed_agencies: set[str] | None = None,
) -> ImportOutcome:
    """Nhập phiếu từ bảng tính: every row saved, or (with an error) none unless `skip_invalid`.

    `allowed_agencies` (agency codes) restricts the rows to the agencies the person importing
    may key questionnaires for (surveys.accounts.access.enterable_agencies); None = any agency."""
    ensure_collecting(survey_round)
    definition = load_storable_definition(survey_round)
    context = build_import_context(survey_round, definition, allowed_agencies=allowed_agencies)
    try:
        rows, errors = read_workbook(source, context)
    except WorkbookUnreadable as exc:
        return ImportOutcome(saved=0, errors=[RowError(None, None, str(exc))])
    if errors and not skip_invalid:
        return ImportOutcome(saved=0, errors=errors)
    with transaction.atomic():
        saved = save_parsed_rows(survey_round=survey_round, definition=definition, rows=rows, entered_by=entered_by)
        if saved:
            audit.record(
                action=audit.AuditAction.WORKBOOK_IMPORTED, target=survey_round, round_code=survey_round.code, actor=entered_by,
                after={"so_phieu": saved, "ma_phieu": [row.ma_phieu for row in rows]},
                note=f"Nhập {saved} phiếu từ tệp {getattr(source, 'name', source)}",
            )
    return ImportOutcome(saved=saved, errors=errors, skipped=len({e.row for e in errors if e.row and e.row > 1}))


@transaction.atomic
def save_parsed_rows(
    *,
    survey_round: SurveyRound,
    definition: QuestionnaireDef,
    rows: list[ParsedRow],
    entered_by: AbstractBaseUser | None,
    verification: str = Verification.NOT_REQUIRED,
) -> int:
    """Store checked rows with their answers and derived scores, then mark the round stale.

    `verification` is PENDING for a paper questionnaire drawn for double entry (record_response)."""
    if not rows:
        return 0
    responses = _store_rows(survey_round=survey_round, definition=definition, rows=rows, entered_by=entered_by,
                            verification=verification)
    mark_round_changed(survey_round=survey_round)
    return len(responses)


def _store_rows(
    *,
    survey_round: SurveyRound,
    definition: QuestionnaireDef,
    rows: list[ParsedRow],
    entered_by: AbstractBaseUser | None,
    verification: str,
) -> list[Response]:
    """Insert the responses and their answers; the responses come back with their ids."""
    # Only the codes the rows use: one questionnaire needs one agency and one domain.
    agencies = dict(Agency.objects.filter(code__in={r.agency_code for r in rows}).values_list("code", "id"))
    domains = dict(Domain.objects.filter(code__in={r.domain_code for r in rows}).values_list("code", "id"))
    questions = dict(survey_round.questionnaire.questions.order_by().values_list("code", "id"))
    responses = Response.objects.bulk_create(
        [
            Response(
                round=survey_round,
                ma_phieu=row.ma_phieu,
                agency_id=agencies[row.agency_code],
                domain_id=domains[row.domain_code],
                channel=row.channel,
                surveyed_on=row.surveyed_on,
                entered_by=entered_by,
                verification=verification,
                **derived_columns(definition, row.answers),
            )
            for row in rows
        ],
        batch_size=1000,
    )
    if any(r.pk is None for r in responses):  # backends without RETURNING
        ids = dict(
            Response.objects.filter(round=survey_round, ma_phieu__in=[r.ma_phieu for r in rows]).values_list(
                "ma_phieu", "id"
            )
        )
        for response in responses:
            response.pk = ids[response.ma_phieu]
    Answer.objects.bulk_create(
        [
            answer
            for row, response in zip(rows, responses, strict=True)
            for answer in _answer_rows(response.pk, row.answers, questions)
        ],
        batch_size=5000,
    )
    return responses


def _answer_rows(response_id: int, answers: dict, question_ids: dict[str, int]) -> list[Answer]:
    rows = []
    for code, value in answers.items():
        if isinstance(value, frozenset):
            rows.extend(Answer(response_id=response_id, question_id=question_ids[code], value=v) for v in sorted(value))
        elif isinstance(value, str):
            rows.append(Answer(response_id=response_id, question_id=question_ids[code], text=value))
        else:
            rows.append(Answer(response_id=response_id, question_id=question_ids[code], value=value))
    return rows


def mark_round_changed(*, survey_round: SurveyRound) -> None:
    """Bump the round's data version and tell whoever computes from it (round_data_changed: the
    index app asks the worker for a recomputation once the change commits)."""
    SurveyRound.objects.filter(pk=survey_round.pk).update(data_version=F("data_version") + 1)
    round_data_changed.send(sender=SurveyRound, round_id=survey_round.pk)


@transaction.atomic
def copy_questionnaire(*, questionnaire: Questionnaire, new_code: str, new_name: str | None = None) -> Questionnaire:
    """Sao chép bộ câu hỏi: sections, factors, questions, options and gating, under a new code."""
    copy = Questionnaire.objects.create(
        code=new_code,
        name=new_name or f"{questionnaire.name} (bản sao)",
        description=questionnaire.description,
        copied_from=questionnaire,
    )
    sections = {
        s.pk: Section.objects.create(questionnaire=copy, code=s.code, title=s.title, order=s.order)
        for s in questionnaire.sections.all()
    }
    factors = {
        f.pk: Factor.objects.create(questionnaire=copy, code=f.code, name=f.name, order=f.order)
        for f in questionnaire.factors.all()
    }
    originals = list(questionnaire.questions.prefetch_related("options"))
    questions: dict[int, Question] = {}
    for q in originals:
        questions[q.pk] = Question.objects.create(
            questionnaire=copy,
            section=sections[q.section_id],
            code=q.code,
            text=q.text,
            kind=q.kind,
            max_choices=q.max_choices,
            factor=factors.get(q.factor_id),
            condition_values=list(q.condition_values or []),
            order=q.order,
        )
        Option.objects.bulk_create(
            Option(question=questions[q.pk], value=o.value, label=o.label) for o in q.options.all()
        )
    for q in originals:
        if q.condition_question_id:
            Question.objects.filter(pk=questions[q.pk].pk).update(
                condition_question=questions[q.condition_question_id]
            )
    return copy


class ResponseInvalid(Exception):
    """The questionnaire breaks a rule; `errors` name the field (or None) and what is wrong."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


# Paper questionnaires: the ones a round may have keyed a second time (double entry).
PAPER_CHANNELS = frozenset({Channel.TRUC_TIEP, Channel.BUU_DIEN, Channel.PHONG_VAN})
# Which questionnaires are double-keyed must not be guessable by the officer keying them.
_selection_rng = random.SystemRandom()


def entry_context(
    survey_round: SurveyRound, definition: QuestionnaireDef, row: ParsedRow, *, existing_id: int | None = None
) -> ImportContext:
    """What one questionnaire is checked against, read with three small indexed queries.

    The import context of a workbook holds every serial of the round; for one questionnaire
    that would read 100 000 serials to test one (the unique index on round + serial answers the
    question directly), so only the row's agency, its domains and its serial are looked up."""
    agency_domains = set(
        RoundAgencyDomain.objects.filter(round=survey_round, agency__code=row.agency_code).values_list(
            "agency__code", "domain__code"
        )
    )
    agencies = set(
        RoundAgency.objects.filter(round=survey_round, agency__code=row.agency_code).values_list(
            "agency__code", flat=True
        )
    )
    taken = Response.objects.filter(round=survey_round, ma_phieu=row.ma_phieu)
    if existing_id is not None:
        taken = taken.exclude(pk=existing_id)
    return ImportContext(
        definition=definition,
        round_code=survey_round.code,
        agency_domains=agency_domains,
        agencies=agencies,
        existing_serials={row.ma_phieu} if row.ma_phieu and taken.exists() else set(),
    )


def _check_entry(
    survey_round: SurveyRound, definition: QuestionnaireDef, row: ParsedRow, *, existing_id: int | None
) -> None:
    errors = check_row(row, entry_context(survey_round, definition, row, existing_id=existing_id))
    if errors:
        raise ResponseInvalid(errors)


def quota_message(*, agency_code: str, domain_code: str, quota: int, received: int, round_code: str) -> str:
    return (
        f"cơ quan {agency_code}, lĩnh vực {domain_code} đã đủ chỉ tiêu ({received}/{quota} phiếu); "
        f"đợt {round_code} không nhận phiếu vượt chỉ tiêu"
    )


def check_quota(survey_round: SurveyRound, row: ParsedRow, *, existing: Response | None = None) -> None:
    """Refuse a questionnaire over the agency × domain quota when the round enforces quotas.

    Every questionnaire received counts, whatever its double-entry state: each is a paper form
    the quota was meant to bound. The plan row is locked so that two desks saving the last
    questionnaire at once cannot both get in."""
    if not survey_round.enforce_quota:
        return
    if existing is not None and (existing.agency.code, existing.domain.code) == (row.agency_code, row.domain_code):
        return  # an edit that stays in its agency × domain takes no new place
    plan = (
        RoundAgencyDomain.objects.select_for_update(of=("self",))
        .filter(round=survey_round, agency__code=row.agency_code, domain__code=row.domain_code)
        .first()
    )
    if plan is None:  # check_row has already named the pair as not surveyed
        return
    received = Response.objects.filter(round=survey_round, agency_id=plan.agency_id, domain_id=plan.domain_id).count()
    if received >= plan.quota:
        raise ResponseInvalid([RowError(row.row, "ma_linh_vuc", quota_message(
            agency_code=row.agency_code, domain_code=row.domain_code, quota=plan.quota, received=received,
            round_code=survey_round.code,
        ))])


def drawn_for_double_entry(survey_round: SurveyRound, channel: str, rng: random.Random | None = None) -> bool:
    """Whether a paper questionnaire at its first entry is drawn for double entry: with the
    round's probability (100 % = every one); never for an online or telephone answer."""
    percent = survey_round.double_entry_percent or 0
    if channel not in PAPER_CHANNELS or percent <= 0:
        return False
    if percent >= 100:
        return True
    return (rng or _selection_rng).random() * 100 < percent


def _serial_taken(survey_round: SurveyRound, row: ParsedRow) -> ResponseInvalid:
    return ResponseInvalid([RowError(row.row, "ma_phieu", f"mã phiếu {row.ma_phieu} đã có trong đợt {survey_round.code}")])


@transaction.atomic
def record_response(
    *,
    survey_round: SurveyRound,
    row: ParsedRow,
    entered_by: AbstractBaseUser | None,
    rng: random.Random | None = None,
    definition: QuestionnaireDef | None = None,
) -> Response:
    """Nhập một phiếu (paper form or online): checked like an imported row, saved with its
    answers and scores, audited; drawn for double entry (paper forms, `rng` to reproduce the
    draw) and checked for near duplicates and straight-lining. `definition`: the round's
    questionnaire when the caller has it already."""
    ensure_collecting(survey_round)
    definition = load_storable_definition(survey_round, definition)
    _check_entry(survey_round, definition, row, existing_id=None)
    check_quota(survey_round, row)
    pending = drawn_for_double_entry(survey_round, row.channel, rng)
    verification = Verification.PENDING if pending else Verification.NOT_REQUIRED
    try:
        with transaction.atomic():  # a serial saved meanwhile by another desk: refused, not a 500
            [response] = _store_rows(survey_round=survey_round, definition=definition, rows=[row],
                                     entered_by=entered_by, verification=verification)
    except IntegrityError:
        raise _serial_taken(survey_round, row) from None
    mark_round_changed(survey_round=survey_round)
    after = {"co_quan": row.agency_code, "linh_vuc": row.domain_code,
             "tra_loi": parsed_snapshot(definition, row.answers)}
    if pending:
        after["nhap_kep"] = Verification.PENDING.label
    audit.record(action=audit.AuditAction.RESPONSE_ENTERED, actor=entered_by, target=response, round_code=survey_round.code, after=after)
    quality.flag_response(response=response, definition=definition, answers=row.answers)
    return response


@transaction.atomic
def update_response(
    *, response: Response, row: ParsedRow, edited_by: AbstractBaseUser | None,
    definition: QuestionnaireDef | None = None,
) -> Response:
    """Sửa phiếu: replace its answers and details, keeping old and new answers in the audit trail.

    A questionnaire drawn for double entry whose answers or details change is in the check again
    (`reopen_double_entry`): it stops counting until another officer keys it or resolves it."""
    survey_round = response.round
    ensure_collecting(survey_round)
    definition = load_storable_definition(survey_round, definition)
    _check_entry(survey_round, definition, row, existing_id=response.pk)
    check_quota(survey_round, row, existing=response)
    before = {"ma_phieu": response.ma_phieu, "co_quan": response.agency.code, "linh_vuc": response.domain.code,
              "kenh": response.channel, "ngay": response.surveyed_on, "tra_loi": answers_snapshot(response)}
    questions = dict(survey_round.questionnaire.questions.values_list("code", "id"))
    response.ma_phieu = row.ma_phieu
    response.agency = Agency.objects.get(code=row.agency_code)
    response.domain = Domain.objects.get(code=row.domain_code)
    response.channel = row.channel
    response.surveyed_on = row.surveyed_on
    response.edited_by = edited_by
    for field, value in {**empty_columns(), **derived_columns(definition, row.answers)}.items():
        setattr(response, field, value)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise _serial_taken(survey_round, row) from None
    response.answers.all().delete()
    Answer.objects.bulk_create(_answer_rows(response.pk, row.answers, questions))
    after = {"ma_phieu": row.ma_phieu, "co_quan": row.agency_code, "linh_vuc": row.domain_code,
             "kenh": row.channel, "ngay": row.surveyed_on, "tra_loi": answers_snapshot(response)}
    changed = [k for k in after if after[k] != before[k]]
    audit.record(action=audit.AuditAction.RESPONSE_EDITED, actor=edited_by, target=response, round_code=survey_round.code,
                 before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    if set(changed) - {"ma_phieu"}:  # the serial is how a form is found, not a keyed item
        reopen_double_entry(response=response, edited_by=edited_by)
    mark_round_changed(survey_round=survey_round)
    quality.flag_response(response=response, definition=definition, answers=row.answers)
    return response


def reopen_double_entry(*, response: Response, edited_by: AbstractBaseUser | None) -> None:
    """Trả về chờ kiểm tra nhập kép: an edited questionnaire that was drawn for double entry
    no longer matches what was checked. With a second entry on file it waits for a Sở Nội vụ
    officer to resolve the two against the paper (any earlier resolution is void); without one
    it waits for the second keying. Either way it does not count until then."""
    if response.verification == Verification.NOT_REQUIRED:
        return
    second = SecondEntry.objects.filter(response=response).first()
    state = Verification.MISMATCH if second is not None else Verification.PENDING
    if second is not None and second.resolved_at is not None:
        # The old resolution stays in the trail ("đối chiếu nhập kép"); it no longer holds.
        second.resolved_by, second.resolved_at, second.resolution_note = None, None, ""
        second.save(update_fields=["resolved_by", "resolved_at", "resolution_note"])
    if response.verification == state:
        return
    before = response.verification
    response.verification = state
    response.save(update_fields=["verification", "updated_at"])
    audit.record(
        action=audit.AuditAction.DOUBLE_ENTRY_REOPENED, actor=edited_by, target=response, round_code=response.round.code,
        before={"nhap_kep": Verification(before).label}, after={"nhap_kep": state.label},
        note="Phiếu đã sửa sau khi nhập kép: không tính vào chỉ số cho đến khi "
             + ("đối chiếu lại với phiếu giấy." if second is not None else "được nhập lần hai."),
    )


@transaction.atomic
def rebuild_derived_columns(*, survey_round: SurveyRound, batch_size: int = 2000) -> int:
    """Tính lại các cột dẫn xuất of every response of the round from its Answer rows (after a
    change of the storage layout); then the round is recomputed."""
    definition = load_storable_definition(survey_round)
    fields = list(empty_columns())
    responses = Response.objects.filter(round=survey_round)
    ids = list(responses.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        batch = ids[start:start + batch_size]
        stored = read_answers(Answer.objects.filter(response_id__in=batch), as_sets=True)
        changed = [Response(pk=pk, **{**empty_columns(), **derived_columns(definition, stored.get(pk, {}))})
                   for pk in batch]
        Response.objects.bulk_update(changed, fields)
    SurveyRound.objects.filter(pk=survey_round.pk).update(slot_layout=SLOT_LAYOUT)
    mark_round_changed(survey_round=survey_round)
    return responses.count()
