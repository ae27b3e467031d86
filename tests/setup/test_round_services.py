"""Round set-up services: copying a round, settings, statuses and their rules, the quota grid."""
from __future__ import annotations

import datetime as dt

import pytest

from surveys.models import (
    Agency,
    AuditEntry,
    Domain,
    Questionnaire,
    RoundAgency,
    RoundAgencyDomain,
    RoundStatus,
    RoundStatusChange,
    SurveyRound,
)
from surveys.responses.services import RoundNotOpen, ensure_collecting
from surveys.rounds import services as rs

from .conftest import add_response


def new_round(langson_round, user, code="LS-2026", **kwargs) -> SurveyRound:
    return rs.create_round(
        code=code, name="Khảo sát SIPAS năm 2026", year=2026, starts_on=dt.date(2026, 10, 1),
        ends_on=dt.date(2026, 12, 31), created_by=user, source_round=langson_round, **kwargs,
    )


def snapshot(survey_round):
    agencies = set(RoundAgency.objects.filter(round=survey_round).values_list("agency__code", "level__code",
                                                                            "parent__code", "quota"))
    domains = set(RoundAgencyDomain.objects.filter(round=survey_round).values_list("agency__code", "domain__code",
                                                                                 "quota"))
    return agencies, domains


def test_copy_reproduces_agencies_tree_domains_and_quotas(langson_round, staff_user):
    copy = new_round(langson_round, staff_user)
    assert copy.status == RoundStatus.DRAFT
    assert copy.questionnaire_id == langson_round.questionnaire_id
    assert snapshot(copy) == snapshot(langson_round)
    agencies, domains = snapshot(copy)
    assert len(agencies) == 86 and len(domains) == 169
    assert sum(q for *_, q in agencies) == 895
    assert ("STP", "SO", None, 20) in {(a, lv, p, q) for a, lv, p, q in agencies if a == "STP"}
    entry = AuditEntry.objects.get(action="tạo đợt", round_code="LS-2026")
    assert entry.after["sao_chep_tu"] == "LS-2022" and entry.after["co_quan"] == 86


def test_copy_keeps_the_old_tree_unless_asked_for_todays(langson_round, staff_user):
    commune = RoundAgency.objects.filter(round=langson_round, parent__isnull=False).select_related("agency").first()
    agency = commune.agency
    agency.parent = None  # a reorganisation after the round
    agency.save()
    kept = new_round(langson_round, staff_user, code="LS-2026A")
    assert RoundAgency.objects.get(round=kept, agency=agency).parent_id == commune.parent_id
    fresh = new_round(langson_round, staff_user, code="LS-2026B", refresh_tree=True)
    assert RoundAgency.objects.get(round=fresh, agency=agency).parent_id is None


def test_copy_with_a_new_questionnaire_version(langson_round, staff_user):
    copy = new_round(langson_round, staff_user, new_questionnaire_code="SIPAS-LS-2026")
    assert copy.questionnaire.code == "SIPAS-LS-2026"
    assert copy.questionnaire.copied_from.code == "SIPAS-LS-2022"
    assert copy.questionnaire.questions.count() == langson_round.questionnaire.questions.count() == 37


@pytest.mark.parametrize(
    ("code", "message"),
    [("LS-2022", "đã có"), ("moi", "không hợp lệ"), ("có dấu", "không hợp lệ"), ("", "không hợp lệ")],
)
def test_bad_codes_create_nothing(langson_round, staff_user, code, message):
    with pytest.raises(rs.RoundSetupError, match=message):
        new_round(langson_round, staff_user, code=code)
    assert SurveyRound.objects.count() == 1


def test_dates_must_be_in_order(langson_round, staff_user):
    with pytest.raises(rs.RoundSetupError, match="phải sau ngày bắt đầu"):
        rs.create_round(code="X-1", name="x", year=2026, starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 1, 1),
                        created_by=staff_user, questionnaire=langson_round.questionnaire)
    assert not SurveyRound.objects.filter(code="X-1").exists()


