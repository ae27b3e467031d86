"""Round set-up pages: what staff see and do, what bad input gets, downloads."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from surveys.models import Agency, AuditEntry, Domain, RoundAgency, RoundAgencyDomain, RoundStatusChange, SurveyRound


def test_new_round_by_copying_in_the_form(client, langson_round, staff_user):
    client.force_login(staff_user)
    page = client.get("/dot/moi/?tu=LS-2022")
    assert page.status_code == 200 and "Sao chép từ đợt" in page.content.decode()
    response = client.post("/dot/moi/", {
        "source_round": langson_round.pk, "code": "LS-2026", "name": "Khảo sát SIPAS năm 2026", "year": "2026",
        "starts_on": "01/10/2026", "ends_on": "31/12/2026", "questionnaire": "", "new_questionnaire_code": "",
    })
    assert response.status_code == 302 and response["Location"] == "/dot/LS-2026/thiet-lap/"
    new = SurveyRound.objects.get(code="LS-2026")
    assert new.status == "draft" and new.starts_on.isoformat() == "2026-10-01"
    assert RoundAgency.objects.filter(round=new).count() == 86


def test_new_round_with_bad_input_says_where(client, langson_round, staff_user):
    client.force_login(staff_user)
    response = client.post("/dot/moi/", {"code": "LS-2022", "name": "x", "year": "2026", "starts_on": "31/12/2026",
                                         "ends_on": "2026-13-01", "questionnaire": "", "source_round": ""})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Ngày phải có dạng dd/mm/yyyy" in text and "Đợt trống cần chọn bộ câu hỏi." in text
    assert SurveyRound.objects.count() == 1


def test_setup_page_shows_history_and_moves_status(client, langson_round, staff_user):
    client.force_login(staff_user)
    response = client.post("/dot/LS-2022/thiet-lap/trang-thai/", {"to_status": "closed", "reason": ""}, follow=True)
    assert "đã chuyển sang “Đã đóng”" in response.content.decode()
    response = client.post("/dot/LS-2022/thiet-lap/trang-thai/", {"to_status": "collecting", "reason": ""},
                           follow=True)
    assert "Cần ghi lý do khi chuyển đợt từ “Đã đóng” về “Đang thu thập”." in response.content.decode()
    client.post("/dot/LS-2022/thiet-lap/trang-thai/", {"to_status": "collecting", "reason": "Còn phiếu bưu điện"})
    assert SurveyRound.objects.get(pk=langson_round.pk).status == "collecting"
    page = client.get("/dot/LS-2022/thiet-lap/").content.decode()
    assert "Lịch sử trạng thái" in page and "Còn phiếu bưu điện" in page
    assert RoundStatusChange.objects.count() == 2
    overview = client.get("/dot/LS-2022/").content.decode()
    assert "Còn phiếu bưu điện" in overview  # the round page shows the history too


def test_settings_form_saves_and_a_closed_round_is_read_only(client, langson_round, staff_user):
    client.force_login(staff_user)
    data = {"name": "Khảo sát SIPAS 2022 (sửa)", "year": "2022", "province_name": "Tỉnh Lạng Sơn",
            "questionnaire": langson_round.questionnaire_id, "starts_on": "01/10/2022", "ends_on": "31/12/2022",
            "segregate_duties": "on", "double_entry_percent": "150", "online_enabled": "on"}
    response = client.post("/dot/LS-2022/thiet-lap/", data)
    assert "Tỷ lệ nhập hai lần phải từ 0 đến 100 (phần trăm)." in response.content.decode()
    assert SurveyRound.objects.get(pk=langson_round.pk).name != data["name"]
    response = client.post("/dot/LS-2022/thiet-lap/", {**data, "double_entry_percent": "20"})
    assert response.status_code == 302
    saved = SurveyRound.objects.get(pk=langson_round.pk)
    assert (saved.name, saved.double_entry_percent, saved.enforce_quota) == (data["name"], 20, False)
    SurveyRound.objects.filter(pk=langson_round.pk).update(status="closed")
    response = client.post("/dot/LS-2022/thiet-lap/", {**data, "double_entry_percent": "20", "name": "Không được"})
    assert "Cần mở lại đợt" in response.content.decode()
    assert SurveyRound.objects.get(pk=langson_round.pk).name == data["name"]


def test_quota_grid_page_totals_and_bad_cell(client, langson_round, staff_user):
    client.force_login(staff_user)
    page = client.get("/dot/LS-2022/thiet-lap/chi-tieu/").content.decode()
    assert 'data-grand-total>895<' in page and 'js/quota-grid.js' in page
    stp = Agency.objects.get(code="STP")
    response = client.post("/dot/LS-2022/thiet-lap/chi-tieu/", {f"a-{stp.pk}": "abc"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Chỉ tiêu của Sở Tư pháp (STP): “abc” không phải số nguyên không âm" in text
    assert 'value="abc"' in text and "is-invalid" in text
    response = client.post("/dot/LS-2022/thiet-lap/chi-tieu/", {f"a-{stp.pk}": "30"}, follow=True)
    assert "Đã lưu chỉ tiêu (1 ô thay đổi)." in response.content.decode()
    assert RoundAgency.objects.get(round=langson_round, agency=stp).quota == 30


def test_quota_grid_xlsx(client, langson_round, staff_user):
    client.force_login(staff_user)
    response = client.get("/dot/LS-2022/thiet-lap/chi-tieu.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook["Chi_tieu"].iter_rows(min_row=2, values_only=True))
    stp = [r for r in rows if r[0] == "STP"]
    assert stp[0][5] == 20 and stp[0][6] == 20 and "LLTP" in {r[3] for r in stp[1:]}
    totals = list(workbook["Tong_theo_cap"].iter_rows(min_row=2, values_only=True))
    assert totals[-1][0] == "Toàn tỉnh" and totals[-1][2] == 895


def test_members_add_and_remove(client, langson_round, staff_user):
    client.force_login(staff_user)
    skhdt = Agency.objects.get(code="SKHDT")
    client.post("/dot/LS-2022/thiet-lap/co-quan/", {"action": "remove", "target": f"a-{skhdt.pk}"})
    assert not RoundAgency.objects.filter(round=langson_round, agency=skhdt).exists()
    client.post("/dot/LS-2022/thiet-lap/co-quan/", {"action": "add_agency", "them-co-quan-agency": skhdt.pk,
                                                    "them-co-quan-quota": "12"})
    assert RoundAgency.objects.get(round=langson_round, agency=skhdt).quota == 12
    domain = Domain.objects.get(code="DKDN")
    client.post("/dot/LS-2022/thiet-lap/co-quan/", {"action": "add_domain", "them-linh-vuc-agency": skhdt.pk,
                                                    "them-linh-vuc-domain": domain.pk, "them-linh-vuc-quota": "12"})
    assert RoundAgencyDomain.objects.get(round=langson_round, agency=skhdt, domain=domain).quota == 12
    response = client.post("/dot/LS-2022/thiet-lap/co-quan/", {"action": "remove", "target": "a-x"}, follow=True)
    assert "Không rõ cơ quan hay lĩnh vực cần bỏ." in response.content.decode()


def test_paper_print_downloads_a_pdf_with_new_serials(client, langson_round, staff_user):
    client.force_login(staff_user)
    response = client.post("/dot/LS-2022/thiet-lap/phieu-giay/", {"pair": "STP|LLTP", "count": "2"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "phieu-STP-LLTP-0001-STP-LLTP-0002.pdf" in response["Content-Disposition"]
    entry = AuditEntry.objects.get(action="in phiếu giấy")
    assert entry.after["den_so"] == 2 and entry.actor == staff_user
    response = client.post("/dot/LS-2022/thiet-lap/phieu-giay/", {"pair": "", "count": ""})
    assert "Chọn cơ quan × lĩnh vực" in response.content.decode()


def test_other_roles_are_refused(client, langson_round, agency_user):
    client.force_login(agency_user)
    for url in ("/dot/moi/", "/dot/LS-2022/thiet-lap/", "/dot/LS-2022/thiet-lap/chi-tieu/"):
        assert client.get(url).status_code == 403
    assert client.post("/dot/LS-2022/thiet-lap/trang-thai/", {"to_status": "closed"}).status_code == 403
    assert SurveyRound.objects.get(pk=langson_round.pk).status == "collecting"
