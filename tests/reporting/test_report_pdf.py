"""The PDF report, read back with poppler's pdftotext / pdfinfo / pdftoppm: every number equals
the index export of the same round, every agency appears, Vietnamese text extracts intact, and
the document has the shape of an official report (A4, landscape appendices, header, signature)."""
from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pytest

from sipas_portal.formatting import format_number

from .conftest import REPORT_DIR, pdftotext

pytestmark = [
    pytest.mark.django_db,  # the built_report fixture needs the test database set up
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="cần poppler-utils (pdftotext)"),
]

DECIMAL = re.compile(r"\d{1,3}(?:\.\d{3})*,\d{2}\b")


def decimals(line: str) -> list[str]:
    return DECIMAL.findall(line)


def expected_values(*values) -> list[str]:
    """What a row prints, in order, for the non-empty values (empty ones print "—")."""
    return [format_number(v) for v in values if v is not None]


def section(text: str, start: str, end: str | None) -> str:
    begin = text.index(start)
    return text[begin: text.index(end, begin) if end else len(text)]


def rows_by_code(block: str, codes: set[str] | None = None) -> dict[str, str]:
    """The line of each table row, keyed by its first token (the code column): lines with a
    number, or any line starting with one of `codes` (a row whose values are all "—")."""
    rows: dict[str, str] = {}
    for line in block.splitlines():
        tokens = line.split()
        if tokens and (decimals(line) or (codes is not None and tokens[0] in codes)):
            rows.setdefault(tokens[0], line)
    return rows


@pytest.fixture(scope="module")
def text(built_report) -> str:
    return unicodedata.normalize("NFC", pdftotext(built_report["pdf"]))


@pytest.fixture(scope="module")
def body(text) -> str:
    """The document after its table of contents (whose entries repeat the headings)."""
    last_entry = text.index("Phụ lục 6. Đặc điểm người trả lời")
    return text[text.index("\n", last_entry):]


def results(data, scope):
    return [r for r in data["results"] if r["scope"] == scope]


def index_values(result) -> list[str]:
    low, high = (result["intervals"].get("sipas") or (None, None))
    return expected_values(result["sipas"], low, high, *result["factors"].values())


APPENDIX_2 = "CHỈ SỐ HÀI LÒNG THEO CƠ QUAN, ĐƠN VỊ"
APPENDIX_3 = "CHỈ SỐ HÀI LÒNG THEO LĨNH VỰC"
APPENDIX_4 = "CHỈ SỐ HÀI LÒNG THEO CƠ QUAN VÀ LĨNH VỰC"
APPENDIX_5 = "CHỈ SỐ HÀI LÒNG THEO TIÊU CHÍ CỦA TỪNG CƠ QUAN, ĐƠN VỊ"
APPENDIX_6 = "ĐẶC ĐIỂM NGƯỜI TRẢ LỜI"


@pytest.mark.parametrize(
    ("scope", "start", "end"),
    [("agency", APPENDIX_2, APPENDIX_3), ("domain", APPENDIX_3, APPENDIX_4), ("agency_domain", APPENDIX_4, APPENDIX_5)],
)
def test_every_index_row_equals_the_export(built_report, text, scope, start, end):
    rows = rows_by_code(section(text, start, end))
    expected = results(built_report["data"], scope)
    assert expected, scope
    for result in expected:
        line = rows.get(result["code"])
        assert line is not None, f"{scope} {result['code']} không có trong PDF"
        assert decimals(line) == index_values(result), f"{scope} {result['code']}: {line}"
        assert re.search(rf"\s{result['n']}\s", line), f"{scope} {result['code']}: n = {result['n']}"
    assert len(rows) == len(expected)  # nothing printed that the export does not have


def test_every_agency_appears(built_report, text):
    plain = " ".join(unicodedata.normalize("NFC", pdftotext(built_report["pdf"], layout=False)).split())
    appendix = rows_by_code(section(text, APPENDIX_2, APPENDIX_3))
    assert len(built_report["agencies"]) == 86
    for code, name in built_report["agencies"]:
        assert code in appendix, code
        assert name in plain, name


def test_province_factors_criteria_and_levels_equal_the_export(built_report, body):
    data = built_report["data"]
    province = results(data, "province")[0]
    body = section(body, "III. KẾT QUẢ", "IV. NHẬN XÉT")
    # Bảng 4: one row per factor, then SIPAS.
    factor_block = section(body, "Bảng 4.", "2.2. Chỉ số theo tiêu chí")
    rows = rows_by_code(factor_block)
    for code, value in province["factors"].items():
        interval = province["intervals"]["factors"].get(code) or (None, None)
        assert decimals(rows[code]) == expected_values(value, *interval), rows[code]
    assert decimals(rows["SIPAS"]) == expected_values(province["sipas"], *province["intervals"]["sipas"])
    # Bảng 5: each criterion, province value, its interval, then each level.
    levels = results(data, "level")
    rows = rows_by_code(section(body, "Bảng 5.", "2.3. Theo cấp"))
    for code, value in province["criteria"].items():
        interval = province["intervals"]["criteria"].get(code) or (None, None)
        per_level = [level["criteria"].get(code) for level in levels]
        assert decimals(rows[code]) == expected_values(value, *interval, *per_level), rows[code]
    # Bảng 6: the levels.
    rows = rows_by_code(section(body, "Bảng 6.", "2.4. Theo cơ quan"))
    for level in levels:
        assert decimals(rows[level["code"]]) == index_values(level)
    # The headline figure, as prose.
    assert f"{format_number(province['sipas'])}%" in body


