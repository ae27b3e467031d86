"""Phiếu giấy: the printable questionnaire (PDF, A4 portrait), generated from the definition.

Every copy carries its serial (mã phiếu), agency and domain, and a QR code to the online form
of that agency × domain, so a respondent may answer on paper or on a phone. Option numbers are
printed beside the boxes because they are what an officer keys in afterwards.

`paper_questionnaires_pdf` renders given copies (the sample frame's drawn contacts call it);
`print_paper_batch` reserves the next serials of an agency × domain and renders them.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import segno
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.staticfiles import finders
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from surveys.accounts import audit
from surveys.models import Agency, AuditEntry, Domain, FrameContact, Response, RoundAgencyDomain, SurveyRound
from surveys.questionnaires.definition import QuestionDef, QuestionnaireDef
from surveys.selectors import load_definition

PAPER_CSS = "css/paper.css"
MAX_BATCH = 500  # one PDF of at most this many copies: larger batches are split by the user
SERIAL_DIGITS = 4
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class PaperCopy:
    """One printed questionnaire: its serial and the agency × domain it asks about."""

    ma_phieu: str
    agency_code: str
    domain_code: str


class PaperBatchInvalid(ValueError):
    """A batch that cannot be printed; the message is Vietnamese and names the field."""


# ---- pure parts ------------------------------------------------------------------------------

def online_form_path(round_code: str, agency_code: str, domain_code: str) -> str:
    """The public online form of helper F's `/phieu/` app for one agency × domain."""
    return f"/phieu/{round_code}/{agency_code}/{domain_code}/"


def public_base_url() -> str:
    """Where respondents reach the portal; SIPAS_PUBLIC_URL in settings when the site has one."""
    return str(getattr(settings, "SIPAS_PUBLIC_URL", "") or DEFAULT_PUBLIC_URL).rstrip("/")


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG (medium error correction survives a smudged print)."""
    return segno.make(url, error="m", micro=False).svg_inline(scale=2, border=2, omitsize=False)


def serial_prefix(agency_code: str, domain_code: str) -> str:
    return f"{agency_code}-{domain_code}-"


def serial_number(serial: str, prefix: str) -> int | None:
    """The running number of a serial `<prefix><NNNN>`, or None for a serial of another form."""
    if not serial.startswith(prefix):
        return None
    tail = serial[len(prefix):]
    return int(tail) if re.fullmatch(r"\d+", tail) else None


def make_serials(prefix: str, after: int, count: int) -> list[str]:
    return [f"{prefix}{n:0{SERIAL_DIGITS}d}" for n in range(after + 1, after + count + 1)]


def _values_text(values: Sequence[int]) -> str:
    return " hoặc ".join(str(v) for v in sorted(values))


def _codes_text(codes: Sequence[str]) -> str:
    return ("câu " if len(codes) == 1 else "các câu ") + ", ".join(codes)


def gating_notes(definition: QuestionnaireDef) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Skip instructions printed on the form.

    Returns (notes after a gate question: "Nếu chọn 2 ở câu B7 thì bỏ qua các câu C5.1, …",
    note beside a gated question: "Chỉ trả lời nếu chọn 1 ở câu B7")."""
    groups: dict[tuple[str, frozenset[int]], list[str]] = {}
    for question in definition.questions:
        if question.condition_question is not None:
            groups.setdefault((question.condition_question, question.condition_values), []).append(question.code)
    beside = {code: hint.paper for code, hint in definition.gate_hints.items()}
    after: dict[str, list[str]] = {}
    for (gate_code, values), codes in groups.items():
        gate = definition.by_code.get(gate_code)
        if gate is None:
            continue
        if gate.kind == "multi":
            note = f"Nếu không chọn {_values_text(values)} ở câu {gate_code} thì bỏ qua {_codes_text(codes)}."
        else:
            others = [v for v in sorted(gate.options) if v not in values]
            if not others:
                continue
            note = f"Nếu chọn {_values_text(others)} ở câu {gate_code} thì bỏ qua {_codes_text(codes)}."
        after.setdefault(gate_code, []).append(note)
    return after, beside


@dataclass(frozen=True)
class PaperBlock:
    """A run of questions printed together: a scale grid or single questions."""

    kind: str  # "scale" | "question"
    questions: tuple[QuestionDef, ...]
    scale_options: tuple[tuple[int, str], ...] = ()


