"""Who may see and do what — the one place where scoping is decided (phân quyền).

Views never test roles themselves: they ask `require(user, capability)` for an action and
filter every queryset through the `visible_*` / `enterable_*` functions below, so an officer
of agency A asking for agency B's page gets a 404, never the data.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from surveys.accounts.masking import mask_personal_data
from surveys.models import Agency, Officer, Response, RoundAgency, SurveyRound, Verification

MANAGE_ROUNDS = "surveys.manage_rounds"
ENTER_RESPONSES = "surveys.enter_responses"
ENTER_ANY_AGENCY = "surveys.enter_any_agency"
VIEW_ALL_RESULTS = "surveys.view_all_results"
VIEW_OWN_RESULTS = "surveys.view_own_results"
DOWNLOAD_REPORTS = "surveys.download_reports"
SUPERVISE = "surveys.supervise"
MANAGE_USERS = "surveys.manage_users"
RECOMPUTE = "surveys.recompute_indexes"


def can(user, capability: str) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(capability))


def require(user, *capabilities: str) -> None:
    """403 unless the user holds at least one of the capabilities."""
    if not any(can(user, c) for c in capabilities):
        raise PermissionDenied("Bạn không có quyền thực hiện việc này.")


def officer_of(user) -> Officer | None:
    if not user or not user.is_authenticated:
        return None
    try:
        return user.officer
    except Officer.DoesNotExist:
        return None


def home_agency_ids(user, survey_round: SurveyRound | None = None) -> set[int]:
    """The agency the user works for and, for a district, its communes (in the round's tree)."""
    officer = officer_of(user)
    if officer is None or officer.agency_id is None:
        return set()
    ids = {officer.agency_id}
    children = RoundAgency.objects.filter(parent_id=officer.agency_id)
    if survey_round is not None:
        children = children.filter(round=survey_round)
    ids |= set(children.values_list("agency_id", flat=True))
    return ids


def can_see_results(user) -> bool:
    return can(user, VIEW_ALL_RESULTS) or can(user, VIEW_OWN_RESULTS)


def result_agency_ids(user, survey_round: SurveyRound) -> set[int] | None:
    """Agencies whose results the user may read: None means all of them."""
    if can(user, VIEW_ALL_RESULTS):
        return None
    if can(user, VIEW_OWN_RESULTS):
        return home_agency_ids(user, survey_round)
    raise PermissionDenied("Bạn không có quyền xem kết quả.")


def response_data_agency_ids(user, survey_round: SurveyRound) -> set[int] | None:
    """Agencies whose anonymised questionnaire data (surveys.responses.exports: no free text, no
    sample-frame data) the user may download; None means all of them.

    The data behind the results a user may read, and no more: readers of every result (Sở Nội
    vụ, leadership, supervisors — who read questionnaires anyway) get every agency; an agency
    officer gets their agency (a district: and its communes). Data-entry clerks, who read no
    results, get a 403: they already download the questionnaires they keyed themselves.
    """
    if not can_see_results(user):
        raise PermissionDenied("Bạn không có quyền tải dữ liệu phiếu.")
    return result_agency_ids(user, survey_round)


def visible_rounds(user) -> QuerySet[SurveyRound]:
    """Rounds the user has anything to do with."""
    qs = SurveyRound.objects.select_related("questionnaire")
    if can(user, MANAGE_ROUNDS) or can(user, VIEW_ALL_RESULTS) or can(user, SUPERVISE):
        return qs
    agency_ids = home_agency_ids(user) | entry_agency_ids(user)
    if not agency_ids:
        return qs.none()
    return qs.filter(round_agencies__agency_id__in=agency_ids).distinct()


def entry_agency_ids(user) -> set[int]:
    officer = officer_of(user)
    return set(officer.entry_agencies.values_list("id", flat=True)) if officer else set()


def enterable_agencies(user, survey_round: SurveyRound) -> QuerySet[Agency]:
    """Agencies of the round the user may key questionnaires for (segregation of duties applied)."""
    in_round = Agency.objects.filter(round_entries__round=survey_round)
    if can(user, ENTER_ANY_AGENCY):
        qs = in_round
    elif can(user, ENTER_RESPONSES):
        qs = in_round.filter(pk__in=entry_agency_ids(user))
    else:
        return Agency.objects.none()
    officer = officer_of(user)
    if survey_round.segregate_duties and officer is not None and officer.agency_id is not None:
        qs = qs.exclude(pk=officer.agency_id)
    return qs.order_by("code")


def visible_responses(user, survey_round: SurveyRound) -> QuerySet[Response]:
    """Questionnaires the user may list and open."""
    qs = Response.objects.filter(round=survey_round).select_related("agency", "domain", "entered_by")
    if can(user, ENTER_ANY_AGENCY) or can(user, SUPERVISE):
        return qs
    if can(user, ENTER_RESPONSES):
        return qs.filter(entered_by=user)
    return qs.none()


def editable_responses(user, survey_round: SurveyRound) -> QuerySet[Response]:
    """Questionnaires the user may change: their own (or any, for Sở Nội vụ staff), about an
    agency they may enter for — but none they may still key the second time: the edit form
    would show them the first entry that double entry keeps from them."""
    if not (can(user, ENTER_ANY_AGENCY) or can(user, ENTER_RESPONSES)):
        return Response.objects.none()
    qs = Response.objects.filter(round=survey_round, agency__in=enterable_agencies(user, survey_round))
    if not can(user, ENTER_ANY_AGENCY):
        qs = qs.filter(Q(entered_by=user))
    return qs.exclude(pk__in=blind_to_first_entry(user, survey_round).values("pk"))


def can_manage_frames(user) -> bool:
    """Sở Nội vụ staff who run the collection: lists for the post office and phone, statuses."""
    return can(user, MANAGE_ROUNDS) or can(user, ENTER_ANY_AGENCY)


def frame_agency_ids(user, survey_round: SurveyRound) -> set[int] | None:
    """Agencies whose sample frames (khung mẫu: names, addresses, phones) the user may upload and
    read; None means all of them.

    Personal data stays with the few who need it: Sở Nội vụ staff (every agency) and an agency's
    own officers (their agency only, not its communes, and only when it takes part in the round).
    Leaders, supervisors and data-entry clerks get a 403: results and questionnaires never need it.
    """
    if can_manage_frames(user):
        return None
    officer = officer_of(user)
    if (
        can(user, VIEW_OWN_RESULTS)
        and officer is not None
        and officer.agency_id is not None
        and RoundAgency.objects.filter(round=survey_round, agency_id=officer.agency_id).exists()
    ):
        return {officer.agency_id}
    raise PermissionDenied("Bạn không có quyền xem khung mẫu (thông tin cá nhân của người dân).")


def sees_free_text_unmasked(user) -> bool:
    """Who reads free-text answers (D2 góp ý and the other text questions) exactly as written:
    Sở Nội vụ staff, who run the survey and answer the people who left a way to reach them (and
    superusers). Everyone else — supervisors, leaders, agency officers, data-entry clerks — reads
    them with phone numbers, e-mail addresses and ID numbers masked (che thông tin cá nhân)."""
    return can(user, MANAGE_ROUNDS)


def shown_free_text(user, text: str) -> str:
    """A free-text answer as this user may read it: every page and download that shows one to a
    person goes through here (the published report masks always: surveys.accounts.masking directly)."""
    if not text or sees_free_text_unmasked(user):
        return text
    return mask_personal_data(text)


def can_report_progress(user, task) -> bool:
    """Báo cáo tiến độ of an improvement-plan task (reporting.plans): only officers of the task's
    lead agency (cơ quan chủ trì) who hold a portal role; nobody reports for another agency."""
    officer = officer_of(user)
    if officer is None or officer.agency_id is None or officer.agency_id != task.lead_agency_id:
        return False
    return can(user, VIEW_OWN_RESULTS) or can(user, VIEW_ALL_RESULTS) or can(user, MANAGE_ROUNDS)


# --------------------------------------------------------------------------- double entry, quality flags
def second_entry_queue(user, survey_round: SurveyRound) -> QuerySet[Response]:
    """Paper questionnaires waiting for their second entry that this user may key: about an agency
    they may enter for, and never one they keyed first or edited since (nhập kép needs two
    different officers)."""
    if not (can(user, ENTER_ANY_AGENCY) or can(user, ENTER_RESPONSES)):
        return Response.objects.none()
    return (
        Response.objects.filter(
            round=survey_round, verification=Verification.PENDING, second_entry__isnull=True,
            agency__in=enterable_agencies(user, survey_round),
        )
        .exclude(entered_by=user)
        .exclude(edited_by=user)
        .select_related("agency", "domain")
    )


def blind_to_first_entry(user, survey_round: SurveyRound) -> QuerySet[Response]:
    """Nhập kép is blind: the questionnaires whose first entry this user must not read (on
    their page, in the edit form or in a download), because they may still key them the second time."""
    return second_entry_queue(user, survey_round)


def can_read_double_entry(user) -> bool:
    """Who sees the differences and agreement rates: Sở Nội vụ staff and supervisors (MTTQ)."""
    return can(user, ENTER_ANY_AGENCY) or can(user, SUPERVISE)


def resolvable_responses(user, survey_round: SurveyRound) -> QuerySet[Response]:
    """Questionnaires whose two entries differ that this user may resolve against the paper:
    Sở Nội vụ staff (who may change any agency's questionnaires, segregation of duties applied),
    never for a questionnaire they keyed themselves. Supervisors read the differences but change
    no data, as everywhere else in the portal. Nor one they edited: an edit is what sends a
    verified questionnaire back to be resolved (surveys.responses.services.reopen_double_entry)."""
    if not can(user, ENTER_ANY_AGENCY):
        return Response.objects.none()
    return (
        editable_responses(user, survey_round)
        .filter(verification=Verification.MISMATCH)
        .exclude(entered_by=user)
        .exclude(edited_by=user)
        .exclude(second_entry__entered_by=user)
    )


def can_review_flags(user) -> bool:
    """Quality flags (near duplicates, straight-lining): staff and supervisors look at them."""
    return can(user, ENTER_ANY_AGENCY) or can(user, SUPERVISE)
