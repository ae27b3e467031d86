"""Free text is personal data: a respondent's comment (D2) with a phone number, an e-mail and a
CCCD reaches supervisors, agency officers, leaders and data-entry clerks masked — on the
questionnaire page and its XLSX, the double-entry differences, the agency dashboard and its
XLSX, the audit trail — while Sở Nội vụ staff read it as written; the report always masks."""
from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from indexes.services import recompute_round
from reporting.content import build_content
from reporting.drafts import section_texts
from reporting.pdf import report_html
from reporting.workbook import build_xlsx
from surveys.accounts import access, roles
from surveys.accounts.masking import EMAIL_PLACEHOLDER, ID_PLACEHOLDER, PHONE_PLACEHOLDER
from surveys.models import Verification
from surveys.responses import double_entry, services
from tests.caching import use_own_cache_namespace
from tests.reporting.test_content import DEFINITION, data, facts
from tests.responses.conftest import parsed_row

from .users import make_user

pytestmark = pytest.mark.django_db

PHONE, EMAIL, CCCD = "0912 345 678", "nguyen.van.an@gmail.com", "020 123 456 789"
COMMENT = (
    f"Nộp hồ sơ ngày 12/03/2022, lệ phí 500.000 đồng, phiếu hẹn STP-HT-0012 nhưng quá hạn. "
    f"Mong gọi lại cho tôi số {PHONE}, email {EMAIL}, CCCD {CCCD}."
)
MASKED = (
    f"Nộp hồ sơ ngày 12/03/2022, lệ phí 500.000 đồng, phiếu hẹn STP-HT-0012 nhưng quá hạn. "
    f"Mong gọi lại cho tôi số {PHONE_PLACEHOLDER}, email {EMAIL_PLACEHOLDER}, CCCD {ID_PLACEHOLDER}."
)
PERSONAL = (PHONE, EMAIL, CCCD, "0912345678", "020123456789")


def shows_original(text: str) -> bool:
    return COMMENT in text and PHONE_PLACEHOLDER not in text


def shows_masked(text: str) -> bool:
    return MASKED in text and not any(value in text for value in PERSONAL)


def xlsx_text(response) -> str:
    """Every cell of every sheet of a downloaded workbook, one line each."""
    assert response.status_code == 200, response.status_code
    return workbook_text(response.content)


def workbook_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row
        if value is not None
    )


def html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def entry_officer(langson_round):
    return make_user("nhaplieu", roles.ENTRY, agency="SNV", entry=("SNV", "STP"))


@pytest.fixture
def other_officer(langson_round):
    return make_user("nhaplieu2", roles.ENTRY, agency="SNV", entry=("STP",))


@pytest.fixture
def supervisor(langson_round):
    return make_user("giamsat", roles.SUPERVISOR)


@pytest.fixture
def agency_officer(langson_round):
    return make_user("canbo-stp", roles.AGENCY, agency="STP")


@pytest.fixture
def leader(langson_round):
    return make_user("lanhdao", roles.LEADER)


@pytest.fixture
def record(langson_round):
    """record(user, ma_phieu, **answers): a questionnaire about STP saved through the service."""
    def save(user, ma_phieu: str, **answers):
        return services.record_response(
            survey_round=langson_round, row=parsed_row(langson_round, agency="STP", ma_phieu=ma_phieu, **answers),
            entered_by=user,
        )

    return save


@pytest.fixture
def commented(entry_officer, record):
    """STP-0001, keyed by a clerk of Sở Nội vụ, whose D2 comment carries the three contacts."""
    return record(entry_officer, "STP-0001", D2=COMMENT)


# --------------------------------------------------------------------------- who
def test_only_sonv_staff_and_superusers_see_free_text_unmasked(
    langson_round, staff_user, supervisor, entry_officer, agency_officer, leader, django_user_model
):
    admin = make_user("quantri", roles.ADMIN, agency="SNV")
    root = django_user_model.objects.create_superuser("goc", "goc@example.vn", "mat-khau-dai-du-1")
    for user in (staff_user, admin, root):
        assert access.sees_free_text_unmasked(user), user
        assert access.shown_free_text(user, COMMENT) == COMMENT
    for user in (supervisor, entry_officer, agency_officer, leader):
        assert not access.sees_free_text_unmasked(user), user
        assert access.shown_free_text(user, COMMENT) == MASKED


# --------------------------------------------------------------------------- questionnaire page and XLSX
def test_a_supervisor_reads_the_questionnaire_and_its_xlsx_masked(client, langson_round, commented, supervisor):
    client.force_login(supervisor)
    page = html(client, reverse("surveys:response_detail", args=[langson_round.code, commented.pk]))
    assert shows_masked(page)
    assert "chỉ cán bộ Sở Nội vụ xem được nguyên văn" in page
    download = client.get(reverse("surveys:response_list_xlsx", args=[langson_round.code]))
    assert shows_masked(xlsx_text(download))


