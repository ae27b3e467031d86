"""Khung mẫu: upload checks, the seeded draw, lists, statuses, response rates, scoping, purge."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from surveys.models import (
    Agency,
    AuditEntry,
    ContactStatus,
    FrameContact,
    RoundAgencyDomain,
    RoundStatus,
    SampleFrame,
)
from surveys.responses.importing import ParsedRow
from surveys.responses.services import record_response
from surveys.sampling import frames
from tests.frames.conftest import HEADER, frame_bytes, paper_row, people

pytestmark = pytest.mark.django_db


def upload(client, round_code: str, agency: str, content: io.BytesIO):
    return client.post(f"/dot/{round_code}/khung-mau/tai-len/", {"agency": agency, "workbook": content})


def sheet_rows(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


# --------------------------------------------------------------------------- upload
def test_a_good_frame_is_saved_with_every_row(client, langson_round, staff):
    client.force_login(staff)
    rows = people(12, "LLTP") + people(3, "CCHUNG", start=100)
    rows[0][2] = 912345678  # typed as a number in Excel: the leading 0 comes back
    response = upload(client, "LS-2022", "STP", frame_bytes(rows))
    assert response.status_code == 302
    frame = SampleFrame.objects.get()
    assert frame.agency.code == "STP" and frame.filename == "khung-mau.xlsx"
    contacts = list(frame.contacts.order_by("row_number"))
    assert len(contacts) == 15
    assert contacts[0].phone == "0912345678"
    assert contacts[1].phone == "0912345002"
    assert contacts[0].row_number == 2 and contacts[0].completed_on == dt.date(2022, 9, 2)
    assert {c.domain.code for c in contacts} == {"LLTP", "CCHUNG"}
    assert all(c.ma_phieu is None and c.token is None for c in contacts)
    entry = AuditEntry.objects.get(action="tải khung mẫu")
    assert entry.after["so_nguoi"] == 15
    assert "Nguyễn" not in str(entry.after) + entry.note  # no personal data in the audit trail


def test_a_bad_frame_saves_nothing_and_names_row_and_column(client, langson_round, staff):
    client.force_login(staff)
    rows = people(4, "LLTP")
    rows[0][0] = ""  # no name
    rows[1][4] = "DATDAI"  # a domain STP does not survey
    rows[2][5] = "31/02/2022"  # no such date
    rows[3][2] = "số máy bàn"
    rows += people(1, "LLTP", start=50) * 2  # the same person twice (rows 6 and 7)
    rows.append(["Lê Thị Hoa", "", "", "Chứng thực", "LLTP", "01/10/2022"])  # no way to reach her
    response = upload(client, "LS-2022", "STP", frame_bytes(rows))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Dòng 2, cột A (Họ và tên): thiếu họ và tên" in text
    assert "Dòng 3, cột E (Mã lĩnh vực): cơ quan STP không khảo sát lĩnh vực DATDAI trong đợt LS-2022" in text
    assert "Dòng 4, cột F (Ngày trả kết quả): “31/02/2022” không phải ngày dd/mm/yyyy" in text
    assert "Dòng 5, cột C (Điện thoại): số điện thoại “số máy bàn” không hợp lệ" in text
    assert "Dòng 7: trùng hoàn toàn với dòng 6" in text
    assert "Dòng 8: cần ít nhất địa chỉ" in text
    assert "Không lưu người nào" in text
    assert SampleFrame.objects.count() == 0 and FrameContact.objects.count() == 0


def test_missing_columns_and_non_workbooks_are_refused(client, langson_round, staff):
    client.force_login(staff)
    response = upload(client, "LS-2022", "STP", frame_bytes(people(2, "LLTP"), header=HEADER[:4] + ["Ghi chú"]))
    text = response.content.decode()
    assert "Dòng 1: thiếu cột “Mã lĩnh vực”" in text and "Dòng 1: thiếu cột “Ngày trả kết quả”" in text
    fake = io.BytesIO(b"Ho va ten,Dia chi\nA,B\n")
    fake.name = "khung.xlsx"
    assert "không phải là bảng tính Excel" in upload(client, "LS-2022", "STP", fake).content.decode()
    # A zip bomb: a member that would expand far beyond the limit is refused before opening.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    bomb.seek(0)
    bomb.name = "bom.xlsx"
    assert "bất thường" in upload(client, "LS-2022", "STP", bomb).content.decode()
    assert SampleFrame.objects.count() == 0


def test_upload_larger_than_the_limit_is_refused(client, langson_round, staff, settings):
    settings.IMPORT_MAX_BYTES = 2000
    client.force_login(staff)
    response = upload(client, "LS-2022", "STP", frame_bytes(people(60, "LLTP")))
    assert response.status_code == 200
    assert "Tệp quá lớn" in response.content.decode()
    assert SampleFrame.objects.count() == 0


def test_template_has_the_columns_the_upload_reads(client, langson_round, stp_officer):
    client.force_login(stp_officer)
    response = client.get("/dot/LS-2022/khung-mau/mau.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Khung_mau", "Huong_dan"]
    assert [c.value for c in workbook["Khung_mau"][1]] == HEADER
    guide = [row for row in workbook["Huong_dan"].iter_rows(values_only=True) if row[0] in ("STP", "TPLS")]
    assert {(r[0], r[2]) for r in guide} == {("STP", "LLTP"), ("STP", "CCHUNG")}  # own agency only


# --------------------------------------------------------------------------- scoping
def test_an_agency_sees_only_its_own_frames(client, langson_round, staff, stp_officer, tpls_officer):
    client.force_login(staff)
    upload(client, "LS-2022", "STP", frame_bytes(people(5, "LLTP")))
    client.force_login(tpls_officer)
    home = client.get("/dot/LS-2022/khung-mau/").content.decode()
    assert "khung-mau.xlsx" not in home
    assert "Chưa có khung mẫu nào của cơ quan bạn" in home
    # Uploading for another agency is refused by the form, nothing saved.
    response = upload(client, "LS-2022", "STP", frame_bytes(people(2, "LLTP")))
    assert "Bạn không được tải khung mẫu cho cơ quan “STP”" in response.content.decode()
    assert SampleFrame.objects.count() == 1
    # The lists with personal data are for staff.
    assert client.get("/dot/LS-2022/khung-mau/danh-sach-gui-thu.xlsx").status_code == 403
    client.force_login(stp_officer)
    assert "khung-mau.xlsx" in client.get("/dot/LS-2022/khung-mau/").content.decode()


def test_leaders_and_clerks_never_see_frames(client, langson_round):
    from surveys.accounts import roles
    from tests.security.users import make_user

    for user in (make_user("lanhdao", roles.LEADER), make_user("nhaplieu", roles.ENTRY, entry=("STP",)),
                 make_user("mttq", roles.SUPERVISOR)):
        client.force_login(user)
        assert client.get("/dot/LS-2022/khung-mau/").status_code == 403
        assert client.get("/dot/LS-2022/khung-mau/nguoi-duoc-chon/").status_code == 403


# --------------------------------------------------------------------------- draw
def _upload_frames(staff):
    stp = Agency.objects.get(code="STP")
    outcome = frames.upload_frame(survey_round=stp_round(), agency=stp, source=frame_bytes(
        people(40, "LLTP") + people(4, "CCHUNG", start=200)), filename="stp.xlsx", uploaded_by=staff)
    assert outcome.ok, outcome.errors
    return outcome.frame


def stp_round():
    from surveys.models import SurveyRound

    return SurveyRound.objects.get(code="LS-2022")


def drawn(round_) -> dict[str, int]:
    return dict(FrameContact.objects.filter(round=round_, ma_phieu__isnull=False).values_list("ma_phieu", "row_number"))


def test_same_seed_same_contacts_and_serials_quota_respected(langson_round, staff):
    _upload_frames(staff)
    first = frames.draw_sample(survey_round=langson_round, seed=20221, drawn_by=staff)
    chosen = drawn(langson_round)
    # quota LLTP = 10 of 40; CCHUNG has quota 10 but only 4 people: all 4, 6 short.
    assert first.drawn == 14
    cells = {(c.agency_code, c.domain_code): c for c in first.cells}
    assert cells[("STP", "LLTP")].drawn == 10 and cells[("STP", "CCHUNG")].short == 6
    assert sorted(s for s in chosen if "-LLTP-" in s) == [f"KM-STP-LLTP-{n:03d}" for n in range(1, 11)]
    tokens = set(FrameContact.objects.filter(ma_phieu__isnull=False).values_list("token", flat=True))
    assert len(tokens) == 14 and all(len(t) >= 20 for t in tokens)

    again = frames.draw_sample(survey_round=langson_round, seed=20221, drawn_by=staff)
    assert again.released == 14
    assert drawn(langson_round) == chosen  # same people, same serials
    assert not tokens & set(FrameContact.objects.filter(ma_phieu__isnull=False).values_list("token", flat=True))

    frames.draw_sample(survey_round=langson_round, seed=777, drawn_by=staff)
    other = drawn(langson_round)
    assert len(other) == 14 and other != chosen


def test_redraw_keeps_sent_contacts_and_fills_the_rest(langson_round, staff):
    _upload_frames(staff)
    frames.draw_sample(survey_round=langson_round, seed=5, drawn_by=staff)
    frames.update_contact_statuses(survey_round=langson_round, serials=["KM-STP-LLTP-001", "KM-STP-LLTP-002"],
                                   status=ContactStatus.SENT, changed_by=staff)
    kept = {s: r for s, r in drawn(langson_round).items() if s in ("KM-STP-LLTP-001", "KM-STP-LLTP-002")}
    frames.draw_sample(survey_round=langson_round, seed=6, drawn_by=staff)
    after = drawn(langson_round)
    lltp = {s: r for s, r in after.items() if "-LLTP-" in s}
    assert len(lltp) == 10  # quota still respected
    assert all(after[s] == r for s, r in kept.items())  # the sent ones stay with their serials
    assert len(set(lltp.values())) == 10


def test_serials_skip_those_already_used_by_questionnaires(langson_round, staff):

    record_response(survey_round=langson_round, row=paper_row("KM-STP-LLTP-001"), entered_by=staff)
    _upload_frames(staff)
    frames.draw_sample(survey_round=langson_round, seed=1, drawn_by=staff)
    serials = sorted(s for s in drawn(langson_round) if "-LLTP-" in s)
    assert "KM-STP-LLTP-001" not in serials and serials[-1] == "KM-STP-LLTP-011"


def test_draw_in_the_browser_form_and_round_status(client, langson_round, staff):
    _upload_frames(staff)
    client.force_login(staff)
    response = client.post("/dot/LS-2022/khung-mau/chon-mau/", {"seed": "42"}, follow=True)
    text = response.content.decode()
    assert "Đã chọn mẫu với hạt giống 42: 14 người mới" in text
    assert "STP/CCHUNG thiếu 6" in text
    assert AuditEntry.objects.filter(action="chọn mẫu").get().after["hat_giong"] == 42
    langson_round.status = RoundStatus.CLOSED
    langson_round.save()
    response = client.post("/dot/LS-2022/khung-mau/chon-mau/", {"seed": "43"}, follow=True)
    assert "chỉ tải khung mẫu và chọn mẫu khi đợt ở trạng thái" in response.content.decode()
    assert FrameContact.objects.filter(draw__seed=43).count() == 0


# --------------------------------------------------------------------------- lists
def test_mailing_and_phone_lists(client, langson_round, staff):
    _upload_frames(staff)
    frames.draw_sample(survey_round=langson_round, seed=9, drawn_by=staff)
    client.force_login(staff)
    contact = FrameContact.objects.get(ma_phieu="KM-STP-LLTP-001")
    mail = sheet_rows(client.get("/dot/LS-2022/khung-mau/danh-sach-gui-thu.xlsx"))
    assert mail[0][:8] == ("STT", "Mã phiếu", "Họ và tên", "Địa chỉ", "Mã cơ quan", "Cơ quan", "Mã lĩnh vực",
                           "Lĩnh vực")
    assert len(mail) == 1 + 14
    line = next(r for r in mail if r[1] == "KM-STP-LLTP-001")
    assert line[2:5] == (contact.full_name, contact.address, "STP")
    assert line[8].endswith(f"/phieu/t/{contact.token}/")
    phone = sheet_rows(client.get("/dot/LS-2022/khung-mau/danh-sach-dien-thoai.xlsx"))
    assert phone[0][:5] == ("STT", "Mã phiếu", "Họ và tên", "Điện thoại", "Thủ tục")
    line = next(r for r in phone if r[1] == "KM-STP-LLTP-001")
    assert line[2:5] == (contact.full_name, contact.phone, "Cấp phiếu lý lịch tư pháp")
    assert AuditEntry.objects.filter(action="tải danh sách gửi thư").count() == 1


def test_formula_like_names_are_neutralised(client, langson_round, staff):
    rows = people(1, "LLTP")
    rows[0][0] = "@SUM(1+1)"
    assert frames.upload_frame(survey_round=langson_round, agency=Agency.objects.get(code="STP"),
                        source=frame_bytes(rows), filename="x.xlsx", uploaded_by=staff).ok
    frames.draw_sample(survey_round=langson_round, seed=1, drawn_by=staff)
    client.force_login(staff)
    mail = sheet_rows(client.get("/dot/LS-2022/khung-mau/danh-sach-gui-thu.xlsx"))
    assert mail[1][2] == "'@SUM(1+1)"


# --------------------------------------------------------------------------- statuses and rates
def test_status_updates_by_serial_and_response_rate(client, langson_round, staff):
    _upload_frames(staff)
    frames.draw_sample(survey_round=langson_round, seed=3, drawn_by=staff)
    client.force_login(staff)
    serials = "\n".join(f"km-stp-lltp-{n:03d}" for n in range(1, 11))  # scanned in lower case
    response = client.post("/dot/LS-2022/khung-mau/nguoi-duoc-chon/", {"serials": serials, "status": "sent"},
                           follow=True)
    assert "Đã cập nhật 10 người sang “Đã gửi”" in response.content.decode()
    client.post("/dot/LS-2022/khung-mau/nguoi-duoc-chon/", {"serials": "KM-STP-LLTP-003 KM-STP-LLTP-004",
                                                             "status": "refused"})
    client.post("/dot/LS-2022/khung-mau/nguoi-duoc-chon/", {"serials": "KM-STP-LLTP-005", "status": "unreachable"})
    # An unknown serial: nothing changes.
    response = client.post("/dot/LS-2022/khung-mau/nguoi-duoc-chon/",
                           {"serials": "KM-STP-LLTP-006\nKM-XYZ-999", "status": "refused"})
    assert "Mã thứ 2 (KM-XYZ-999): không có trong danh sách" in response.content.decode()
    assert FrameContact.objects.get(ma_phieu="KM-STP-LLTP-006").status == ContactStatus.SENT

    # Two questionnaires come back: one keyed on paper (another helper's path calls mark_returned),
    # one saved without it: both count.

    for serial in ("KM-STP-LLTP-001", "KM-STP-LLTP-002"):
        record_response(survey_round=langson_round, row=paper_row(serial),
                        entered_by=staff)
    frames.mark_returned(survey_round=langson_round, ma_phieu="KM-STP-LLTP-001", actor=staff)
    assert FrameContact.objects.get(ma_phieu="KM-STP-LLTP-001").status == ContactStatus.RETURNED
    assert FrameContact.objects.get(ma_phieu="KM-STP-LLTP-001").response.ma_phieu == "KM-STP-LLTP-001"
    assert frames.mark_returned(survey_round=langson_round, ma_phieu="KHONG-CO", actor=staff) is None

    rows, total = frames.response_rates(langson_round, None)
    lltp = next(r for r in rows if (r.agency_code, r.domain_code) == ("STP", "LLTP"))
    assert (lltp.in_frame, lltp.drawn, lltp.sent, lltp.returned, lltp.refused, lltp.unreachable) == (40, 10, 5, 2, 2, 1)
    assert lltp.rate == pytest.approx(20.0)
    assert (total.drawn, total.returned) == (14, 2)
    home = client.get("/dot/LS-2022/khung-mau/").content.decode()
    assert "14,3%" in home  # 2 / 14 for STP, Vietnamese decimal comma
    lltp_row = home[home.index('data-agency-domain="STP/LLTP"'):]
    assert "20,0%" in lltp_row[:lltp_row.index("</tr>")]  # 2 / 10 for STP × LLTP
    book = load_workbook(io.BytesIO(client.get("/dot/LS-2022/khung-mau/ty-le-thu-ve.xlsx").content))
    detail = [r for r in book["Theo_linh_vuc"].iter_rows(values_only=True) if r[0] == "STP" and r[2] == "LLTP"][0]
    assert detail[4:12] == (10, 40, 10, 5, 2, 2, 1, 20.0)
    # A questionnaire about this serial exists: it cannot be set back to "sent".
    response = client.post("/dot/LS-2022/khung-mau/nguoi-duoc-chon/", {"serials": "KM-STP-LLTP-002", "status": "sent"})
    assert "đã có phiếu trả lời với mã này" in response.content.decode()


def test_contact_list_filter_and_download(client, langson_round, staff, stp_officer):
    _upload_frames(staff)
    frames.draw_sample(survey_round=langson_round, seed=3, drawn_by=staff)
    frames.update_contact_statuses(survey_round=langson_round, serials=["KM-STP-LLTP-001"],
                                   status=ContactStatus.REFUSED, changed_by=staff)
    client.force_login(stp_officer)
    page = client.get("/dot/LS-2022/khung-mau/nguoi-duoc-chon/?tinh_trang=refused").content.decode()
    assert page.count('data-serial="') == 1 and 'data-serial="KM-STP-LLTP-001"' in page
    assert "Cập nhật tình trạng theo mã phiếu" not in page  # officers read, staff update
    assert client.post("/dot/LS-2022/khung-mau/nguoi-duoc-chon/", {"serials": "KM-STP-LLTP-002",
                                                                    "status": "sent"}).status_code == 403
    rows = sheet_rows(client.get("/dot/LS-2022/khung-mau/nguoi-duoc-chon.xlsx"))
    assert len(rows) == 1 + 14 and rows[0][0] == "Mã phiếu"


# --------------------------------------------------------------------------- purge and separation
def test_purge_blanks_personal_data_of_a_closed_round_only(client, langson_round, staff):
    _upload_frames(staff)
    frames.draw_sample(survey_round=langson_round, seed=3, drawn_by=staff)
    client.force_login(staff)
    response = client.post("/dot/LS-2022/khung-mau/xoa-thong-tin-ca-nhan/", follow=True)
    assert "Chỉ xoá thông tin cá nhân khi đợt đã đóng" in response.content.decode()
    assert FrameContact.objects.exclude(full_name="").count() == 44
    langson_round.status = RoundStatus.CLOSED
    langson_round.save()
    response = client.post("/dot/LS-2022/khung-mau/xoa-thong-tin-ca-nhan/", follow=True)
    assert "Đã xoá họ tên, địa chỉ, điện thoại của 44 người" in response.content.decode()
    assert not FrameContact.objects.exclude(full_name="", address="", phone="").exists()
    assert not FrameContact.objects.filter(token__isnull=False).exists()
    assert FrameContact.objects.filter(ma_phieu__isnull=False).count() == 14  # serials and statuses stay
    assert SampleFrame.objects.get().purged_at is not None
    assert AuditEntry.objects.get(action="xoá thông tin cá nhân").after == {"so_khung_mau": 1, "so_nguoi": 44}


def test_response_exports_never_carry_frame_data(client, langson_round, staff):
    """Questionnaire lists and index exports read Response rows only: no name, phone, address."""
    _upload_frames(staff)
    frames.draw_sample(survey_round=langson_round, seed=3, drawn_by=staff)

    record_response(survey_round=langson_round, row=paper_row("KM-STP-LLTP-001"), entered_by=staff)
    contact = FrameContact.objects.get(ma_phieu="KM-STP-LLTP-001")
    client.force_login(staff)
    for url in ("/dot/LS-2022/phieu/xlsx/", "/chi-so/LS-2022/xlsx/"):
        response = client.get(url)
        assert response.status_code == 200
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            text = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
        assert contact.full_name not in text and contact.phone not in text and "Trần Đăng Ninh" not in text


def test_frame_of_round_agency_domain_quota_zero_draws_nobody(langson_round, staff):
    RoundAgencyDomain.objects.filter(round=langson_round, agency__code="STP", domain__code="LLTP").update(quota=0)
    _upload_frames(staff)
    frames.draw_sample(survey_round=langson_round, seed=3, drawn_by=staff)
    assert not FrameContact.objects.filter(domain__code="LLTP", ma_phieu__isnull=False).exists()


def test_parsed_row_type_is_the_import_one():
    assert ParsedRow.__module__ == "surveys.responses.importing"


def test_desk_links_with_qr_codes_and_download(client, langson_round, staff, tpls_officer):
    client.force_login(tpls_officer)
    page = client.get("/dot/LS-2022/truc-tuyen/").content.decode()
    assert "http://testserver/phieu/LS-2022/TPLS/DATDAI/" in page and "/phieu/LS-2022/STP/" not in page
    assert page.count('src="data:image/svg+xml') == 2  # TPLS surveys two domains
    client.force_login(staff)
    rows = sheet_rows(client.get("/dot/LS-2022/truc-tuyen.xlsx"))
    assert rows[0] == ("Mã cơ quan", "Cơ quan", "Mã lĩnh vực", "Lĩnh vực", "Đường dẫn trả lời trực tuyến")
    assert len(rows) == 1 + RoundAgencyDomain.objects.filter(round=langson_round).count()
    assert ("STP", "Sở Tư pháp", "CCHUNG") == rows[[r[0] for r in rows].index("STP")][:3]  # by domain code
    assert any(r[4] == "http://testserver/phieu/LS-2022/STP/LLTP/" for r in rows)
    overview = client.get("/dot/LS-2022/").content.decode()
    assert "/dot/LS-2022/khung-mau/" in overview


def test_a_frame_uploaded_by_mistake_can_be_deleted_until_drawn(client, langson_round, staff, stp_officer,
                                                                  tpls_officer):
    frame = _upload_frames(staff)
    client.force_login(tpls_officer)  # another agency: not even visible
    assert client.post(f"/dot/LS-2022/khung-mau/{frame.pk}/xoa/").status_code == 404
    client.force_login(stp_officer)
    response = client.post(f"/dot/LS-2022/khung-mau/{frame.pk}/xoa/", follow=True)
    assert "Đã xoá khung mẫu “stp.xlsx” (44 người) của STP." in response.content.decode()
    assert not SampleFrame.objects.exists() and not FrameContact.objects.exists()
    assert AuditEntry.objects.get(action="xoá khung mẫu").before["so_nguoi"] == 44
    frame = _upload_frames(staff)
    frames.draw_sample(survey_round=langson_round, seed=1, drawn_by=staff)
    response = client.post(f"/dot/LS-2022/khung-mau/{frame.pk}/xoa/", follow=True)
    assert "đã có 14 người trong đó được chọn mẫu" in response.content.decode()
    assert FrameContact.objects.count() == 44


def test_paper_questionnaires_for_the_drawn_contacts(client, langson_round, staff, tmp_path):
    import shutil
    import subprocess

    frames.upload_frame(survey_round=langson_round, agency=Agency.objects.get(code="STP"),
                        source=frame_bytes(people(2, "LLTP")), filename="stp.xlsx", uploaded_by=staff)
    frames.draw_sample(survey_round=langson_round, seed=8, drawn_by=staff)
    client.force_login(staff)
    response = client.get("/dot/LS-2022/khung-mau/phieu-giay.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.get(action="in phiếu cho người được chọn").after == {"so_phieu": 2}
    if shutil.which("pdftotext"):
        path = tmp_path / "phieu.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "KM-STP-LLTP-001" in text and "KM-STP-LLTP-002" in text
