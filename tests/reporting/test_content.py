"""The report's content and drafts from a small hand-made index export (pure, no database)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from reporting.content import AgencyFact, LevelFact, RoundFacts, Targets, YearFigure, build_content
from reporting.drafts import draft, section_texts
from surveys.questionnaires.definition import FactorDef, QuestionDef, QuestionnaireDef, SectionDef

DEFINITION = QuestionnaireDef(
    code="Q",
    questions=(
        QuestionDef("B4", "Hồ sơ được trả kết quả so với giấy hẹn thế nào?", "single", {1: "Sớm", 2: "Đúng hẹn", 3: "Muộn"}),
        QuestionDef("C1", "Nơi đón tiếp thuận tiện", "scale", {i: str(i) for i in range(1, 6)}, factor="F1"),
        QuestionDef("C2", "Công chức <lịch sự>", "scale", {i: str(i) for i in range(1, 6)}, factor="F2"),
        QuestionDef("D1", "Cần ưu tiên cải thiện", "multi", {1: "Rút ngắn thời gian", 2: "Giảm phí"}, max_choices=2),
    ),
    factors=(FactorDef("F1", "Tiếp cận dịch vụ"), FactorDef("F2", "Công chức")),
    sections=(SectionDef("B", "Quá trình giao dịch", ("B4",)), SectionDef("C", "Mức độ hài lòng", ("C1", "C2")),
              SectionDef("D", "Mong đợi", ("D1",))),
)


def result(scope, code, name, n, sipas, f1, f2, c1, c2, **extra):
    return {
        "scope": scope, "code": code, "name": name, "n": n, "sipas": sipas,
        "factors": {"F1": f1, "F2": f2}, "factors_n": {"F1": n, "F2": n},
        "criteria": {"C1": c1, "C2": c2}, "criteria_n": {"C1": n, "C2": n},
        "intervals": {"sipas": [sipas - 5, min(100, sipas + 5)] if sipas is not None else None,
                      "factors": {"F1": None, "F2": None}, "criteria": {}, "shares": {}},
        "small_sample": 0 < n < 30, "shares": {}, **extra,
    }


def data(a_sipas=95.0, b_sipas=84.0):
    province = result("province", None, "Tỉnh Thử", 60, 89.5, 91.0, 88.0, 93.0, 70.25)
    province["shares"] = {"B4": {"n": 60, "options": {"1": 20.0, "2": 70.0, "3": 10.0}},
                          "D1": {"n": 50, "options": {"1": 64.0, "2": 30.0}}}
    province["intervals"]["shares"] = {"B4": {"1": [12.0, 31.0], "2": [57.5, 80.1], "3": [4.6, 20.1]},
                                       "D1": {"1": [50.1, 75.9], "2": [19.1, 43.9]}}
    return {"round": "T", "results": [
        province,
        result("level", "SO", "Sở, ban, ngành", 60, 89.5, 91.0, 88.0, 93.0, 70.25),
        result("agency", "A", "Sở A", 35, a_sipas, 96.0, 94.0, 97.0, 90.0, rank_range=[1, 1]),
        result("agency", "B", "Sở B", 25, b_sipas, 85.0, 83.0, 88.0, 45.0, rank_range=[2, 2]),
        result("domain", "DATDAI", "Đất đai", 25, 78.0, 80.0, 76.0, 80.0, 60.0),
        result("domain", "HOTICH", "Hộ tịch", 35, 70.0, 80.0, 76.0, 80.0, 60.0),
        result("agency_domain", "A/HOTICH", "Sở A — Hộ tịch", 35, a_sipas, 96.0, 94.0, 97.0, 90.0),
    ]}


def facts(previous=None, agencies=None):
    return RoundFacts(
        code="T", name="Đợt thử", year=2023, province_name="Tỉnh Thử", starts_on="01/10/2023", ends_on="31/12/2023",
        computed_at="05/01/2024 08:00", levels=[LevelFact("SO", "Sở, ban, ngành")],
        agencies=agencies or [AgencyFact("A", "Sở A", "SO", "Sở, ban, ngành", 0, 40),
                              AgencyFact("B", "Sở B", "SO", "Sở, ban, ngành", 0, 40)],
        domain_quota={"DATDAI": 30, "HOTICH": 50}, channels=[("Qua bưu điện", 40), ("Khảo sát trực tuyến", 20)],
        history=[YearFigure(2021, 87.07, "published", "Bộ Nội vụ công bố", "31/63"),
                 YearFigure(2022, 86.0, "round", "T-2022"), YearFigure(2023, 89.5, "round", "T")],
        previous=previous, targets=Targets(90.0, 80.0, frozenset({"DATDAI"})),
    )


def test_rows_targets_sample_and_shares():
    content = build_content(data(), facts(), DEFINITION)
    assert [a.code for a in content.agencies] == ["A", "B"]
    assert [a.code for a in content.below_target] == ["B"]
    assert content.agencies[1].small and content.agencies[1].rank == "2"
    assert [d.code for d in content.domains_below_target] == ["DATDAI"]  # HOTICH has no target
    assert content.total_n == 60 and content.total_quota == 80
    assert [(s.code, s.quota, s.n) for s in content.sample_agencies] == [("A", 40, 35), ("B", 40, 25)]
    assert content.sample_levels[0].rate == 75.0
    assert [t.code for t in content.process_shares] == ["B4"] and [t.code for t in content.expectation_shares] == ["D1"]
    option = content.process_shares[0].options[1]
    assert (option.label, option.share, option.low, option.high) == ("Đúng hẹn", 70.0, 57.5, 80.1)
    assert [c.code for c in content.weakest_criteria] == ["C2", "C1"]


def test_changes_since_the_previous_round_and_drafts():
    content = build_content(data(), facts(previous=data(a_sipas=80.0, b_sipas=85.0)), DEFINITION)
    assert [(c.code, c.delta) for c in content.changes] == [("A", 15.0), ("B", -1.0)]
    analysis = draft(content, "phan_tich")
    assert "Chỉ số SIPAS toàn tỉnh năm 2023 đạt 89,50%" in analysis and "chưa đạt mục tiêu 90,00%" in analysis
    assert "Sở A: 80,00% → 95,00% (tăng 15,00 điểm phần trăm)" in analysis
    assert "Sở B: 85,00% → 84,00% (giảm 1,00 điểm phần trăm)" in analysis
    assert "C2 Công chức <lịch sự>: 70,25%" in analysis  # the weakest criterion first
    weaknesses = draft(content, "han_che")
    assert "Có 1 cơ quan, đơn vị có SIPAS dưới mục tiêu 90,00%" in weaknesses and "- Sở B: 84,00% (mẫu nhỏ)" in weaknesses
    assert "Lĩnh vực Đất đai: 78,00%, dưới mục tiêu 80,00%" in weaknesses
    assert "rút ngắn thời gian (64,00%)" in draft(content, "kien_nghi")
    assert "Qua bưu điện: 40 phiếu" in draft(content, "nguon_luc")
    # A section staff wrote wins over its draft.
    content.facts.texts = {"phan_tich": "Sở viết."}
    assert section_texts(content)["phan_tich"] == "Sở viết."


def test_charts_split_long_levels_and_mark_below_target():
    agencies = [AgencyFact(f"X{i:02d}", f"Xã {i}", "SO", "Sở, ban, ngành", 0, 10) for i in range(65)]
    results = data()["results"][:2] + [
        result("agency", a.code, a.name, 40, 80.0 + i / 10, 80.0, 80.0, 80.0, 80.0) for i, a in enumerate(agencies)
    ]
    content = build_content({"round": "T", "results": results}, facts(agencies=agencies), DEFINITION)
    assert len(content.agency_charts) == 3  # 30 + 30 + 5 bars
    first = ET.fromstring(content.agency_charts[0])
    bars = [r for r in first.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") == "bar"]
    assert len(bars) == 30
    assert float(bars[0].get("data-value")) == 86.4  # highest first
    assert "phần 1/3" in first.get("aria-label")
    assert "trend" in content.charts and "factors" in content.charts
