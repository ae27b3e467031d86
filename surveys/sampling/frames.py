"""Khung mẫu và chọn mẫu (issue 5 item 3): the lists of people who completed procedures, the
seeded random draw per quota, contact status and response rates, and the purge of personal data.

Personal data (name, address, phone) lives only in FrameContact and leaves it only through the
mailing and phone lists (surveys.sampling.exports). Reading an uploaded frame workbook is
surveys.sampling.frame_workbook. Nothing here is read by the index engine or the
response exports, and audit rows name serials and counts, never people.

Other modules call `mark_returned(survey_round=…, ma_phieu=…)` after saving a questionnaire
whose serial may come from a draw (paper entry, import, online): the contact becomes "đã thu về".
Counts of returned contacts also look for a saved questionnaire with the contact's serial, so a
questionnaire saved by a path that forgot to call it is still counted.
"""
from __future__ import annotations

import random
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from surveys.accounts import audit
from surveys.models import (
    Agency,
    ContactStatus,
    FrameContact,
    Response,
    RoundAgencyDomain,
    RoundStatus,
    SampleDraw,
    SampleFrame,
    SurveyRound,
)
from surveys.responses.importing import RowError, WorkbookUnreadable

from .frame_workbook import FrameContext, read_frame_workbook

SERIAL_PREFIX = "KM"  # KM-<cơ quan>-<lĩnh vực>-001: apart from paper batches and online serials
SERIAL_DIGITS = 3
TOKEN_BYTES = 18  # secrets.token_urlsafe(18): 24 characters, 144 random bits
OPEN_STATUSES = (RoundStatus.DRAFT, RoundStatus.COLLECTING)
PURGEABLE_STATUSES = (RoundStatus.CLOSED, RoundStatus.PUBLISHED)


class FramesClosed(Exception):
    """The round no longer takes frames or draws (or is not yet closed, for a purge)."""