def test_blank_round_has_no_agencies(langson_round, staff_user):
    blank = rs.create_round(code="TRONG", name="Đợt trống", year=2026, starts_on=dt.date(2026, 1, 1),
                            ends_on=dt.date(2026, 2, 1), created_by=staff_user,
                            questionnaire=langson_round.questionnaire)
    assert not RoundAgency.objects.filter(round=blank).exists()
    with pytest.raises(rs.RoundSetupError, match="chưa có cơ quan và lĩnh vực"):
        rs.change_round_status(survey_round=blank, to_status="collecting", reason="", changed_by=staff_user)
    assert SurveyRound.objects.get(pk=blank.pk).status == RoundStatus.DRAFT


def test_full_cycle_of_statuses_with_history_and_audit(langson_round, staff_user):
    copy = new_round(langson_round, staff_user)
    with pytest.raises(RoundNotOpen):
        ensure_collecting(copy)  # a draft takes no questionnaire
    rs.change_round_status(survey_round=copy, to_status="collecting", reason="", changed_by=staff_user)
    copy.refresh_from_db()
    ensure_collecting(copy)
    rs.change_round_status(survey_round=copy, to_status="closed", reason="", changed_by=staff_user)
    with pytest.raises(rs.RoundSetupError, match="cần ghi lý do|Cần ghi lý do"):
        rs.change_round_status(survey_round=copy, to_status="collecting", reason="  ", changed_by=staff_user)
    rs.change_round_status(survey_round=copy, to_status="collecting", reason="Bưu điện còn 40 phiếu chưa giao",
                           changed_by=staff_user)
    rs.change_round_status(survey_round=copy, to_status="closed", reason="", changed_by=staff_user)
    rs.change_round_status(survey_round=copy, to_status="published", reason="", changed_by=staff_user)
    with pytest.raises(rs.RoundSetupError, match="Cần ghi lý do"):
        rs.change_round_status(survey_round=copy, to_status="closed", reason="", changed_by=staff_user)
    history = list(RoundStatusChange.objects.filter(round=copy).order_by("id").values_list(
        "from_status", "to_status", "reason"))
    assert history == [
        ("draft", "collecting", ""), ("collecting", "closed", ""),
        ("closed", "collecting", "Bưu điện còn 40 phiếu chưa giao"), ("collecting", "closed", ""),
        ("closed", "published", ""),
    ]
    trail = AuditEntry.objects.filter(action="chuyển trạng thái", round_code=copy.code).order_by("id")
    assert trail.count() == 5
    assert trail[2].note == "Bưu điện còn 40 phiếu chưa giao" and trail[2].after == {"trang_thai": "collecting"}
    assert trail[2].actor == staff_user


@pytest.mark.parametrize(("start", "target"), [("draft", "closed"), ("draft", "published"), ("collecting", "draft"),
                                               ("published", "collecting"), ("collecting", "published")])
def test_moves_outside_the_rules_are_refused(langson_round, staff_user, start, target):
    SurveyRound.objects.filter(pk=langson_round.pk).update(status=start)
    with pytest.raises(rs.RoundSetupError, match="Không chuyển được"):
        rs.change_round_status(survey_round=langson_round, to_status=target, reason="lý do", changed_by=staff_user)
    assert SurveyRound.objects.get(pk=langson_round.pk).status == start
    assert not RoundStatusChange.objects.exists()


def test_publishing_needs_fresh_indexes(langson_round, staff_user):
    SurveyRound.objects.filter(pk=langson_round.pk).update(status="closed", data_version=3, computed_version=2)
    with pytest.raises(rs.RoundSetupError, match="chưa được tính lại.*phiên bản 3.*phiên bản 2"):
        rs.change_round_status(survey_round=langson_round, to_status="published", reason="", changed_by=staff_user)
    SurveyRound.objects.filter(pk=langson_round.pk).update(computed_version=3)
    rs.change_round_status(survey_round=langson_round, to_status="published", reason="", changed_by=staff_user)
    assert SurveyRound.objects.get(pk=langson_round.pk).status == "published"