def test_sonv_staff_read_the_questionnaire_and_its_xlsx_as_written(client, langson_round, commented, staff_user):
    client.force_login(staff_user)
    page = html(client, reverse("surveys:response_detail", args=[langson_round.code, commented.pk]))
    assert shows_original(page)
    assert "chỉ cán bộ Sở Nội vụ xem được nguyên văn" not in page
    download = client.get(reverse("surveys:response_list_xlsx", args=[langson_round.code]))
    assert shows_original(xlsx_text(download))


def test_the_clerk_reads_it_masked_but_edits_the_text_as_keyed(client, langson_round, commented, entry_officer):
    """The edit form must hold the original: a masked text would be saved over it."""
    client.force_login(entry_officer)
    assert shows_masked(html(client, reverse("surveys:response_detail", args=[langson_round.code, commented.pk])))
    edit = html(client, reverse("surveys:response_edit", args=[langson_round.code, commented.pk]))
    assert EMAIL in edit and PHONE_PLACEHOLDER not in edit


# --------------------------------------------------------------------------- double entry
@pytest.fixture
def differing(langson_round, entry_officer, other_officer, record):
    """STP-0002 keyed twice, the second time with another D2 comment: waiting for resolution."""
    langson_round.double_entry_percent = 100
    langson_round.save(update_fields=["double_entry_percent"])
    first = record(entry_officer, "STP-0002", D2=COMMENT)
    double_entry.record_second_entry(
        response=first, row=parsed_row(langson_round, agency="STP", ma_phieu="STP-0002", D2="Không có ý kiến"),
        entered_by=other_officer,
    )
    first.refresh_from_db()
    assert first.verification == Verification.MISMATCH
    return first


def test_double_entry_differences_are_masked_for_a_supervisor_not_for_staff(
    client, langson_round, differing, supervisor, staff_user
):
    resolve = reverse("surveys:mismatch_resolve", args=[langson_round.code, differing.pk])
    export = reverse("surveys:mismatch_list_xlsx", args=[langson_round.code])
    client.force_login(supervisor)
    assert shows_masked(html(client, resolve))
    assert shows_masked(xlsx_text(client.get(export)))
    client.force_login(staff_user)  # resolves against the paper: needs the text as keyed
    assert shows_original(html(client, resolve))
    assert shows_original(xlsx_text(client.get(export)))


# --------------------------------------------------------------------------- agency dashboard
@pytest.fixture
def computed_comment(langson_round, entry_officer, record, commented, settings):
    """STP's indexes computed from two questionnaires, one with the comment."""
    record(entry_officer, "STP-0003")
    use_own_cache_namespace(settings)  # targets and definitions are cached by ids test databases reuse
    recompute_round(round_id=langson_round.pk, force=True)
    return langson_round


def test_agency_dashboard_comments_and_xlsx_are_masked_outside_sonv(
    client, computed_comment, agency_officer, leader, supervisor, staff_user
):
    page_url = reverse("indexes:dashboard_agency", args=[computed_comment.code, "STP"])
    for reader in (agency_officer, leader, supervisor):
        client.force_login(reader)
        page = html(client, page_url)
        assert shows_masked(page), reader
        assert 'id="y-kien-da-che"' in page
        assert shows_masked(xlsx_text(client.get(page_url, {"tai": "xlsx"}))), reader
    client.force_login(staff_user)
    page = html(client, page_url)
    assert shows_original(page) and 'id="y-kien-da-che"' not in page
    assert shows_original(xlsx_text(client.get(page_url, {"tai": "xlsx"})))


# --------------------------------------------------------------------------- audit trail
def test_the_audit_trail_shows_a_supervisor_the_answers_masked(client, langson_round, commented, supervisor):
    admin = make_user("quantri", roles.ADMIN, agency="SNV")
    query = {"q": "STP-0001"}
    client.force_login(supervisor)
    page = client.get(reverse("audit:audit_list"), query).content.decode()
    assert "STP-0001" in page and shows_masked(page)
    assert shows_masked(xlsx_text(client.get(reverse("audit:audit_xlsx"), query)))
    client.force_login(admin)  # Quản trị Sở Nội vụ: staff
    page = client.get(reverse("audit:audit_list"), query).content.decode()
    assert shows_original(page)
    assert shows_original(xlsx_text(client.get(reverse("audit:audit_xlsx"), query)))


# --------------------------------------------------------------------------- report
def test_the_report_masks_quoted_comments_whoever_builds_it():
    """Staff quote a comment in their prose; the PDF (printed from report_html) and the XLSX
    go to leadership and the public, so they carry it masked even though staff built them."""
    content_facts = facts()
    content_facts.texts = {"phan_tich": f"Một người dân góp ý: “{COMMENT}”"}
    content = build_content(data(), content_facts, DEFINITION)
    assert section_texts(content)["phan_tich"] == f"Một người dân góp ý: “{MASKED}”"
    assert shows_masked(report_html(content))
    assert shows_masked(workbook_text(build_xlsx(content, data())))
