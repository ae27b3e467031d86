"""The survey domain's models, one module per domain, all in the app "surveys" (so no table
moved and the migrations stay valid); `from surveys.models import X` keeps working.

Vocabulary (Vietnamese domain words): cơ quan = agency, cấp = level, lĩnh vực = service
domain, phiếu = questionnaire/response, đợt khảo sát = survey round, chỉ tiêu = quota,
yếu tố = factor, tiêu chí = criterion.

The modules import each other in one direction only: reference ← questionnaires ← rounds ←
responses ← sampling; accounts needs only reference.
"""
from __future__ import annotations

from .accounts import AuditEntry, AuditQuerySet, Officer
from .questionnaires import (
    FIELD_BITS,
    FIELDS_PER_COLUMN,
    MAX_CRITERIA,
    MAX_FACTORS,
    OPTION_COLUMNS,
    SLOT_LAYOUT,
    Factor,
    Option,
    Question,
    QuestionKind,
    Questionnaire,
    Section,
)
from .reference import Agency, Domain, Level
from .responses import (
    COUNTED_VERIFICATIONS,
    Answer,
    Channel,
    FlagKind,
    Response,
    ResponseFlag,
    ResponseQuerySet,
    SecondEntry,
    Verification,
)
from .rounds import RoundAgency, RoundAgencyDomain, RoundStatus, RoundStatusChange, SipasDenominator, SurveyRound
from .sampling import ContactStatus, FrameContact, SampleDraw, SampleFrame

__all__ = [
    "COUNTED_VERIFICATIONS", "FIELDS_PER_COLUMN", "FIELD_BITS", "MAX_CRITERIA", "MAX_FACTORS", "OPTION_COLUMNS",
    "SLOT_LAYOUT", "Agency", "Answer", "AuditEntry", "AuditQuerySet", "Channel", "ContactStatus", "Domain",
    "Factor", "FlagKind", "FrameContact", "Level", "Officer", "Option", "Question", "QuestionKind",
    "Questionnaire", "Response", "ResponseFlag", "ResponseQuerySet", "RoundAgency", "RoundAgencyDomain",
    "RoundStatus", "RoundStatusChange", "SampleDraw", "SampleFrame", "SecondEntry", "Section", "SipasDenominator", "SurveyRound",
    "Verification",
]