def test_closed_round_refuses_settings_quotas_and_members(langson_round, staff_user):
    SurveyRound.objects.filter(pk=langson_round.pk).update(status="closed")
    langson_round.refresh_from_db()
    stp = Agency.objects.get(code="STP")
    with pytest.raises(rs.RoundSetupError, match="Đã đóng"):
        rs.update_round_settings(survey_round=langson_round, values={"name": "Khác"}, changed_by=staff_user)
    with pytest.raises(rs.RoundSetupError, match="Cần mở lại đợt"):
        rs.save_quotas(survey_round=langson_round, data={f"a-{stp.pk}": "99"}, changed_by=staff_user)
    with pytest.raises(rs.RoundSetupError, match="Đã đóng"):
        rs.remove_round_domain(survey_round=langson_round, agency=stp, domain=Domain.objects.get(code="LLTP"),
                               changed_by=staff_user)
    assert RoundAgency.objects.get(round=langson_round, agency=stp).quota == 20
    assert SurveyRound.objects.get(pk=langson_round.pk).name == "Khảo sát SIPAS tỉnh Lạng Sơn năm 2022"


def test_settings_are_saved_and_checked(langson_round, staff_user):
    rs.update_round_settings(survey_round=langson_round, values={"double_entry_percent": 25, "enforce_quota": True},
                             changed_by=staff_user)
    langson_round.refresh_from_db()
    assert (langson_round.double_entry_percent, langson_round.enforce_quota) == (25, True)
    with pytest.raises(rs.RoundSetupError, match="từ 0 đến 100"):
        rs.update_round_settings(survey_round=langson_round, values={"double_entry_percent": 101},
                                 changed_by=staff_user)
    other = Questionnaire.objects.create(code="KHAC", name="Khác")
    add_response(langson_round)
    with pytest.raises(rs.RoundSetupError, match="không đổi được bộ câu hỏi"):
        rs.update_round_settings(survey_round=langson_round, values={"questionnaire": other}, changed_by=staff_user)
    langson_round.refresh_from_db()
    assert langson_round.double_entry_percent == 25
    assert AuditEntry.objects.filter(action="sửa", target_type="surveys.SurveyRound").exists()


def test_quota_grid_saves_all_or_nothing(langson_round, staff_user):
    stp, lltp = Agency.objects.get(code="STP"), Domain.objects.get(code="LLTP")
    skhdt = Agency.objects.get(code="SKHDT")
    good = {f"a-{stp.pk}": "25", f"d-{stp.pk}-{lltp.pk}": "1.200"}
    bad = {**good, f"a-{skhdt.pk}": "-3"}
    outcome = rs.save_quotas(survey_round=langson_round, data=bad, changed_by=staff_user)
    assert not outcome.ok
    assert outcome.errors == [f"Chỉ tiêu của {skhdt.name} (SKHDT): “-3” không phải số nguyên không âm (0 đến 1.000.000)."]
    assert RoundAgency.objects.get(round=langson_round, agency=stp).quota == 20  # nothing saved
    assert not AuditEntry.objects.filter(action="sửa chỉ tiêu").exists()
    outcome = rs.save_quotas(survey_round=langson_round, data=good, changed_by=staff_user)
    assert outcome.ok and outcome.changed == 2
    assert RoundAgency.objects.get(round=langson_round, agency=stp).quota == 25
    assert RoundAgencyDomain.objects.get(round=langson_round, agency=stp, domain=lltp).quota == 1200
    entry = AuditEntry.objects.get(action="sửa chỉ tiêu")
    assert entry.before == {"STP": 20, "STP×LLTP": 10} and entry.after == {"STP": 25, "STP×LLTP": 1200}


@pytest.mark.parametrize(("raw", "value"), [("12", 12), (" 1 200 ", 1200), ("", 0), ("1,5", None), ("abc", None),
                                            ("-1", None), ("2000000", None)])
def test_parse_quota(raw, value):
    assert rs.parse_quota(raw) == value


