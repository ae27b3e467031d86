"""The supervisors' audit trail pages (nhật ký): access, filters, readable changes, XLSX."""
from __future__ import annotations

import datetime as dt
from io import BytesIO
from unittest import mock

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.accounts import audit, roles
from surveys.accounts.audit_selectors import describe_changes
from surveys.models import AuditEntry
from surveys.responses import services

from ..responses.conftest import parsed_row

pytestmark = pytest.mark.django_db

LIST = "/nhat-ky/"
XLSX = "/nhat-ky/xlsx/"


def test_urls_are_namespaced():
    assert reverse("audit:audit_list") == LIST
    assert reverse("audit:audit_xlsx") == XLSX


def test_only_supervision_opens_the_trail(client, langson_round, make_user, supervisor):
    allowed = [supervisor, make_user("quantri", roles.ADMIN)]
    refused = [make_user(f"u{i}", role, agency="STP")
               for i, role in enumerate((roles.STAFF, roles.ENTRY, roles.AGENCY, roles.LEADER))]
    for user in allowed:
        client.force_login(user)
        assert client.get(LIST).status_code == 200, user
        assert client.get(XLSX).status_code == 200, user
    for user in refused:
        client.force_login(user)
        assert client.get(LIST).status_code == 403, user
        assert client.get(XLSX).status_code == 403, user


def test_anonymous_is_sent_to_the_login_page(client, db):
    for url in (LIST, XLSX):
        page = client.get(url)
        assert page.status_code == 302 and page["Location"].startswith("/dang-nhap/")


def test_the_trail_is_read_only(client, langson_round, supervisor):
    audit.record(action=audit.AuditAction.PROGRESS_REPORTED, actor=None, target_repr="mục thử")
    client.force_login(supervisor)
    for method in ("post", "put", "delete", "patch"):
        assert getattr(client, method)(LIST).status_code == 405, method
        assert getattr(client, method)(XLSX).status_code == 405, method
    html = client.get(LIST).content.decode()
    main = html[html.index("<main"):html.index("</main>")]
    assert 'method="post"' not in main  # nothing on the page changes the trail
    assert AuditEntry.objects.filter(action="báo cáo tiến độ").count() == 1


@pytest.fixture
def edited(langson_round, entry_officer, staff_user, client, record, django_capture_on_commit_callbacks):
    """STP-0001 entered with C1.1 = 3, then edited by Sở Nội vụ staff to C1.1 = 5 (and B7 → 1, C5.1 = 4)."""
    from ..responses.conftest import form_data

    response = record(entry_officer, "STP-0001")
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("surveys:response_edit", args=[langson_round.code, response.pk]),
            form_data(langson_round, ma_phieu="STP-0001", C1_1="5", B7="1", C5_1="4"),
        )
    assert page.status_code == 302
    client.logout()
    return response


def test_an_edit_shows_old_and_new_answers_per_question(client, langson_round, edited, supervisor):
    client.force_login(supervisor)
    html = client.get(LIST, {"hanh_dong": "sửa phiếu"}).content.decode()
    assert '<span class="fw-semibold">C1.1:</span>' in html
    assert '<span class="audit-old">3</span> → <span class="audit-new">5</span>' in html
    assert '<span class="fw-semibold">C5.1:</span>' in html and '<span class="audit-old">—</span> → <span class="audit-new">4</span>' in html
    assert "Nguyễn Văn Sửa" in html
    assert "C1.2:" not in html  # unchanged answers are not listed
    detail = reverse("surveys:response_detail", args=[langson_round.code, edited.pk])
    assert f'href="{detail}"' in html


def test_describe_changes_lists_only_the_changed_answers(langson_round, edited):
    entry = AuditEntry.objects.get(action="sửa phiếu")
    lines = [str(change) for change in describe_changes(entry)]
    assert lines == ["B7: 2 → 1", "C1.1: 3 → 5", "C5.1: — → 4"]
    created = AuditEntry.objects.get(action="nhập phiếu")
    (line,) = [str(c) for c in describe_changes(created) if c.label == "Trả lời"]
    assert line.startswith("Trả lời: A1 = 1 · A2 = 3") and "B1 = 1;3" in line and "C1.1 = 3" in line


def test_describe_changes_names_model_fields(langson_round):
    langson_round.name = "Đợt đổi tên"
    langson_round.save()
    entry = AuditEntry.objects.filter(action="sửa", target_type="surveys.SurveyRound").latest("id")
    assert [str(c) for c in describe_changes(entry)] == [
        "tên đợt: Khảo sát SIPAS tỉnh Lạng Sơn năm 2022 → Đợt đổi tên"
    ]