def paper_blocks(questions: Sequence[QuestionDef]) -> list[PaperBlock]:
    """Consecutive scale questions with the same options form one grid, as on the printed form."""
    blocks: list[PaperBlock] = []
    for question in questions:
        if question.kind == "scale":
            options = tuple(sorted(question.options.items()))
            last = blocks[-1] if blocks else None
            if last is not None and last.kind == "scale" and last.scale_options == options:
                blocks[-1] = PaperBlock("scale", (*last.questions, question), options)
            else:
                blocks.append(PaperBlock("scale", (question,), options))
        else:
            blocks.append(PaperBlock("question", (question,)))
    return blocks


# ---- rendering -------------------------------------------------------------------------------

def _sections(definition: QuestionnaireDef) -> list[dict]:
    """The questionnaire's sections in order, each with its printable blocks."""
    notes_after, notes_beside = gating_notes(definition)
    sections = []
    for section in definition.sections:
        questions = [definition.by_code[code] for code in section.question_codes]
        blocks = [
            {
                "block": block,
                "rows": [
                    {"q": q, "options": sorted(q.options.items()), "beside": notes_beside.get(q.code, ""),
                     "after": notes_after.get(q.code, [])}
                    for q in block.questions
                ],
            }
            for block in paper_blocks(questions)
        ]
        sections.append({"code": section.code, "title": section.title, "blocks": blocks})
    return sections


def _stylesheet_path() -> Path:
    found = finders.find(PAPER_CSS)
    if not found:
        raise FileNotFoundError(f"Không tìm thấy tệp kiểu {PAPER_CSS} trong static/.")
    return Path(found)


def paper_questionnaires_html(
    *, survey_round: SurveyRound, copies: Sequence[PaperCopy], base_url: str | None = None
) -> str:
    """The HTML of the copies (one page-broken form each), for WeasyPrint or for a look."""

    definition = load_definition(survey_round.questionnaire)
    sections = _sections(definition)
    agencies = dict(Agency.objects.filter(code__in={c.agency_code for c in copies}).values_list("code", "name"))
    domains = dict(Domain.objects.filter(code__in={c.domain_code for c in copies}).values_list("code", "name"))
    root = (base_url or public_base_url()).rstrip("/")
    qr_cache: dict[str, str] = {}
    rendered = []
    for copy in copies:
        url = root + online_form_path(survey_round.code, copy.agency_code, copy.domain_code)
        if url not in qr_cache:
            qr_cache[url] = qr_svg(url)
        rendered.append({
            "ma_phieu": copy.ma_phieu,
            "agency_code": copy.agency_code,
            "agency_name": agencies.get(copy.agency_code, copy.agency_code),
            "domain_code": copy.domain_code,
            "domain_name": domains.get(copy.domain_code, copy.domain_code),
            "url": url,
            "qr": mark_safe(qr_cache[url]),  # safe: segno's own SVG of a URL we built
        })
    return render_to_string(
        "paper/questionnaire.html", {"round": survey_round, "sections": sections, "copies": rendered}
    )


def paper_questionnaires_pdf(
    *, survey_round: SurveyRound, copies: list[PaperCopy], base_url: str | None = None
) -> bytes:
    """Phiếu giấy of the given copies as one PDF (A4 portrait, each copy on its own pages).

    `base_url` is where respondents reach the portal (the QR codes' target); the site's
    SIPAS_PUBLIC_URL setting (or a local address) when not given."""
    if not copies:
        raise PaperBatchInvalid("Không có phiếu nào để in.")
    from weasyprint import CSS, HTML  # imported late: Pango loads only when a PDF is made

    html = paper_questionnaires_html(survey_round=survey_round, copies=copies, base_url=base_url)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(filename=str(_stylesheet_path()))]
    )


# ---- serials of a printed batch --------------------------------------------------------------

def highest_serial_number(*, survey_round: SurveyRound, agency_code: str, domain_code: str) -> int:
    """The highest running number already used by the prefix: in questionnaires received,
    serials given to sample contacts, and batches printed before (kept in the audit trail)."""
    prefix = serial_prefix(agency_code, domain_code)
    serials = list(
        Response.objects.filter(round=survey_round, ma_phieu__startswith=prefix).values_list("ma_phieu", flat=True)
    )
    serials += list(
        FrameContact.objects.filter(round=survey_round, ma_phieu__startswith=prefix).values_list("ma_phieu", flat=True)
    )
    numbers = [n for n in (serial_number(s, prefix) for s in serials) if n is not None]
    for after in AuditEntry.objects.filter(
        round_code=survey_round.code, action=audit.AuditAction.PAPER_PRINTED, target_repr=prefix
    ).values_list("after", flat=True):
        if isinstance(after, dict) and isinstance(after.get("den_so"), int):
            numbers.append(after["den_so"])
    return max(numbers, default=0)


