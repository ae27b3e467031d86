"""The reference fixture `fixtures/langson_2022.json` holds exactly the Lạng Sơn spec.

Two kinds of checks: the loaded database equals what `fixtures.langson_spec` parses from the
spec markdown (skipped when ../shared/spec is absent), and concrete values written out here,
independent of the parser, so that a parser bug cannot hide behind a matching fixture.
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum

from fixtures import langson_spec
from fixtures.build_langson_2022 import build_records, render
from indexes.models import PublishedResult
from surveys.models import (
    Agency,
    Domain,
    Factor,
    Level,
    Option,
    Question,
    Questionnaire,
    RoundAgency,
    Section,
    SurveyRound,
)

pytestmark = pytest.mark.django_db

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "spec"
FIXTURE = REPO_ROOT / "fixtures" / "langson_2022.json"


@pytest.fixture(autouse=True)
def loaded(langson_round):
    """The fixture as loaded into the test database (once per database, tests/conftest.py)."""


@pytest.fixture(scope="module")
def spec() -> langson_spec.LangSonSpec:
    if not SPEC_DIR.is_dir():
        pytest.skip(f"thư mục spec {SPEC_DIR} không có: không thể so fixture với markdown của spec")
    return langson_spec.load(SPEC_DIR)


def _code(obj) -> str | None:
    return obj.code if obj is not None else None


# --------------------------------------------------------------------------- against the spec
def test_fixture_file_is_what_the_builder_writes(spec):
    assert FIXTURE.read_text(encoding="utf-8") == render(build_records(spec)), (
        "fixtures/langson_2022.json is stale: run .venv/bin/python fixtures/build_langson_2022.py"
    )


def test_levels_match_spec(spec):
    assert [(lv.code, lv.name, lv.order) for lv in Level.objects.order_by("order")] == [
        (lv.code, lv.name, lv.order) for lv in spec.reference.levels
    ]


def test_agencies_match_spec(spec):
    db = {
        a.code: (a.name, a.level.code, _code(a.parent), a.is_active)
        for a in Agency.objects.select_related("level", "parent")
    }
    expected = {a.code: (a.name, a.level, a.parent, True) for a in spec.reference.agencies}
    assert db == expected


def test_domains_match_spec(spec):
    assert dict(Domain.objects.values_list("code", "name")) == {d.code: d.name for d in spec.reference.domains}


def test_questionnaire_matches_spec(spec):
    qn = spec.questionnaire
    questionnaire = Questionnaire.objects.get()
    assert questionnaire.code == qn.code

    assert [(s.code, s.title, s.order) for s in questionnaire.sections.all()] == [
        (s.code, s.title, s.order) for s in qn.sections
    ]
    assert [(f.code, f.name, f.order) for f in questionnaire.factors.all()] == [
        (f.code, f.name, f.order) for f in qn.factors
    ]

    questions = questionnaire.questions.select_related("section", "factor", "condition_question").order_by("order")
    db = [
        (
            q.code,
            q.section.code,
            q.text,
            q.kind,
            q.max_choices,
            _code(q.factor),
            _code(q.condition_question),
            q.condition_values,
            q.order,
            [(o.value, o.label) for o in q.options.order_by("value")],
        )
        for q in questions
    ]
    expected = [
        (
            q.code,
            q.section,
            q.text,
            q.kind,
            q.max_choices,
            q.factor,
            q.condition_question,
            list(q.condition_values),
            q.order,
            list(q.options),
        )
        for q in qn.questions
    ]
    assert db == expected


def test_quotas_match_spec(spec):
    ref = spec.reference
    rnd = SurveyRound.objects.get()
    assert rnd.code == ref.round_code

    round_agencies = {
        ra.agency.code: (ra.level.code, _code(ra.parent), ra.quota)
        for ra in rnd.round_agencies.select_related("agency", "level", "parent")
    }
    assert round_agencies == {a.code: (a.level, a.parent, ref.agency_quotas[a.code]) for a in ref.agencies}

    domain_quotas = {
        (d.agency.code, d.domain.code): d.quota for d in rnd.agency_domains.select_related("agency", "domain")
    }
    assert domain_quotas == {(q.agency, q.domain): q.quota for q in ref.domain_quotas}
    assert ref.total_quota == 895


def test_published_results_match_spec(spec):
    db = [
        (p.year, p.sipas, p.national_rank, p.national_total)
        for p in PublishedResult.objects.filter(province_name="Tỉnh Lạng Sơn").order_by("year")
    ]
    assert db == [(p.year, Decimal(p.sipas), p.national_rank, p.national_total) for p in spec.published]


def test_parser_rejects_a_spec_that_does_not_add_up(spec):
    text = (SPEC_DIR / langson_spec.REFERENCE_FILE).read_text(encoding="utf-8")
    assert "(895 phiếu)" in text
    with pytest.raises(langson_spec.SpecError):
        langson_spec.parse_reference(text.replace("(895 phiếu)", "(900 phiếu)"))
    with pytest.raises(langson_spec.SpecError):
        langson_spec.parse_reference(text.replace("| SKHDT | Sở Kế hoạch và Đầu tư | DKDN, DTVN |", ""))


# --------------------------------------------------------------------------- independent of the parser
def test_counts():
    assert Level.objects.count() == 3
    assert Agency.objects.count() == 86
    assert Counter(Agency.objects.values_list("level__code", flat=True)) == {"SO": 20, "HUYEN": 11, "XA": 55}
    assert Domain.objects.count() == 36
    assert Questionnaire.objects.count() == 1
    assert Section.objects.count() == 4
    assert Factor.objects.count() == 5
    assert Question.objects.count() == 37  # A1..A6, B1..B7, 22 × C, D1, D2
    assert Question.objects.filter(kind="scale", factor__isnull=False).count() == 22
    assert SurveyRound.objects.count() == 1
    assert RoundAgency.objects.count() == 86
    assert PublishedResult.objects.count() == 5


def test_concrete_agencies():
    tam_thanh = Agency.objects.select_related("level", "parent").get(code="TPLS-03")
    assert tam_thanh.name == "Phường Tam Thanh"
    assert tam_thanh.level.code == "XA"
    assert tam_thanh.parent.code == "TPLS"
    assert tam_thanh.parent.name == "Thành phố Lạng Sơn"

    skhdt = Agency.objects.get(code="SKHDT")
    assert (skhdt.name, skhdt.level.code, skhdt.parent) == ("Sở Kế hoạch và Đầu tư", "SO", None)
    assert Agency.objects.get(code="BQLKKT").name == "Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng - Lạng Sơn"
    assert Agency.objects.get(code="DLAP-02").name == "Thị trấn Nông trường Thái Bình"
    assert Agency.objects.get(code="HLUNG").level.name == "UBND huyện, thành phố"
    assert list(Agency.objects.get(code="CLOC").children.values_list("code", flat=True)) == [
        f"CLOC-0{i}" for i in range(1, 6)
    ]
    assert Domain.objects.get(code="DKKD").name == "Đăng ký kinh doanh hộ kinh doanh"
    assert Domain.objects.get(code="PHCT").name == "Phối hợp công tác (cơ quan không có TTHC)"


def test_concrete_questions():
    qn = Questionnaire.objects.get(code="SIPAS-LS-2022")
    assert qn.name == "Phiếu khảo sát SIPAS tỉnh Lạng Sơn năm 2022"
    assert list(qn.sections.values_list("code", "title")) == [
        ("A", "Thông tin chung (về người trả lời)"),
        ("B", "Quá trình giao dịch"),
        ("C", "Mức độ hài lòng"),
        ("D", "Mong đợi"),
    ]
    assert dict(qn.factors.values_list("code", "name")) == {
        "F1": "Tiếp cận dịch vụ hành chính công",
        "F2": "Thủ tục hành chính",
        "F3": "Công chức trực tiếp giải quyết công việc",
        "F4": "Kết quả cung ứng dịch vụ hành chính công",
        "F5": "Tiếp nhận, giải quyết góp ý, phản ánh, kiến nghị",
    }

    codes = list(qn.questions.order_by("order").values_list("code", flat=True))
    assert codes[:13] == ["A1", "A2", "A3", "A4", "A5", "A6", "B1", "B2", "B3", "B4", "B5", "B6", "B7"]
    assert codes[13:16] == ["C1.1", "C1.2", "C1.3"] and codes[-3:] == ["C5.4", "D1", "D2"]
    assert list(qn.questions.order_by("order").values_list("order", flat=True)) == list(range(1, 38))

    c52 = Question.objects.get(code="C5.2")
    assert (c52.kind, c52.factor.code, c52.condition_question.code, c52.condition_values) == ("scale", "F5", "B7", [1])
    assert c52.text == "Người dân, tổ chức dễ dàng thực hiện góp ý, phản ánh, kiến nghị"
    assert sorted(
        Question.objects.filter(condition_question__code="B7").values_list("code", flat=True)
    ) == ["C5.1", "C5.2", "C5.3", "C5.4"]
    b5 = Question.objects.get(code="B5")
    assert (b5.condition_question.code, b5.condition_values) == ("B4", [3])
    assert b5.text == "Ông/Bà có nhận được văn bản xin lỗi của cơ quan không?"
    assert Question.objects.filter(condition_question__isnull=False).count() == 5

    d1 = Question.objects.get(code="D1")
    assert (d1.kind, d1.max_choices, d1.options.count()) == ("multi", 3, 9)
    b1 = Question.objects.get(code="B1")
    assert (b1.kind, b1.max_choices, b1.options.count()) == ("multi", 6, 6)
    d2 = Question.objects.get(code="D2")
    assert (d2.kind, d2.options.count(), d2.factor) == ("text", 0, None)
    assert list(Question.objects.get(code="A1").options.values_list("value", "label")) == [(1, "Nam"), (2, "Nữ")]
    assert Option.objects.get(question__code="A5", value=7).label == "Khác"

    c11 = Question.objects.get(code="C1.1")
    assert c11.factor.code == "F1" and c11.condition_question is None
    assert list(c11.options.values_list("value", "label")) == [
        (1, "Rất không hài lòng"),
        (2, "Không hài lòng"),
        (3, "Bình thường"),
        (4, "Hài lòng"),
        (5, "Rất hài lòng"),
    ]
    scale = Question.objects.filter(kind="scale")
    assert not scale.filter(factor__isnull=True).exists()
    assert Counter(scale.values_list("factor__code", flat=True)) == {"F1": 3, "F2": 5, "F3": 6, "F4": 4, "F5": 4}
    assert not Question.objects.exclude(kind="scale").filter(factor__isnull=False).exists()
    for text in Question.objects.values_list("text", flat=True):
        assert "[F" not in text and "— when" not in text and text.strip() == text
    for question in Question.objects.all():
        question.full_clean()


def test_concrete_round_and_quotas():
    rnd = SurveyRound.objects.get(code="LS-2022")
    assert (rnd.name, rnd.year, rnd.province_name, rnd.questionnaire.code, rnd.status) == (
        "Khảo sát SIPAS tỉnh Lạng Sơn năm 2022",
        2022,
        "Tỉnh Lạng Sơn",
        "SIPAS-LS-2022",
        "collecting",
    )
    assert (rnd.starts_on.isoformat(), rnd.ends_on.isoformat()) == ("2022-10-01", "2022-12-31")

    assert rnd.round_agencies.aggregate(s=Sum("quota"))["s"] == 895
    assert rnd.agency_domains.aggregate(s=Sum("quota"))["s"] == 895
    per_level = dict(rnd.round_agencies.values("level__code").annotate(s=Sum("quota")).values_list("level__code", "s"))
    assert per_level == {"SO": 400, "HUYEN": 220, "XA": 275}
    for ra in rnd.round_agencies.select_related("agency"):
        assert (ra.level_id, ra.parent_id) == (ra.agency.level_id, ra.agency.parent_id)
        assert ra.quota == {"SO": 20, "HUYEN": 20, "XA": 5}[ra.level.code]
        assert rnd.agency_domains.filter(agency=ra.agency).aggregate(s=Sum("quota"))["s"] == ra.quota

    def quota(agency: str, domain: str) -> int:
        return rnd.agency_domains.get(agency__code=agency, domain__code=domain).quota

    assert quota("SKHDT", "DKDN") == 10 and quota("SKHDT", "DTVN") == 10
    assert quota("VPUBND", "PHCT") == 20 and quota("SNGV", "PHCT") == 20 and quota("BDT", "PHCT") == 20
    assert quota("BQLKKT", "HDXD") == 10
    assert quota("TPLS", "DATDAI") == 10 and quota("TPLS", "DKKD") == 10
    assert quota("TPLS-03", "HOTICH") == 3 and quota("TPLS-03", "LDTBXH") == 2
    assert rnd.agency_domains.count() == 17 * 2 + 3 + 11 * 2 + 55 * 2
    assert RoundAgency.objects.get(agency__code="TPLS-03").parent.code == "TPLS"


def test_concrete_published_results():
    rows = list(
        PublishedResult.objects.order_by("year").values_list(
            "province_name", "year", "sipas", "national_rank", "national_total"
        )
    )
    assert rows == [
        ("Tỉnh Lạng Sơn", 2017, Decimal("87.57"), 11, 63),
        ("Tỉnh Lạng Sơn", 2018, Decimal("75.70"), 54, 63),
        ("Tỉnh Lạng Sơn", 2019, Decimal("81.17"), 46, 63),
        ("Tỉnh Lạng Sơn", 2020, Decimal("83.97"), 39, 63),
        ("Tỉnh Lạng Sơn", 2021, Decimal("87.07"), 31, 63),
    ]
    assert set(PublishedResult.objects.values_list("source", flat=True)) == {
        "Đề án SIPAS tỉnh Lạng Sơn 2022–2025 (QĐ 1431/QĐ-UBND)"
    }
