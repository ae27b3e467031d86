"""The printable paper questionnaire: read back with pdftotext, rendered with pdftoppm."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from surveys.models import AuditEntry, Response
from surveys.questionnaires.definition import QuestionDef, QuestionnaireDef
from surveys.questionnaires.paper import (
    PaperBatchInvalid,
    PaperCopy,
    gating_notes,
    paper_questionnaires_html,
    paper_questionnaires_pdf,
    print_listed_serials,
    print_paper_batch,
    serial_number,
)
from surveys.selectors import load_definition

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="cần poppler-utils (pdftotext)")


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "phieu.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_gating_notes_name_the_options_that_skip():
    definition = QuestionnaireDef(
        code="T",
        questions=(
            QuestionDef("B4", "Trả kết quả", "single", {1: "Sớm", 2: "Đúng", 3: "Muộn"}),
            QuestionDef("B5", "Xin lỗi", "single", {1: "Có", 2: "Không"}, condition_question="B4",
                        condition_values=frozenset({3})),
            QuestionDef("B7", "Góp ý", "single", {1: "Có", 2: "Không"}),
            QuestionDef("C5.1", "a", "scale", {v: str(v) for v in range(1, 6)}, factor="F5",
                        condition_question="B7", condition_values=frozenset({1})),
            QuestionDef("C5.2", "b", "scale", {v: str(v) for v in range(1, 6)}, factor="F5",
                        condition_question="B7", condition_values=frozenset({1})),
        ),
        factors=(),
    )
    after, beside = gating_notes(definition)
    assert after == {
        "B4": ["Nếu chọn 1 hoặc 2 ở câu B4 thì bỏ qua câu B5."],
        "B7": ["Nếu chọn 2 ở câu B7 thì bỏ qua các câu C5.1, C5.2."],
    }
    assert beside["C5.2"] == "Chỉ trả lời nếu chọn 1 ở câu B7."


def test_serial_number_reads_only_its_own_prefix():
    assert serial_number("STP-LLTP-0012", "STP-LLTP-") == 12
    assert serial_number("STP-LLTP-12a", "STP-LLTP-") is None
    assert serial_number("SXD-LLTP-0012", "STP-LLTP-") is None


def test_html_has_every_question_and_the_online_link(langson_round):
    html = paper_questionnaires_html(
        survey_round=langson_round, copies=[PaperCopy("STP-LLTP-0007", "STP", "LLTP")], base_url="https://sipas.example.vn"
    )
    for question in load_definition(langson_round.questionnaire).questions:
        assert f"<strong>{question.code}.</strong>" in html
    assert "https://sipas.example.vn/phieu/LS-2022/STP/LLTP/" in html
    assert "<svg" in html and "Nếu chọn 2 ở câu B7 thì bỏ qua các câu C5.1, C5.2, C5.3, C5.4." in html


@needs_poppler
def test_pdf_reads_back_in_vietnamese_with_serials(langson_round, tmp_path):
    copies = [PaperCopy("STP-LLTP-0001", "STP", "LLTP"), PaperCopy("STP-LLTP-0002", "STP", "LLTP")]
    pdf = paper_questionnaires_pdf(survey_round=langson_round, copies=copies)
    assert pdf.startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "phieu-giay.pdf").write_bytes(pdf)
    text = pdf_text(pdf, tmp_path)
    for expected in ("PHIẾU KHẢO SÁT", "STP-LLTP-0001", "STP-LLTP-0002", "Sở Tư pháp", "Trụ sở cơ quan",
                     "Rất không", "Hài lòng", "Nếu chọn 2 ở câu B7 thì bỏ qua", "Dưới 25", "Đơn giản hóa thủ tục hành chính"):
        assert expected in text, expected
    # each copy starts on its own page: the serial appears in its own footer on every page
    pages = text.split("\f")
    first_copy_pages = [p for p in pages if "STP-LLTP-0001" in p]
    second_copy_pages = [p for p in pages if "STP-LLTP-0002" in p]
    assert first_copy_pages and second_copy_pages
    assert not [p for p in pages if "STP-LLTP-0001" in p and "STP-LLTP-0002" in p]
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "2", str(ARTIFACTS / "phieu-giay.pdf"),
                        str(ARTIFACTS / "phieu-giay")], check=True)
        assert sorted(ARTIFACTS.glob("phieu-giay-*.png"))


@needs_poppler
def test_batch_continues_after_the_highest_serial_and_never_repeats(langson_round, tmp_path):
    Response.objects.create(round=langson_round, ma_phieu="STP-LLTP-0041", agency_id=_agency("STP"),
                            domain_id=_domain("LLTP"), channel="TRUC_TIEP", surveyed_on="2022-11-02")
    batch = print_paper_batch(survey_round=langson_round, agency_code="STP", domain_code="LLTP", count=3,
                              printed_by=None)
    assert [c.ma_phieu for c in batch.copies] == ["STP-LLTP-0042", "STP-LLTP-0043", "STP-LLTP-0044"]
    text = pdf_text(batch.pdf, tmp_path)
    assert all(s in text for s in ("STP-LLTP-0042", "STP-LLTP-0044"))
    again = print_paper_batch(survey_round=langson_round, agency_code="STP", domain_code="LLTP", count=1,
                              printed_by=None)
    assert [c.ma_phieu for c in again.copies] == ["STP-LLTP-0045"]
    entry = AuditEntry.objects.filter(action="in phiếu giấy").order_by("-id").first()
    assert entry.after == {"tu_so": 45, "den_so": 45, "so_phieu": 1}


def test_batch_refuses_a_pair_the_round_does_not_survey_and_bad_counts(langson_round):
    with pytest.raises(PaperBatchInvalid, match="không khảo sát lĩnh vực DKDN"):
        print_paper_batch(survey_round=langson_round, agency_code="STP", domain_code="DKDN", count=2, printed_by=None)
    with pytest.raises(PaperBatchInvalid, match="từ 1 đến 500"):
        print_paper_batch(survey_round=langson_round, agency_code="STP", domain_code="LLTP", count=0, printed_by=None)
    assert not AuditEntry.objects.filter(action="in phiếu giấy").exists()


def test_listed_serials_must_match_a_pair_of_the_round(langson_round):
    with pytest.raises(PaperBatchInvalid, match="XYZ-1"):
        print_listed_serials(survey_round=langson_round, serials=["STP-LLTP-0003", "XYZ-1"], printed_by=None)
    batch = print_listed_serials(survey_round=langson_round, serials=["STP-LLTP-0003"], printed_by=None)
    assert batch.copies == [PaperCopy("STP-LLTP-0003", "STP", "LLTP")]


def _agency(code):
    from surveys.models import Agency

    return Agency.objects.get(code=code).pk


def _domain(code):
    from surveys.models import Domain

    return Domain.objects.get(code=code).pk