def test_criteria_per_agency_appendix_equals_the_export(built_report, text):
    data = built_report["data"]
    agencies = results(data, "agency")
    rows = rows_by_code(section(text, APPENDIX_5, APPENDIX_6), {a["code"] for a in agencies})
    codes = [criterion.code for criterion in built_report["content"].criteria]
    assert len(codes) == 22
    for agency in agencies:
        line = rows[agency["code"]]
        assert decimals(line) == expected_values(*(agency["criteria"][c] for c in codes)), line
        assert line.count("—") == sum(1 for c in codes if agency["criteria"][c] is None), line


def test_shares_equal_the_export(built_report, body):
    province = results(built_report["data"], "province")[0]
    body = section(body, "1. Phản ánh của người dân", "2. Chỉ số hài lòng về sự phục vụ hành chính")
    b4 = section(body, "B4.", "B5.")
    for option, value in province["shares"]["B4"]["options"].items():
        interval = province["intervals"]["shares"]["B4"][option] or (None, None)
        line = next(line for line in b4.splitlines() if line.split()[:1] == [option] and decimals(line))
        assert decimals(line) == expected_values(value, *interval), line


def test_vietnamese_text_extracts_intact(text):
    flowing = " ".join(text.split())  # headings and titles wrap over lines
    for phrase in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH LẠNG SƠN",
        "SỞ NỘI VỤ",
        "/BC-SNV",
        "BÁO CÁO",
        "Chỉ số hài lòng của người dân, tổ chức đối với sự phục vụ của các cơ quan hành chính nhà nước",
        "trên địa bàn tỉnh Lạng Sơn năm 2022",
        "MỤC LỤC",
        "IV. NHẬN XÉT, ĐÁNH GIÁ VÀ KIẾN NGHỊ",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nơi nhận:",
        "Huyện Tràng Định",
        "Ông/Bà phải đi lại bao nhiêu lần để giải quyết công việc?",
        "mẫu nhỏ",
    ):
        assert phrase in flowing, phrase
    assert re.search(r"Lạng Sơn, ngày \d{2} tháng \d{2} năm \d{4}", text)
    assert "\ufffd" not in text  # no replacement character: every glyph mapped back to Unicode


def test_table_of_contents_has_page_numbers(text):
    toc = section(text, "MỤC LỤC", "Phụ lục 6. Đặc điểm người trả lời")
    toc += text[len(text.split("Phụ lục 6. Đặc điểm người trả lời")[0]):].split("\n", 1)[0]
    entries = re.findall(r"(Phụ lục \d)\. .*?\.{3,}\s*(\d+)", toc)
    assert [e[0] for e in entries] == [f"Phụ lục {i}" for i in range(1, 7)]
    pages = [int(e[1]) for e in entries]
    assert pages == sorted(pages) and pages[0] > 3


def test_pages_are_a4_with_landscape_appendices_and_render(built_report):
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(built_report["pdf"])], check=True,
                          capture_output=True, text=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 20 <= pages <= 120
    assert len(sizes) == pages
    portrait = [s for s in sizes if round(float(s[0])) == 595 and round(float(s[1])) == 842]
    landscape = [s for s in sizes if round(float(s[0])) == 842 and round(float(s[1])) == 595]
    assert len(portrait) + len(landscape) == pages
    assert portrait and landscape
    assert sizes[0] == portrait[0]  # the document opens in portrait
    # Render a few pages to PNG (looked at by a person; the sizes are checked here).
    out = REPORT_DIR / "trang"
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "6", str(built_report["pdf"]), str(out)],
                   check=True)
    images = sorted(REPORT_DIR.glob("trang-*.png"))
    assert len(images) >= 6
    from PIL import Image

    with Image.open(images[0]) as first:
        width, height = first.size  # A4 at 60 dpi: 496 × 702 (±1 for rounding)
        assert abs(width - 496) <= 1 and abs(height - 702) <= 1
        assert first.convert("L").getextrema()[0] < 50  # there is dark text on it


def test_charts_are_vector_graphics_in_the_pdf(built_report):
    # Inline SVG is drawn as PDF paths, not embedded as images: no image XObject in the file.
    raw = built_report["pdf"].read_bytes()
    assert b"/Subtype /Image" not in raw and b"/Subtype/Image" not in raw
    text = pdftotext(built_report["pdf"], first=1, last=40)
    assert "Mục tiêu 90,00%" in text  # the dashed target line's label, from the SVG