@dataclass(frozen=True)
class PaperBatch:
    copies: list[PaperCopy]
    pdf: bytes


def check_batch(*, survey_round: SurveyRound, agency_code: str, domain_code: str, count: int) -> None:
    if not RoundAgencyDomain.objects.filter(
        round=survey_round, agency__code=agency_code, domain__code=domain_code
    ).exists():
        raise PaperBatchInvalid(
            f"Cơ quan {agency_code} không khảo sát lĩnh vực {domain_code} trong đợt {survey_round.code}."
        )
    if not 1 <= count <= MAX_BATCH:
        raise PaperBatchInvalid(f"Số phiếu cần in phải từ 1 đến {MAX_BATCH}, đã nhập {count}.")


@transaction.atomic
def print_paper_batch(
    *,
    survey_round: SurveyRound,
    agency_code: str,
    domain_code: str,
    count: int,
    printed_by: AbstractBaseUser | None,
    base_url: str | None = None,
) -> PaperBatch:
    """In N phiếu giấy cho một cơ quan × lĩnh vực, serials continuing after the highest used.

    The batch is recorded in the audit trail (prefix and last number), so printing again never
    repeats a serial already handed out."""
    check_batch(survey_round=survey_round, agency_code=agency_code, domain_code=domain_code, count=count)
    # Lock the round row: two staff printing the same prefix at once must not get the same serials.
    SurveyRound.objects.select_for_update().filter(pk=survey_round.pk).first()
    start = highest_serial_number(survey_round=survey_round, agency_code=agency_code, domain_code=domain_code)
    prefix = serial_prefix(agency_code, domain_code)
    serials = make_serials(prefix, start, count)
    copies = [PaperCopy(s, agency_code, domain_code) for s in serials]
    pdf = paper_questionnaires_pdf(survey_round=survey_round, copies=copies, base_url=base_url)
    audit.record(
        action=audit.AuditAction.PAPER_PRINTED, target_type="surveys.PaperBatch", target_repr=prefix, round_code=survey_round.code,
        actor=printed_by, after={"tu_so": start + 1, "den_so": start + count, "so_phieu": count},
        note=f"In {count} phiếu giấy {serials[0]} … {serials[-1]}",
    )
    return PaperBatch(copies=copies, pdf=pdf)


def print_listed_serials(
    *, survey_round: SurveyRound, serials: Sequence[str], printed_by: AbstractBaseUser | None,
    base_url: str | None = None,
) -> PaperBatch:
    """In lại phiếu giấy for given serials `<AGENCY>-<DOMAIN>-<NNNN>` (reprints, lost copies)."""
    pairs = set(
        RoundAgencyDomain.objects.filter(round=survey_round).values_list("agency__code", "domain__code")
    )
    copies, problems = [], []
    for serial in serials:
        match = next(
            (PaperCopy(serial, a, d) for a, d in sorted(pairs, key=lambda p: -len(p[0]) - len(p[1]))
             if serial_number(serial, serial_prefix(a, d)) is not None),
            None,
        )
        if match is None:
            problems.append(serial)
        else:
            copies.append(match)
    if problems:
        raise PaperBatchInvalid(
            "Mã phiếu không khớp dạng <MÃ CƠ QUAN>-<MÃ LĨNH VỰC>-<SỐ> của đợt: " + ", ".join(problems[:20])
        )
    if not 1 <= len(copies) <= MAX_BATCH:
        raise PaperBatchInvalid(f"Số phiếu cần in phải từ 1 đến {MAX_BATCH}, đã nhập {len(copies)}.")
    pdf = paper_questionnaires_pdf(survey_round=survey_round, copies=copies, base_url=base_url)
    audit.record(
        action=audit.AuditAction.PAPER_REPRINTED, target=survey_round, round_code=survey_round.code, actor=printed_by,
        after={"ma_phieu": [c.ma_phieu for c in copies]}, note=f"In lại {len(copies)} phiếu giấy",
    )
    return PaperBatch(copies=copies, pdf=pdf)