def test_level_totals(langson_round):
    rows = rs.quota_grid(langson_round)
    totals, grand, grand_domains = rs.level_totals(rows)
    assert grand == grand_domains == 895
    assert len(totals) == 3 and sum(t.quota for t in totals) == 895
    assert sum(t.agencies for t in totals) == 86
    assert not [r for r in rows if r.mismatch]


def test_agencies_and_domains_added_and_removed_with_guards(langson_round, staff_user):
    stp, lltp = Agency.objects.get(code="STP"), Domain.objects.get(code="LLTP")
    add_response(langson_round)
    with pytest.raises(rs.RoundSetupError, match="đã có phiếu"):
        rs.remove_round_domain(survey_round=langson_round, agency=stp, domain=lltp, changed_by=staff_user)
    with pytest.raises(rs.RoundSetupError, match="đã có phiếu"):
        rs.remove_round_agency(survey_round=langson_round, agency=stp, changed_by=staff_user)
    new_domain = Domain.objects.exclude(pk__in=RoundAgencyDomain.objects.filter(
        round=langson_round, agency=stp).values("domain")).first()
    rs.add_round_domain(survey_round=langson_round, agency=stp, domain=new_domain, quota=5, changed_by=staff_user)
    with pytest.raises(rs.RoundSetupError, match="đã khảo sát lĩnh vực"):
        rs.add_round_domain(survey_round=langson_round, agency=stp, domain=new_domain, quota=5, changed_by=staff_user)
    rs.remove_round_domain(survey_round=langson_round, agency=stp, domain=new_domain, changed_by=staff_user)
    assert not RoundAgencyDomain.objects.filter(round=langson_round, agency=stp, domain=new_domain).exists()
    skhdt = Agency.objects.get(code="SKHDT")
    rs.remove_round_agency(survey_round=langson_round, agency=skhdt, changed_by=staff_user)
    assert not RoundAgency.objects.filter(round=langson_round, agency=skhdt).exists()
    assert not RoundAgencyDomain.objects.filter(round=langson_round, agency=skhdt).exists()
    assert AuditEntry.objects.filter(action="xóa", target_type="surveys.RoundAgency").count() == 1
    rs.add_round_agency(survey_round=langson_round, agency=skhdt, quota=7, changed_by=staff_user)
    assert RoundAgency.objects.get(round=langson_round, agency=skhdt).quota == 7


def test_every_entry_path_checks_the_status(langson_round, staff_user, tmp_path):
    """Import, keyed entry and edits all go through ensure_collecting: a draft refuses them."""
    from surveys.responses.services import import_responses, record_response, update_response
    from tests.surveys.test_import import good_row
    from tests.test_permission_matrix import _row

    SurveyRound.objects.filter(pk=langson_round.pk).update(status="draft")
    langson_round.refresh_from_db()
    row = _row(good_row("PM-9"))
    with pytest.raises(RoundNotOpen, match="Đang thu thập"):
        record_response(survey_round=langson_round, row=row, entered_by=staff_user)
    with pytest.raises(RoundNotOpen):
        import_responses(survey_round=langson_round, source=str(tmp_path / "khong-co.xlsx"), entered_by=staff_user)
    response = add_response(langson_round)
    with pytest.raises(RoundNotOpen):
        update_response(response=response, row=row, edited_by=staff_user)


def test_a_round_opens_only_with_a_questionnaire_that_has_criteria(langson_round, staff_user):
    empty = Questionnaire.objects.create(code="TRONG", name="Bộ câu hỏi trống")
    blank = new_round(langson_round, staff_user, code="LS-2026C")
    rs.update_round_settings(survey_round=blank, values={"questionnaire": empty}, changed_by=staff_user)
    with pytest.raises(rs.RoundSetupError, match="Bộ câu hỏi TRONG không dùng được: chưa có câu thang hài lòng"):
        rs.change_round_status(survey_round=blank, to_status="collecting", reason="", changed_by=staff_user)
    assert SurveyRound.objects.get(pk=blank.pk).status == "draft"
