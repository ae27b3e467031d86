"""Server-side SVG charts: one definition for the web pages and the PDF report.

Charts are plain SVG strings built here (no library, no JavaScript): they pass the strict
Content-Security-Policy (presentation attributes such as fill= and stroke=, never a `style`
attribute or a `<style>` element), scale to the width of their container through the viewBox,
and WeasyPrint draws them as vectors. Every label is escaped. Values are percentages (0–100);
None means no respondent and is drawn as "không có dữ liệu", never as a zero bar.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sipas_portal.formatting import format_percent

FONT = "Liberation Sans, DejaVu Sans, Arial, sans-serif"
BAR_FILL = "#2b5797"
HIGHLIGHT_FILL = "#d9822b"
WHISKER = "#1a1a1a"
TARGET = "#c0392b"
GRID = "#d9d9d9"
MUTED = "#6c757d"
TEXT = "#212529"
# Series colours, distinguishable in greyscale print too (dark → light).
SERIES = ("#2b5797", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#7f8c8d")
NO_DATA = "không có dữ liệu"


@dataclass(frozen=True)
class BarItem:
    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    highlight: bool = False
    note: str = ""


@dataclass(frozen=True)
class LineSeries:
    label: str
    points: Mapping[int, float | None]


def _num(value: float) -> str:
    """A coordinate: short, locale-free."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clip(value: float, max_value: float) -> float:
    return min(max(value, 0.0), max_value)


def _svg(width: float, height: float, title: str, body: list[str]) -> SafeString:
    label = escape(title)
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sipas-chart" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'width="100%" preserveAspectRatio="xMidYMin meet" role="img" aria-label="{label}" '
        f'font-family="{FONT}" font-size="12" fill="{TEXT}">'
        f"<title>{label}</title>" + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: float | None = None,
          fill: str | None = None, weight: str | None = None) -> str:
    attrs = f'x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"'
    if size:
        attrs += f' font-size="{_num(size)}"'
    if fill:
        attrs += f' fill="{fill}"'
    if weight:
        attrs += f' font-weight="{weight}"'
    return f"<text {attrs}>{escape(content)}</text>"


