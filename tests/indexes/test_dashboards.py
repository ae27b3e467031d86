"""The results dashboards: values on the pages equal the index JSON, targets, rank groups,
'mẫu nhỏ', scoping, filters (hand-checkable), XLSX downloads, the computed-status endpoint."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from indexes import figures
from indexes.models import RoundTargets
from indexes.ranking import rank_groups
from indexes.selectors import index_json
from indexes.services import recompute_round
from sipas_portal.formatting import format_percent
from surveys.accounts import roles
from surveys.models import AuditEntry, SurveyRound
from surveys.responses.importing import ParsedRow
from surveys.responses.services import record_response
from tests.caching import use_own_cache_namespace
from tests.security.users import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    """Targets, definitions and filtered results are cached by round code, id and data_version,
    which the rounds of successive tests on one test database repeat (each test's rows are
    rolled back): start every test from an empty cache namespace of its own. Not `cache.clear()`:
    the cache is shared with the other test processes, whose entries and counts it would wipe."""
    use_own_cache_namespace(settings)


@pytest.fixture
def seeded(langson_round):
    call_command("seed_demo", "--round", "LS-2022", "--responses", "400", "--seed", "11", verbosity=0)
    recompute_round(round_id=langson_round.pk, force=True)
    langson_round.refresh_from_db()
    return langson_round


@pytest.fixture
def leader(db):
    return make_user("lanhdao", roles.LEADER)


def results_of(survey_round) -> dict:
    return {(r["scope"], r["code"]): r for r in index_json(survey_round)["results"]}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def cell(html: str, attribute: str) -> str:
    """The text of the first element carrying `attribute` (e.g. data-factor="F1")."""
    match = re.search(rf'<(\w+)[^>]*{attribute}[^>]*>(.*?)</\1>', html)
    assert match, attribute
    return re.sub(r"<[^>]+>", " ", match.group(2))


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def sheet_rows(book, title: str) -> list[tuple]:
    return list(book[title].iter_rows(min_row=1, values_only=True))


# ---- pure ------------------------------------------------------------------------------------
def test_rank_groups_never_separate_overlapping_intervals():
    items = [
        ("A", 85.0, (80.0, 90.0)),
        ("B", 76.0, (70.0, 85.0)),  # overlaps A
        ("C", 68.0, (60.0, 75.0)),  # overlaps B only: still A's group (a chain)
        ("D", 40.0, (30.0, 50.0)),  # below everyone: a group of its own
        ("E", 45.0, None),  # no interval: not grouped
    ]
    groups = rank_groups(items)
    assert groups == {"A": 1, "B": 1, "C": 1, "D": 2}
    intervals = {code: interval for code, _, interval in items if interval}
    for x, (x_low, _) in intervals.items():
        for y, (_, y_high) in intervals.items():
            if groups[x] < groups[y]:
                assert x_low > y_high, (x, y)  # different groups: order established


def test_option_share_adds_single_choice_options_with_a_wilson_interval():
    scope = figures.ScopeFigures(
        scope="province", code="", name="T", n=10, sipas=figures.Figure(None, 0), factors={}, criteria={},
        shares={"B3": {"n": 10, "options": {"1": 60.0, "2": 30.0, "3": 10.0, "4": 0.0}}},
    )
    share = scope.option_share("B3", (2, 3, 4))
    assert share.value == pytest.approx(40.0)
    assert share.n == 10
    assert share.low == pytest.approx(16.8180, abs=1e-3)  # Wilson 4/10
    assert share.high == pytest.approx(68.7326, abs=1e-3)


# ---- overview equals the index JSON ------------------------------------------------------------
def test_overview_shows_the_index_json_values_and_criteria_weakest_first(seeded, leader, client):
    client.force_login(leader)
    response = client.get("/chi-so/LS-2022/tong-quan/")
    assert response.status_code == 200
    html = text_of(response)
    province = results_of(seeded)[("province", None)]
    assert cell(html, 'data-figure="sipas"').strip() == format_percent(province["sipas"])
    low, high = province["intervals"]["sipas"]
    assert f"n = {province['n']}" in html
    assert f"95%: {format_percent(low)[:-1]}–{format_percent(high)[:-1]}" in html
    for code, value in province["factors"].items():
        assert format_percent(value) in cell(html, f'data-factor="{code}"')
    shown = re.findall(r'<th scope="row" class="fw-normal text-nowrap">(C\d\.\d)</th>', html)
    expected = sorted(province["criteria"], key=lambda c: province["criteria"][c])
    assert shown == expected
    assert "Chỉ số tính lúc" in html and seeded.computed_at is not None


def test_agency_page_values_equal_json_and_lists_improvements_and_comments(seeded, leader, client):
    client.force_login(leader)
    agency = results_of(seeded)[("agency", "SKHDT")]
    html = text_of(client.get("/chi-so/LS-2022/co-quan/SKHDT/"))
    assert cell(html, 'data-figure="sipas"').strip() == format_percent(agency["sipas"])
    for code, value in agency["factors"].items():
        assert format_percent(value) in cell(html, f'data-factor="{code}"')
    d1 = agency["shares"]["D1"]["options"]
    best = max(d1, key=lambda option: d1[option] or 0)
    assert format_percent(d1[best]) in html
    assert "Người dân, tổ chức mong cơ quan ưu tiên cải thiện" in html
    assert "Ý kiến khác của người trả lời" in html


def test_district_page_lists_its_communes_and_its_area(seeded, leader, client):
    client.force_login(leader)
    results = results_of(seeded)
    html = text_of(client.get("/chi-so/LS-2022/co-quan/TPLS/"))
    assert "Địa bàn huyện và các xã" in html
    commune = results[("agency", "TPLS-03")]
    assert commune["name"] in html
    assert format_percent(results[("district_area", "TPLS")]["sipas"]) in html


# ---- targets -----------------------------------------------------------------------------------
def test_below_target_is_highlighted_and_targets_are_editable_and_audited(seeded, client):
    staff = make_user("canbo", roles.STAFF, agency="SNV")
    client.force_login(staff)
    province = results_of(seeded)[("province", None)]

    high_target = Decimal(str(min(99.99, round(province["sipas"] + 1, 2))))
    response = client.post("/chi-so/LS-2022/chi-tieu/", {"sipas": str(high_target).replace(".", ","), "domain": "80",
                                                          "domains": ["DATDAI", "HDXD"]})
    assert response.status_code == 302
    stored = RoundTargets.objects.get(round=seeded)
    assert stored.sipas == high_target and sorted(stored.domains.values_list("code", flat=True)) == ["DATDAI", "HDXD"]
    entry = AuditEntry.objects.filter(action="đặt chỉ tiêu kết quả").latest("pk")
    assert entry.before["sipas"] == 90.0 and entry.after["sipas"] == float(high_target)

    html = text_of(client.get("/chi-so/LS-2022/tong-quan/"))
    assert "kpi-below" in html and "chưa đạt" in html

    client.post("/chi-so/LS-2022/chi-tieu/", {"sipas": "10", "domain": "80", "domains": []})
    html = text_of(client.get("/chi-so/LS-2022/tong-quan/"))
    assert "kpi-below" not in html and "<strong class=\"text-success\">đạt</strong>" in html


def test_ranking_highlights_agencies_below_target(seeded, leader, client):
    RoundTargets.objects.create(round=seeded, sipas=Decimal("99.99"), domain=Decimal("80"))
    client.force_login(leader)
    html = text_of(client.get("/chi-so/LS-2022/xep-hang/"))
    agencies = [r for (scope, _), r in results_of(seeded).items() if scope == "agency" and r["sipas"] is not None]
    below = [r for r in agencies if r["sipas"] < 99.99]
    assert below and html.count("row-below-target") == len(below)


def test_bad_target_is_refused_in_vietnamese_and_nothing_saved(seeded, client):
    client.force_login(make_user("canbo", roles.STAFF, agency="SNV"))
    response = client.post("/chi-so/LS-2022/chi-tieu/", {"sipas": "chín mươi", "domain": "180", "domains": ["XYZ"]})
    assert response.status_code == 200
    html = text_of(response)
    assert "Chỉ tiêu SIPAS phải là một số từ 0 đến 100" in html
    assert "Chỉ tiêu lĩnh vực không được lớn hơn 100." in html
    assert "Lĩnh vực “XYZ” không có trong đợt khảo sát này." in html
    assert not RoundTargets.objects.exists()


def test_leaders_read_targets_but_cannot_change_them(seeded, leader, client):
    client.force_login(leader)
    assert client.get("/chi-so/LS-2022/chi-tieu/").status_code == 200
    assert client.post("/chi-so/LS-2022/chi-tieu/", {"sipas": "50", "domain": "50"}).status_code == 403
    assert not RoundTargets.objects.exists()


# ---- ranking and small samples -----------------------------------------------------------------
def test_ranking_rows_carry_the_rank_ranges_of_the_json_and_groups(seeded, leader, client):
    client.force_login(leader)
    html = client.get("/chi-so/LS-2022/xep-hang/").content.decode()
    shown = dict(re.findall(r'data-agency="([^"]+)" data-group="[^"]*" data-rank="([^"]+)"', html))
    for (scope, code), result in results_of(seeded).items():
        if scope == "agency" and "rank_range" in result:
            best, worst = result["rank_range"]
            assert shown[code] == (str(best) if best == worst else f"{best}–{worst}")
    assert "gộp nhóm" in html and "chưa đủ chắc chắn" in html


def test_small_samples_are_marked(seeded, leader, client):
    client.force_login(leader)
    small = [code for (scope, code), r in results_of(seeded).items() if scope == "agency" and 0 < r["n"] < 30]
    assert small
    html = client.get(f"/chi-so/LS-2022/co-quan/{small[0]}/").content.decode()
    assert "mẫu nhỏ" in html
    ranking = client.get("/chi-so/LS-2022/xep-hang/").content.decode()
    row = re.search(rf'data-agency="{small[0]}".*?</tr>', ranking, re.S).group(0)
    assert "mẫu nhỏ" in row


# ---- scoping -----------------------------------------------------------------------------------
def test_agency_officer_sees_only_their_agency_and_communes(seeded, client):
    officer = make_user("tpls", roles.AGENCY, agency="TPLS")
    client.force_login(officer)
    overview = client.get("/chi-so/LS-2022/tong-quan/")
    assert overview.status_code == 302 and overview["Location"].endswith("/chi-so/LS-2022/co-quan/TPLS/")
    assert client.get("/chi-so/LS-2022/co-quan/TPLS/").status_code == 200
    assert client.get("/chi-so/LS-2022/co-quan/TPLS-03/").status_code == 200
    assert client.get("/chi-so/LS-2022/co-quan/SKHDT/").status_code == 404
    for page in ("xep-hang", "theo-cap", "theo-linh-vuc", "qua-trinh", "nguoi-tra-loi", "xu-huong", "chi-tieu"):
        assert client.get(f"/chi-so/LS-2022/{page}/").status_code == 403, page
    book = workbook(client.get("/chi-so/LS-2022/co-quan/TPLS/?tai=xlsx"))
    names = {row[1] for row in sheet_rows(book, "Cơ quan")[1:]}
    assert names == {results_of(seeded)[("agency", "TPLS")]["name"]}
    html = client.get("/chi-so/LS-2022/co-quan/TPLS/").content.decode()
    assert "Xếp hạng cơ quan" not in html  # no tabs to aggregate pages


# ---- filters: a hand-checkable case ------------------------------------------------------------
def parsed(serial: str, *, channel: str, day: int, scale: int, domain: str = "DKDN", agency: str = "SKHDT") -> ParsedRow:
    answers = {"A1": 1, "A2": 3, "A3": 2, "A4": 5, "A5": 4, "A6": 1, "B2": 1, "B3": 1, "B4": 2, "B6": 2, "B7": 2,
               "D2": f"Ý kiến {serial}"}
    for factor, count in (("C1", 3), ("C2", 5), ("C3", 6), ("C4", 4)):
        answers.update({f"{factor}.{k}": scale for k in range(1, count + 1)})
    answers["B1"] = frozenset({1})
    answers["D1"] = frozenset({2, 3})
    return ParsedRow(row=0, ma_phieu=serial, agency_code=agency, domain_code=domain, channel=channel,
                     surveyed_on=dt.date(2022, 11, day), answers=answers)


@pytest.fixture
def hand_round(langson_round):
    for row in (
        parsed("H-1", channel="BUU_DIEN", day=2, scale=5),
        parsed("H-2", channel="BUU_DIEN", day=20, scale=4),
        parsed("H-3", channel="TRUC_TUYEN", day=25, scale=2),
    ):
        record_response(survey_round=langson_round, row=row, entered_by=None)
    recompute_round(round_id=langson_round.pk, force=True)
    return SurveyRound.objects.get(pk=langson_round.pk)


def test_filters_change_the_numbers_correctly(hand_round, leader, client):
    client.force_login(leader)
    # All three: two fully satisfied, one not at all → 2/3.
    html = text_of(client.get("/chi-so/LS-2022/tong-quan/"))
    assert cell(html, 'data-figure="sipas"').strip() == "66,67%"
    html = text_of(client.get("/chi-so/LS-2022/tong-quan/?kenh=BUU_DIEN"))
    assert cell(html, 'data-figure="sipas"').strip() == "100,00%"
    assert "Đang lọc: <strong>kênh Qua bưu điện</strong>" in html
    html = text_of(client.get("/chi-so/LS-2022/tong-quan/?kenh=TRUC_TUYEN"))
    assert cell(html, 'data-figure="sipas"').strip() == "0,00%"
    html = text_of(client.get("/chi-so/LS-2022/tong-quan/?tu_ngay=15/11/2022&den_ngay=30/11/2022"))
    assert cell(html, 'data-figure="sipas"').strip() == "50,00%"
    html = text_of(client.get("/chi-so/LS-2022/co-quan/SKHDT/?den_ngay=2022-11-10"))
    assert cell(html, 'data-figure="sipas"').strip() == "100,00%"
    assert "Ý kiến H-1" in html and "Ý kiến H-3" not in html
    book = workbook(client.get("/chi-so/LS-2022/tong-quan/?kenh=TRUC_TUYEN&tai=xlsx"))
    info = dict(sheet_rows(book, "Thông tin")[1:])
    assert info["Bộ lọc"] == "kênh Khảo sát trực tuyến"
    assert sheet_rows(book, "Toàn tỉnh")[1][4] == 0.0


def test_bad_filter_input_is_named_in_vietnamese_and_ignored(hand_round, leader, client):
    client.force_login(leader)
    response = client.get("/chi-so/LS-2022/tong-quan/?tu_ngay=31/02/2022&kenh=KHONG_CO", follow=True)
    assert response.status_code == 200
    html = text_of(response)
    assert "Ngày “từ ngày” không hợp lệ" in html
    assert "KHONG_CO" in html  # Django's choice message names the bad value
    assert cell(html, 'data-figure="sipas"').strip() == "66,67%"  # unfiltered
    response = client.get("/chi-so/LS-2022/tong-quan/?tu_ngay=20/11/2022&den_ngay=01/11/2022")
    assert "“đến ngày” (01/11/2022) trước “từ ngày” (20/11/2022)" in text_of(response)


def test_filtered_views_are_cached_by_data_version(hand_round, leader, client):
    client.force_login(leader)
    client.get("/chi-so/LS-2022/tong-quan/?kenh=BUU_DIEN")
    record_response(survey_round=hand_round, row=parsed("H-4", channel="BUU_DIEN", day=3, scale=1), entered_by=None)
    # A new questionnaire bumps data_version: the filtered view is recomputed, not served stale.
    html = text_of(client.get("/chi-so/LS-2022/tong-quan/?kenh=BUU_DIEN"))
    assert cell(html, 'data-figure="sipas"').strip() == "66,67%"


# ---- the other pages and their downloads --------------------------------------------------------
def test_process_and_demographic_shares_equal_the_json(seeded, leader, client):
    client.force_login(leader)
    province = results_of(seeded)[("province", None)]
    b4 = province["shares"]["B4"]
    html = text_of(client.get("/chi-so/LS-2022/qua-trinh/"))
    assert format_percent(b4["options"]["3"]) in html  # late results
    book = workbook(client.get("/chi-so/LS-2022/qua-trinh/?tai=xlsx"))
    rows = sheet_rows(book, "Chỉ số quy trình")
    header, first = rows[0], rows[1]
    late = header.index("B4: Nhận kết quả muộn hơn giấy hẹn")
    assert first[0] == province["name"] and first[late] == pytest.approx(b4["options"]["3"])
    trips = header.index("B3: Phải đi lại từ 2 lần trở lên")
    b3 = province["shares"]["B3"]["options"]
    assert first[trips] == pytest.approx(sum(b3[o] for o in ("2", "3", "4")))

    a1 = province["shares"]["A1"]["options"]
    html = text_of(client.get("/chi-so/LS-2022/nguoi-tra-loi/"))
    assert format_percent(a1["1"]) in html and format_percent(a1["2"]) in html


def test_overview_xlsx_holds_the_page_values_unrounded(seeded, leader, client):
    client.force_login(leader)
    province = results_of(seeded)[("province", None)]
    book = workbook(client.get("/chi-so/LS-2022/tong-quan/?tai=xlsx"))
    assert book.sheetnames[0] == "Thông tin"
    header, row = sheet_rows(book, "Toàn tỉnh")[:2]
    assert row[header.index("SIPAS")] == pytest.approx(province["sipas"], abs=1e-9)
    assert row[header.index("Số phiếu")] == province["n"]
    criteria = sheet_rows(book, "Tiêu chí (thấp nhất trước)")[1:]
    assert [r[0] for r in criteria] == sorted(province["criteria"], key=lambda c: province["criteria"][c])
    assert all(r[3] == pytest.approx(province["criteria"][r[0]]) for r in criteria)


@pytest.mark.parametrize(
    "page,sheet",
    [("theo-cap", "Theo cấp"), ("xep-hang", "Xếp hạng"), ("theo-linh-vuc", "Theo lĩnh vực"),
     ("nguoi-tra-loi", "Người trả lời"), ("xu-huong", "Xu hướng"), ("co-quan/SKHDT", "Cơ quan")],
)
def test_every_dashboard_table_downloads(seeded, leader, client, page, sheet):
    client.force_login(leader)
    assert client.get(f"/chi-so/LS-2022/{page}/").status_code == 200
    book = workbook(client.get(f"/chi-so/LS-2022/{page}/?tai=xlsx"))
    assert sheet in book.sheetnames
    assert len(sheet_rows(book, sheet)) > 1


def test_levels_and_domains_equal_the_json(seeded, leader, client):
    client.force_login(leader)
    results = results_of(seeded)
    book = workbook(client.get("/chi-so/LS-2022/theo-cap/?tai=xlsx"))
    for row in sheet_rows(book, "Theo cấp")[1:]:
        assert row[4] == pytest.approx(results[("level", row[0])]["sipas"])
    book = workbook(client.get("/chi-so/LS-2022/theo-linh-vuc/?tai=xlsx"))
    for row in sheet_rows(book, "Theo lĩnh vực")[1:]:
        assert row[4] == pytest.approx(results[("domain", row[0])]["sipas"])


def test_trends_include_the_published_figures_and_this_round(seeded, leader, client):
    client.force_login(leader)
    html = text_of(client.get("/chi-so/LS-2022/xu-huong/"))
    for year, value in ((2017, "87,57%"), (2018, "75,70%"), (2021, "87,07%")):
        assert re.search(rf'data-year="{year}" data-source="published"> <th scope="row">{year}</th>.*?{value}', html)
    province = results_of(seeded)[("province", None)]
    assert format_percent(province["sipas"]) in html
    assert "31/63" in html


# ---- computed status ---------------------------------------------------------------------------
def test_status_endpoint_reports_pending_then_computed(hand_round, client):
    client.force_login(make_user("nhaplieu", roles.ENTRY, entry=("SKHDT",)))
    status = client.get("/chi-so/LS-2022/trang-thai/").json()
    assert status["pending"] is False and re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", status["computed_at"])
    record_response(survey_round=hand_round, row=parsed("H-9", channel="EMAIL", day=5, scale=4), entered_by=None)
    status = client.get("/chi-so/LS-2022/trang-thai/").json()
    assert status["pending"] is True and "Đang chờ tính lại" in status["pending_text"]
    recompute_round(round_id=hand_round.pk)
    assert client.get("/chi-so/LS-2022/trang-thai/").json()["pending"] is False


def test_pages_carry_the_polling_status_badge(hand_round, leader, client):
    client.force_login(leader)
    html = client.get("/chi-so/LS-2022/tong-quan/").content.decode()
    assert 'data-status-url="/chi-so/LS-2022/trang-thai/"' in html
    assert "js/computed-status.js" in html


def test_trends_hold_a_round_on_another_questionnaire(seeded, leader, client):
    """A later round on its own copy of the questionnaire is listed by its SIPAS; its factors,
    not compared across questionnaires here, read "—" (this was a 500)."""
    from surveys.rounds.services import create_round

    later = create_round(code="LS-2023", name="Khảo sát SIPAS 2023", year=2023, starts_on=dt.date(2023, 9, 1),
                         ends_on=dt.date(2023, 11, 30), created_by=None, source_round=seeded,
                         new_questionnaire_code="SIPAS-LS-2023")
    assert later.questionnaire_id != seeded.questionnaire_id
    recompute_round(round_id=later.pk, force=True)
    client.force_login(leader)
    response = client.get("/chi-so/LS-2022/xu-huong/")
    assert response.status_code == 200
    html = text_of(response)
    row = re.search(r'<tr data-year="2023" data-source="round">(.*?)</tr>', html).group(1)
    assert "Đợt LS-2023" in row and row.count('<td class="num">—</td>') == 1 + len(seeded.questionnaire.factors.all())