def test_the_xlsx_export_has_the_same_changes(client, langson_round, edited, supervisor):
    client.force_login(supervisor)
    page = client.get(XLSX, {"hanh_dong": "sửa phiếu"})
    assert page.status_code == 200
    assert page["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = list(openpyxl.load_workbook(BytesIO(page.content)).active.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert header[:4] == ("Thời điểm", "Người thực hiện", "Địa chỉ IP", "Hành động")
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert row["Người thực hiện"] == "Nguyễn Văn Sửa"
    assert row["Hành động"] == "sửa phiếu"
    assert row["Đối tượng"] == "STP-0001"
    assert row["Đợt"] == "LS-2022"
    assert "C1.1: 3 → 5" in row["Thay đổi"]
    assert '"C1.1": 3' in row["Trước (JSON)"] and '"C1.1": 5' in row["Sau (JSON)"]
    assert isinstance(row["Thời điểm"], dt.datetime)
    assert AuditEntry.objects.filter(action="tải nhật ký", actor=supervisor).exists()


def test_the_xlsx_neutralises_formulas(client, db, supervisor):
    audit.record(action=audit.AuditAction.PROGRESS_REPORTED, actor=None, target_repr='=HYPERLINK("http://x","bấm")', note="+1+1")
    client.force_login(supervisor)
    rows = list(openpyxl.load_workbook(BytesIO(client.get(XLSX, {"hanh_dong": "báo cáo tiến độ"}).content))
                .active.iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Đối tượng"].startswith("'=")
    assert row["Ghi chú"] == "'+1+1"


def test_filters(client, langson_round, entry_officer, staff_user, supervisor):
    services.record_response(
        survey_round=langson_round, row=parsed_row(langson_round, agency="STP", ma_phieu="STP-0009"),
        entered_by=entry_officer,
    )
    audit.record(action=audit.AuditAction.PROGRESS_REPORTED, actor=staff_user, target_repr="một đối tượng", note="ghi chú đặc biệt")
    # The trail refuses updates (on PostgreSQL at the database too): write an old entry at its time.
    with mock.patch("django.utils.timezone.now", return_value=timezone.make_aware(dt.datetime(2022, 1, 15, 23, 30))):
        audit.record(action=audit.AuditAction.PROGRESS_REPORTED, actor=staff_user, target_repr="cũ")
    client.force_login(supervisor)

    def found(**params):
        page = client.get(LIST, params)
        assert page.status_code == 200
        return [entry.target_repr for entry, _ in page.context["rows"]]

    assert found(hanh_dong="nhập phiếu") == ["STP-0009"]
    assert found(dot="LS-2022", hanh_dong="nhập phiếu") == ["STP-0009"]
    assert set(found(nguoi="Nguyễn Văn Sửa")) >= {"một đối tượng", "cũ"}
    assert found(q="đặc biệt") == ["một đối tượng"]
    assert found(q="stp-0009") == ["STP-0009"]
    assert found(hanh_dong="báo cáo tiến độ", tu_ngay="01/01/2022", den_ngay="31/01/2022") == ["cũ"]
    assert found(hanh_dong="báo cáo tiến độ", tu_ngay="16/01/2022") == ["một đối tượng"]
    page = client.get(LIST, {"hanh_dong": "báo cáo tiến độ", "tu_ngay": "2022-31-01"})
    assert "Ngày phải có dạng dd/mm/yyyy." in page.content.decode()
    assert len(page.context["rows"]) == 2  # the bad date is left out, not applied
    html = client.get(LIST).content.decode()
    assert '<option value="nhập phiếu">' in html and '<option value="LS-2022">' in html


def test_the_list_is_paginated_by_100(client, db, supervisor):
    for i in range(101):
        audit.record(action=audit.AuditAction.PROGRESS_REPORTED, actor=None, target_repr=f"mục {i}")
    client.force_login(supervisor)
    first = client.get(LIST, {"hanh_dong": "báo cáo tiến độ"})
    assert len(first.context["rows"]) == 100
    assert "hanh_dong=b%C3%A1o+c%C3%A1o+ti%E1%BA%BFn+%C4%91%E1%BB%99&amp;page=2" in first.content.decode()
    assert len(client.get(LIST, {"hanh_dong": "báo cáo tiến độ", "page": 2}).context["rows"]) == 1


def test_times_are_shown_in_vietnam_time(client, db, supervisor):
    entry = audit.record(action=audit.AuditAction.PROGRESS_REPORTED, actor=None, target_repr="giờ")
    client.force_login(supervisor)
    html = client.get(LIST, {"hanh_dong": "báo cáo tiến độ"}).content.decode()
    assert timezone.localtime(entry.at).strftime("%d/%m/%Y %H:%M:%S") in html