def _wrap(text: str, width: int, max_lines: int = 3) -> list[str]:
    """Greedy word wrap for labels under vertical bars."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _shorten(lines[-1] + " …", width)
    return lines


def _value_label(item: BarItem) -> str:
    text = format_percent(item.value)
    return f"{text} ({item.note})" if item.note else text


def bar_chart(
    items: Sequence[BarItem],
    *,
    title: str,
    target: float | None = None,
    max_value: float = 100.0,
) -> SafeString:
    """Horizontal bars, one per item, in the given order: label on the left, the bar, its 95%
    interval as a whisker, the value printed after it; a dashed line at `target`."""
    width = 760.0
    label_w = 250.0
    left = label_w + 10
    plot_w = 380.0
    row_h = 22.0
    top = 34.0
    height = top + max(len(items), 1) * row_h + 30
    scale = plot_w / max_value if max_value > 0 else 0.0
    body = [_text(0, 16, title, size=14, weight="bold")]

    # Grid and axis: five steps of the scale.
    axis_y = top + max(len(items), 1) * row_h + 4
    for step in range(6):
        tick = max_value * step / 5
        x = left + tick * scale
        body.append(f'<line x1="{_num(x)}" y1="{_num(top - 4)}" x2="{_num(x)}" y2="{_num(axis_y)}" '
                    f'stroke="{GRID}" stroke-width="1"/>')
        body.append(_text(x, axis_y + 14, f"{tick:g}%".replace(".", ","), anchor="middle", size=10, fill=MUTED))

    if not items:
        body.append(_text(left + plot_w / 2, top + row_h / 2 + 4, NO_DATA, anchor="middle", fill=MUTED))
    for index, item in enumerate(items):
        y = top + index * row_h
        mid = y + row_h / 2
        body.append(f"<g class=\"bar-row\"><title>{escape(item.label)}: {escape(_value_label(item))}</title>")
        body.append(_text(label_w, mid + 4, _shorten(item.label, 42), anchor="end"))
        if item.value is None:
            body.append(_text(left + 4, mid + 4, NO_DATA, fill=MUTED))
            body.append("</g>")
            continue
        bar_w = _clip(item.value, max_value) * scale
        fill = HIGHLIGHT_FILL if item.highlight else BAR_FILL
        body.append(f'<rect class="bar" x="{_num(left)}" y="{_num(y + 4)}" width="{_num(bar_w)}" '
                    f'height="{_num(row_h - 8)}" fill="{fill}" data-value="{item.value!r}"/>')
        end = left + bar_w
        if item.low is not None and item.high is not None:
            lo = left + _clip(item.low, max_value) * scale
            hi = left + _clip(item.high, max_value) * scale
            end = max(end, hi)
            body.append(
                f'<path class="whisker" d="M{_num(lo)} {_num(mid)}H{_num(hi)}M{_num(lo)} {_num(mid - 5)}'
                f'V{_num(mid + 5)}M{_num(hi)} {_num(mid - 5)}V{_num(mid + 5)}" stroke="{WHISKER}" '
                f'stroke-width="1.2" fill="none"/>'
            )
        body.append(_text(end + 6, mid + 4, _value_label(item), size=11))
        body.append("</g>")

    if target is not None:
        x = left + _clip(target, max_value) * scale
        body.append(f'<line class="target" x1="{_num(x)}" y1="{_num(top - 6)}" x2="{_num(x)}" '
                    f'y2="{_num(axis_y)}" stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="5 3"/>')
        body.append(_text(x, top - 9, f"Mục tiêu {format_percent(target)}", anchor="middle", size=10, fill=TARGET))
    return _svg(width, height, title, body)


def profile_chart(items: Sequence[BarItem], *, title: str) -> SafeString:
    """Vertical bars (a factor profile): one column per item, value on top, label below."""
    slot = 120.0
    left = 44.0
    plot_h = 200.0
    top = 44.0
    width = left + max(len(items), 1) * slot + 10
    base = top + plot_h
    scale = plot_h / 100.0
    body = [_text(0, 16, title, size=14, weight="bold")]
    for step in range(6):
        tick = 20 * step
        y = base - tick * scale
        body.append(f'<line x1="{_num(left)}" y1="{_num(y)}" x2="{_num(width - 10)}" y2="{_num(y)}" '
                    f'stroke="{GRID}" stroke-width="1"/>')
        body.append(_text(left - 6, y + 4, f"{tick}%", anchor="end", size=10, fill=MUTED))
    label_lines = 1
    for index, item in enumerate(items):
        cx = left + index * slot + slot / 2
        body.append(f"<g class=\"bar-col\"><title>{escape(item.label)}: {escape(_value_label(item))}</title>")
        lines = _wrap(item.label, 18)
        label_lines = max(label_lines, len(lines))
        for line_no, line in enumerate(lines):
            body.append(_text(cx, base + 16 + 13 * line_no, line, anchor="middle", size=11))
        if item.value is None:
            body.append(_text(cx, base - 8, NO_DATA, anchor="middle", size=10, fill=MUTED))
            body.append("</g>")
            continue
        bar_h = _clip(item.value, 100.0) * scale
        bar_w = slot * 0.55
        fill = HIGHLIGHT_FILL if item.highlight else BAR_FILL
        body.append(f'<rect class="bar" x="{_num(cx - bar_w / 2)}" y="{_num(base - bar_h)}" width="{_num(bar_w)}" '
                    f'height="{_num(bar_h)}" fill="{fill}" data-value="{item.value!r}"/>')
        top_y = base - bar_h
        if item.low is not None and item.high is not None:
            lo = base - _clip(item.low, 100.0) * scale
            hi = base - _clip(item.high, 100.0) * scale
            top_y = min(top_y, hi)
            body.append(
                f'<path class="whisker" d="M{_num(cx)} {_num(lo)}V{_num(hi)}M{_num(cx - 6)} {_num(lo)}'
                f'H{_num(cx + 6)}M{_num(cx - 6)} {_num(hi)}H{_num(cx + 6)}" stroke="{WHISKER}" '
                f'stroke-width="1.2" fill="none"/>'
            )
        body.append(_text(cx, top_y - 6, _value_label(item), anchor="middle", size=11, weight="bold"))
        body.append("</g>")
    height = base + 16 + 13 * label_lines + 6
    return _svg(width, height, title, body)


def _y_range(series: Sequence[LineSeries], years: Sequence[int]) -> tuple[float, float]:
    """From a round ten below the lowest value up to 100, so differences of a few points show."""
    values = [v for s in series for y in years if (v := s.points.get(y)) is not None]
    if not values:
        return 0.0, 100.0
    low = max(0.0, (min(values) // 10) * 10 - 10)
    return min(low, 90.0), 100.0


def line_chart(series: Sequence[LineSeries], *, title: str, years: Sequence[int]) -> SafeString:
    """Trend across years: one line per series, a gap where a year has no value."""
    left = 50.0
    plot_w = 600.0
    top = 40.0
    plot_h = 220.0
    base = top + plot_h
    legend_y = base + 38
    height = legend_y + 18 * max(len(series), 1) + 4
    width = left + plot_w + 40
    low, high = _y_range(series, years)
    y_scale = plot_h / (high - low)
    step_x = plot_w / max(len(years) - 1, 1)

    def x_of(i: int) -> float:
        return left + (i * step_x if len(years) > 1 else plot_w / 2)

    def y_of(value: float) -> float:
        return base - (_clip(value, high) - low) * y_scale

    body = [_text(0, 16, title, size=14, weight="bold")]
    ticks = 5
    for step in range(ticks + 1):
        tick = low + (high - low) * step / ticks
        y = y_of(tick)
        body.append(f'<line x1="{_num(left)}" y1="{_num(y)}" x2="{_num(left + plot_w)}" y2="{_num(y)}" '
                    f'stroke="{GRID}" stroke-width="1"/>')
        body.append(_text(left - 6, y + 4, f"{tick:g}%".replace(".", ","), anchor="end", size=10, fill=MUTED))
    for i, year in enumerate(years):
        body.append(_text(x_of(i), base + 18, str(year), anchor="middle", size=11))
    if not any(v is not None for s in series for v in (s.points.get(y) for y in years)):
        body.append(_text(left + plot_w / 2, top + plot_h / 2, NO_DATA, anchor="middle", fill=MUTED))

    for number, line in enumerate(series):
        colour = SERIES[number % len(SERIES)]
        body.append(f'<g class="series"><title>{escape(line.label)}</title>')
        segments: list[list[tuple[float, float, float]]] = [[]]
        for i, year in enumerate(years):
            value = line.points.get(year)
            if value is None:
                if segments[-1]:
                    segments.append([])
                continue
            segments[-1].append((x_of(i), y_of(value), value))
        for segment in segments:
            if len(segment) > 1:
                d = "M" + " L".join(f"{_num(x)} {_num(y)}" for x, y, _ in segment)
                body.append(f'<path class="line" d="{d}" stroke="{colour}" stroke-width="2.2" fill="none"/>')
            for x, y, value in segment:
                body.append(f'<circle class="point" cx="{_num(x)}" cy="{_num(y)}" r="3.5" fill="{colour}"/>')
                body.append(_text(x, y - 8, format_percent(value), anchor="middle", size=10, fill=colour))
        body.append("</g>")
        ly = legend_y + 18 * number
        body.append(f'<line x1="{_num(left)}" y1="{_num(ly - 4)}" x2="{_num(left + 24)}" y2="{_num(ly - 4)}" '
                    f'stroke="{colour}" stroke-width="2.2"/>')
        body.append(_text(left + 30, ly, line.label, size=11))
    return _svg(width, height, title, body)
