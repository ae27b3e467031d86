"""The SVG charts: well-formed, escaped, proportional, honest about missing data, CSP-clean."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString

from sipas_portal.charts import BarItem, LineSeries, bar_chart, line_chart, profile_chart

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") == "bar"]


def assert_csp_clean(svg: str) -> None:
    assert "style=" not in svg
    assert "<style" not in svg
    assert "<script" not in svg


def test_bar_chart_is_safe_svg_with_viewbox_and_label():
    svg = bar_chart([BarItem("Sở Tư pháp", 87.0721)], title="SIPAS theo cơ quan")
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "SIPAS theo cơ quan"
    assert root.get("viewBox").startswith("0 0 ")
    assert "87,07%" in texts(root)
    assert "Sở Tư pháp" in texts(root)
    assert_csp_clean(svg)


def test_bar_width_is_proportional_to_value():
    root = parse(bar_chart([BarItem("A", 80.0), BarItem("B", 40.0), BarItem("C", 100.0)], title="t"))
    widths = [float(r.get("width")) for r in bars(root)]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert widths[2] == pytest.approx(widths[0] * 100 / 80)
    # max_value changes the scale: 50 of 50 fills the plot as 100 of 100 does.
    full = parse(bar_chart([BarItem("A", 50.0)], title="t", max_value=50.0))
    assert float(bars(full)[0].get("width")) == pytest.approx(widths[2])


def test_labels_are_escaped():
    hostile = '<script>alert("x")</script> & "Sở"'
    svg = bar_chart([BarItem(hostile, 50.0, note="<b>")], title="<tiêu đề>")
    assert "<script>" not in svg
    assert "<b>" not in svg
    root = parse(svg)  # still well-formed XML
    assert any(hostile in t for t in texts(root))
    assert root.get("aria-label") == "<tiêu đề>"
    for chart in (profile_chart([BarItem(hostile, 50.0)], title=hostile),
                  line_chart([LineSeries(hostile, {2022: 50.0})], title=hostile, years=[2022])):
        assert "<script>" not in chart
        parse(chart)


def test_none_value_draws_no_bar_but_says_so():
    root = parse(bar_chart([BarItem("Có", 70.0), BarItem("Không", None)], title="t"))
    assert len(bars(root)) == 1
    assert "không có dữ liệu" in texts(root)
    assert "—" not in texts(root)
    empty = parse(bar_chart([], title="t"))
    assert "không có dữ liệu" in texts(empty)
    profile = parse(profile_chart([BarItem("F1", None)], title="t"))
    assert not bars(profile)
    assert "không có dữ liệu" in texts(profile)


def test_interval_whisker_target_highlight_and_note():
    svg = bar_chart(
        [BarItem("A", 80.0, low=70.0, high=90.0, highlight=True, note="mẫu nhỏ"), BarItem("B", 95.0)],
        title="t",
        target=90.0,
    )
    root = parse(svg)
    first, second = bars(root)
    assert first.get("fill") != second.get("fill")
    whiskers = [p for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("class") == "whisker"]
    assert len(whiskers) == 1
    # The whisker spans low..high on the same scale as the bars.
    d = whiskers[0].get("d")
    x0 = float(first.get("x"))
    scale = float(first.get("width")) / 80.0
    assert d.startswith(f"M{x0 + 70 * scale:.2f}".rstrip("0").rstrip("."))
    assert f"H{x0 + 90 * scale:.2f}".rstrip("0").rstrip(".") in d
    target = [line for line in root.iter("{http://www.w3.org/2000/svg}line") if line.get("class") == "target"]
    assert len(target) == 1 and target[0].get("stroke-dasharray")
    assert float(target[0].get("x1")) == pytest.approx(x0 + 90 * scale, abs=0.01)
    assert "80,00% (mẫu nhỏ)" in texts(root)
    assert "Mục tiêu 90,00%" in texts(root)


def test_profile_chart_heights_proportional():
    root = parse(profile_chart([BarItem("Tiếp cận dịch vụ", 90.0), BarItem("Thủ tục hành chính", 45.0)],
                               title="Hồ sơ yếu tố"))
    heights = [float(r.get("height")) for r in bars(root)]
    assert heights[0] == pytest.approx(2 * heights[1])
    assert "90,00%" in texts(root) and "45,00%" in texts(root)
    assert_csp_clean(profile_chart([BarItem("a", 1.0)], title="t"))


def test_line_chart_gaps_for_missing_years():
    svg = line_chart(
        [LineSeries("Lạng Sơn", {2017: 80.0, 2018: 82.5, 2019: None, 2020: 85.0, 2021: 86.0})],
        title="Xu hướng",
        years=[2017, 2018, 2019, 2020, 2021],
    )
    root = parse(svg)
    paths = [p for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("class") == "line"]
    assert len(paths) == 2  # 2017–2018 and 2020–2021, nothing drawn through 2019
    points = [c for c in root.iter("{http://www.w3.org/2000/svg}circle") if c.get("class") == "point"]
    assert len(points) == 4
    assert "82,50%" in texts(root)
    assert "2019" in texts(root)
    assert_csp_clean(svg)
    # A higher value is drawn higher (smaller y).
    ys = {float(c.get("cy")) for c in points}
    assert min(ys) == pytest.approx(float(points[-1].get("cy")))