class FrameInputInvalid(Exception):
    """Bad input to a frame action; `messages` are Vietnamese and say where and what."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


# --------------------------------------------------------------------------- upload
@dataclass
class FrameUploadOutcome:
    frame: SampleFrame | None
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


def ensure_frames_open(survey_round: SurveyRound) -> None:
    if survey_round.status not in OPEN_STATUSES:
        raise FramesClosed(
            f"Đợt {survey_round.code} đang ở trạng thái “{survey_round.get_status_display()}”; chỉ tải khung mẫu "
            "và chọn mẫu khi đợt ở trạng thái “Nháp” hoặc “Đang thu thập”."
        )


def upload_frame(
    *, survey_round: SurveyRound, agency: Agency, source: IO[bytes] | str, filename: str,
    uploaded_by: AbstractBaseUser,
) -> FrameUploadOutcome:
    """Tải lên khung mẫu của một cơ quan: every row checked; with any error nothing is saved."""
    ensure_frames_open(survey_round)
    domains = set(
        RoundAgencyDomain.objects.filter(round=survey_round, agency=agency).values_list("domain__code", flat=True)
    )
    context = FrameContext(round_code=survey_round.code, agency_code=agency.code, domain_codes=domains)
    try:
        rows, errors = read_frame_workbook(source, context)
    except WorkbookUnreadable as exc:
        return FrameUploadOutcome(frame=None, errors=[RowError(None, None, str(exc))])
    if errors:
        return FrameUploadOutcome(frame=None, errors=errors)
    domain_ids = dict(
        RoundAgencyDomain.objects.filter(round=survey_round, agency=agency).values_list("domain__code", "domain_id")
    )
    with transaction.atomic():
        frame = SampleFrame.objects.create(
            round=survey_round, agency=agency, filename=filename[:255], uploaded_by=uploaded_by
        )
        FrameContact.objects.bulk_create(
            [
                FrameContact(
                    frame=frame, round=survey_round, agency=agency, domain_id=domain_ids[row.domain_code],
                    row_number=row.row, full_name=row.full_name, address=row.address, phone=row.phone,
                    procedure=row.procedure, completed_on=row.completed_on,
                )
                for row in rows
            ],
            batch_size=2000,
        )
        per_domain: dict[str, int] = defaultdict(int)
        for row in rows:
            per_domain[row.domain_code] += 1
        audit.record(
            action=audit.AuditAction.FRAME_UPLOADED, target=frame, round_code=survey_round.code, actor=uploaded_by,
            after={"co_quan": agency.code, "so_nguoi": len(rows), "theo_linh_vuc": dict(sorted(per_domain.items()))},
            note=f"Khung mẫu {agency.code}: {len(rows)} người",
        )
    return FrameUploadOutcome(frame=frame, errors=[])


@transaction.atomic
def delete_frame(*, frame: SampleFrame, deleted_by: AbstractBaseUser) -> int:
    """Xoá một khung mẫu tải lên nhầm, while nobody in it has been drawn (a drawn contact may
    already have a questionnaire in the post: its serial must stay)."""
    ensure_frames_open(frame.round)
    drawn = frame.contacts.filter(ma_phieu__isnull=False).count()
    if drawn:
        raise FrameInputInvalid([
            f"Không xoá được khung mẫu “{frame.filename}”: đã có {drawn} người trong đó được chọn mẫu. "
            "Hãy chọn mẫu lại sau khi tải khung mẫu đúng."
        ])
    count = frame.contacts.count()
    audit.record(
        action=audit.AuditAction.FRAME_DELETED, target=frame, round_code=frame.round.code, actor=deleted_by,
        before={"co_quan": frame.agency.code, "tep": frame.filename, "so_nguoi": count},
    )
    frame.delete()
    return count


# --------------------------------------------------------------------------- draw
@dataclass(frozen=True)
class CellDraw:
    agency_code: str
    domain_code: str
    quota: int
    kept: int
    pool: int
    drawn: int

    @property
    def short(self) -> int:
        """How many the frame lacks to reach the quota."""
        return max(0, self.quota - self.kept - self.drawn)


@dataclass
class DrawOutcome:
    draw: SampleDraw
    cells: list[CellDraw]
    released: int

    @property
    def drawn(self) -> int:
        return sum(c.drawn for c in self.cells)


def contact_serial(agency_code: str, domain_code: str, number: int) -> str:
    return f"{SERIAL_PREFIX}-{agency_code}-{domain_code}-{number:0{SERIAL_DIGITS}d}"


def cell_rng(seed: int, agency_code: str, domain_code: str) -> random.Random:
    """One generator per agency × domain, seeded from the draw's seed and the cell's codes, so a
    cell's draw depends only on its own frame rows: adding another agency's frame changes nothing."""
    return random.Random(f"{seed}:{agency_code}:{domain_code}")


def pick(pool: list[int], need: int, rng: random.Random) -> list[int]:
    """Simple random sample without replacement of `need` of `pool` (ordered ids)."""
    return rng.sample(pool, min(max(need, 0), len(pool)))


def new_seed() -> int:
    return secrets.randbelow(900_000) + 100_000  # six digits: easy to note down and retype


@transaction.atomic
def draw_sample(*, survey_round: SurveyRound, seed: int | None, drawn_by: AbstractBaseUser) -> DrawOutcome:
    """Chọn mẫu: for each agency × domain of the round, a simple random sample of its frame rows
    up to the quota, with `random.Random` seeded from `seed` (the same seed and the same frames
    draw the same contacts with the same serials).

    Contacts of earlier draws that were not sent yet are released and drawn again; those sent,
    returned, refused or unreachable (or with a saved questionnaire) are kept and count towards
    the quota. Each drawn contact gets a serial and a one-time token for the online form."""
    ensure_frames_open(survey_round)
    if seed is None:
        seed = new_seed()
    SurveyRound.objects.select_for_update().filter(pk=survey_round.pk).first()  # one draw at a time
    response_serials = set(Response.objects.filter(round=survey_round).values_list("ma_phieu", flat=True))
    rows = list(
        FrameContact.objects.filter(round=survey_round, frame__purged_at__isnull=True)
        .order_by("frame_id", "row_number", "id")
        .values_list("id", "agency_id", "domain_id", "ma_phieu", "status", "response_id", "token_used_at")
    )
    kept_by_cell: dict[tuple[int, int], list[str]] = defaultdict(list)
    pool_by_cell: dict[tuple[int, int], list[int]] = defaultdict(list)
    released: list[int] = []
    for pk, agency_id, domain_id, serial, status, response_id, used_at in rows:
        is_kept = serial is not None and (
            status != ContactStatus.NOT_SENT or response_id is not None or used_at is not None
            or serial in response_serials
        )
        if is_kept:
            kept_by_cell[(agency_id, domain_id)].append(serial)
            continue
        if serial is not None:
            released.append(pk)
        pool_by_cell[(agency_id, domain_id)].append(pk)
    # Frames purged in a closed round cannot be here (draws need an open round), but a kept
    # serial of any frame still blocks its number.
    used_serials = response_serials | set(
        FrameContact.objects.filter(round=survey_round, ma_phieu__isnull=False)
        .exclude(pk__in=released).values_list("ma_phieu", flat=True)
    )
    if released:
        FrameContact.objects.filter(pk__in=released).update(
            ma_phieu=None, token=None, draw=None, status=ContactStatus.NOT_SENT, status_changed_at=None
        )
    draw = SampleDraw.objects.create(round=survey_round, seed=seed, drawn_by=drawn_by)
    now = timezone.now()
    chosen: list[FrameContact] = []
    cells: list[CellDraw] = []
    quotas = (
        RoundAgencyDomain.objects.filter(round=survey_round)
        .order_by("agency__code", "domain__code")
        .values_list("agency_id", "domain_id", "agency__code", "domain__code", "quota")
    )
    for agency_id, domain_id, agency_code, domain_code, quota in quotas:
        pool = pool_by_cell.get((agency_id, domain_id), [])
        kept = len(kept_by_cell.get((agency_id, domain_id), []))
        if not pool and not kept:
            continue
        picked = set(pick(pool, quota - kept, cell_rng(seed, agency_code, domain_code)))
        number = 0
        for pk in pool:  # serials follow the frame's order
            if pk not in picked:
                continue
            number += 1
            while contact_serial(agency_code, domain_code, number) in used_serials:
                number += 1
            serial = contact_serial(agency_code, domain_code, number)
            used_serials.add(serial)
            chosen.append(FrameContact(
                pk=pk, ma_phieu=serial, token=secrets.token_urlsafe(TOKEN_BYTES), draw=draw,
                status=ContactStatus.NOT_SENT, status_changed_at=now, token_used_at=None,
            ))
        cells.append(CellDraw(agency_code, domain_code, quota, kept, len(pool), len(picked)))
    FrameContact.objects.bulk_update(
        chosen, ["ma_phieu", "token", "draw", "status", "status_changed_at", "token_used_at"], batch_size=1000
    )
    audit.record(
        action=audit.AuditAction.SAMPLE_DRAWN, target=draw, round_code=survey_round.code, actor=drawn_by,
        after={"hat_giong": seed, "so_nguoi_chon": len(chosen), "tha_lai": len(released),
               "theo_co_quan_linh_vuc": {f"{c.agency_code}/{c.domain_code}": c.drawn for c in cells if c.drawn}},
        note=f"Chọn mẫu với hạt giống {seed}: {len(chosen)} người",
    )
    return DrawOutcome(draw=draw, cells=cells, released=len(released))


# --------------------------------------------------------------------------- status
def mark_returned(
    *, survey_round: SurveyRound, ma_phieu: str, actor: AbstractBaseUser | None, response: Response | None = None
) -> FrameContact | None:
    """Đã thu về: the drawn contact with this serial, if any, is marked returned and linked to
    its questionnaire. Call it inside the transaction that saved the questionnaire (any channel);
    a serial that was not drawn is ignored (returns None)."""
    with transaction.atomic():
        contact = (
            FrameContact.objects.select_for_update()
            .filter(round=survey_round, ma_phieu=ma_phieu).first()
        )
        if contact is None:
            return None
        if response is None:
            response = Response.objects.filter(round=survey_round, ma_phieu=ma_phieu).first()
        before = contact.status
        contact.status = ContactStatus.RETURNED
        contact.status_changed_at = timezone.now()
        if response is not None and contact.response_id is None:
            contact.response = response
        contact.save(update_fields=["status", "status_changed_at", "response"])
        if before != ContactStatus.RETURNED:
            audit.record(
                action=audit.AuditAction.CONTACT_RETURNED, actor=actor, target=contact, target_repr=f"{survey_round.code} / {ma_phieu}",
                round_code=survey_round.code, before={"tinh_trang": before},
                after={"tinh_trang": ContactStatus.RETURNED, "ma_phieu": ma_phieu},
            )
    return contact


SERIAL_SPLIT = re.compile(r"[\s,;]+")


def parse_serials(text: str) -> list[str]:
    """Serials typed or scanned one per line (or separated by spaces, commas, semicolons),
    upper-cased, duplicates dropped, order kept."""
    seen: dict[str, None] = {}
    for part in SERIAL_SPLIT.split(text or ""):
        if part.strip():
            seen.setdefault(part.strip().upper(), None)
    return list(seen)


@transaction.atomic
def update_contact_statuses(
    *, survey_round: SurveyRound, serials: list[str], status: str, changed_by: AbstractBaseUser,
) -> int:
    """Cập nhật tình trạng of drawn contacts by serial, all or none."""
    if status not in ContactStatus.values:
        raise FrameInputInvalid([f"Tình trạng “{status}” không hợp lệ."])
    if not serials:
        raise FrameInputInvalid(["Hãy nhập hoặc quét ít nhất một mã phiếu."])
    contacts = {
        c.ma_phieu: c
        for c in FrameContact.objects.select_for_update().filter(round=survey_round, ma_phieu__in=serials)
    }
    answered = set(Response.objects.filter(round=survey_round, ma_phieu__in=serials).values_list("ma_phieu", flat=True))
    problems = []
    for index, serial in enumerate(serials, start=1):
        if serial not in contacts:
            problems.append(f"Mã thứ {index} ({serial}): không có trong danh sách người được chọn mẫu của đợt "
                            f"{survey_round.code}.")
        elif serial in answered and status != ContactStatus.RETURNED:
            problems.append(f"Mã thứ {index} ({serial}): đã có phiếu trả lời với mã này nên tình trạng là "
                            "“Đã thu về”, không đổi được.")
    if problems:
        raise FrameInputInvalid(problems)
    now = timezone.now()
    changed = [c for c in contacts.values() if c.status != status]
    before = {c.ma_phieu: c.status for c in changed}
    for contact in changed:
        contact.status = status
        contact.status_changed_at = now
    FrameContact.objects.bulk_update(changed, ["status", "status_changed_at"])
    if changed:
        audit.record(
            action=audit.AuditAction.CONTACT_STATUS_UPDATED, target=survey_round, round_code=survey_round.code, actor=changed_by,
            before=before, after={"tinh_trang": status, "ma_phieu": sorted(before)},
            note=f"{len(changed)} người: {ContactStatus(status).label}",
        )
    return len(changed)


@transaction.atomic
def purge_frames(*, survey_round: SurveyRound, purged_by: AbstractBaseUser) -> int:
    """Xoá thông tin cá nhân of a closed round: names, addresses, phones and tokens blanked;
    serials, domains, dates and statuses stay for the response rates."""
    if survey_round.status not in PURGEABLE_STATUSES:
        raise FramesClosed(
            f"Chỉ xoá thông tin cá nhân khi đợt đã đóng; đợt {survey_round.code} đang "
            f"“{survey_round.get_status_display()}”."
        )
    frames = SampleFrame.objects.filter(round=survey_round, purged_at__isnull=True)
    frame_ids = list(frames.values_list("pk", flat=True))
    contacts = FrameContact.objects.filter(frame_id__in=frame_ids).update(
        full_name="", address="", phone="", token=None
    )
    SampleFrame.objects.filter(pk__in=frame_ids).update(purged_at=timezone.now())
    audit.record(
        action=audit.AuditAction.FRAMES_PURGED, target=survey_round, round_code=survey_round.code, actor=purged_by,
        after={"so_khung_mau": len(frame_ids), "so_nguoi": contacts},
        note=f"Xoá họ tên, địa chỉ, điện thoại của {contacts} người trong {len(frame_ids)} khung mẫu",
    )
    return contacts


# --------------------------------------------------------------------------- reads
def _scoped(qs: QuerySet, agency_ids: set[int] | None) -> QuerySet:
    return qs if agency_ids is None else qs.filter(agency_id__in=agency_ids)


def round_frames(survey_round: SurveyRound, agency_ids: set[int] | None) -> QuerySet[SampleFrame]:
    return _scoped(SampleFrame.objects.filter(round=survey_round), agency_ids).select_related(
        "agency", "uploaded_by"
    ).annotate(
        n_contacts=Count("contacts"),
        n_drawn=Count("contacts", filter=Q(contacts__ma_phieu__isnull=False)),
    ).order_by("agency__code", "-uploaded_at")


def _with_answer(qs: QuerySet[FrameContact], survey_round: SurveyRound) -> QuerySet[FrameContact]:
    return qs.annotate(
        has_response=Exists(Response.objects.filter(round=survey_round, ma_phieu=OuterRef("ma_phieu")))
    )


def drawn_contacts(survey_round: SurveyRound, agency_ids: set[int] | None) -> QuerySet[FrameContact]:
    """Drawn contacts (with a serial), each with `has_response` (a questionnaire saved with its serial)."""
    qs = _scoped(FrameContact.objects.filter(round=survey_round, ma_phieu__isnull=False), agency_ids)
    return _with_answer(qs, survey_round).select_related("agency", "domain", "frame").order_by(
        "agency__code", "domain__code", "ma_phieu"
    )


def effective_status(contact: FrameContact) -> str:
    """A contact whose serial has a saved questionnaire counts as returned, whatever was ticked."""
    return ContactStatus.RETURNED if getattr(contact, "has_response", False) else contact.status


@dataclass
class RateRow:
    agency_code: str
    agency_name: str
    domain_code: str
    domain_name: str
    quota: int
    in_frame: int = 0
    drawn: int = 0
    sent: int = 0
    returned: int = 0
    refused: int = 0
    unreachable: int = 0

    @property
    def rate(self) -> float | None:
        """Tỷ lệ thu về (%) = returned / drawn."""
        return 100.0 * self.returned / self.drawn if self.drawn else None

    def add(self, other: RateRow) -> None:
        for name in ("quota", "in_frame", "drawn", "sent", "returned", "refused", "unreachable"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def response_rates(survey_round: SurveyRound, agency_ids: set[int] | None) -> tuple[list[RateRow], RateRow]:
    """Per agency × domain of the round: frame size, drawn, and the contacts by status, with the
    response rate (returned / drawn); and the total row. One grouped query."""
    rows = {
        (p.agency_id, p.domain_id): RateRow(p.agency.code, p.agency.name, p.domain.code, p.domain.name, p.quota)
        for p in _scoped(RoundAgencyDomain.objects.filter(round=survey_round), agency_ids)
        .select_related("agency", "domain").order_by("agency__code", "domain__code")
    }
    drawn = Q(ma_phieu__isnull=False)
    returned = drawn & (Q(status=ContactStatus.RETURNED) | Q(has_response=True))
    counts = (
        _with_answer(_scoped(FrameContact.objects.filter(round=survey_round), agency_ids), survey_round)
        .order_by().values("agency_id", "domain_id")
        .annotate(
            in_frame=Count("id"),
            drawn=Count("id", filter=drawn),
            sent=Count("id", filter=drawn & Q(status=ContactStatus.SENT) & Q(has_response=False)),
            returned=Count("id", filter=returned),
            refused=Count("id", filter=drawn & Q(status=ContactStatus.REFUSED) & Q(has_response=False)),
            unreachable=Count("id", filter=drawn & Q(status=ContactStatus.UNREACHABLE) & Q(has_response=False)),
        )
    )
    for item in counts:
        row = rows.get((item["agency_id"], item["domain_id"]))
        if row is None:
            continue
        for name in ("in_frame", "drawn", "sent", "returned", "refused", "unreachable"):
            setattr(row, name, item[name])
    total = RateRow("", "Cộng", "", "", 0)
    for row in rows.values():
        total.add(row)
    return list(rows.values()), total


def agency_rates(rows: Iterable[RateRow]) -> list[RateRow]:
    """The agency × domain rows summed per agency."""
    per_agency: dict[str, RateRow] = {}
    for row in rows:
        target = per_agency.setdefault(row.agency_code, RateRow(row.agency_code, row.agency_name, "", "", 0))
        target.add(row)
    return list(per_agency.values())
