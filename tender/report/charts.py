"""Figures drawn with reportlab's own graphics: score bars and the price-weight chart.

Input is chart data already read from the Evaluation (`document.ScoreBars`,
`document.WeightLines`); this module only turns numbers into geometry. A bidder's name
wraps onto a second line beside its bar; a name too long even for that, or for the end of
its line in the price-weight chart, is shortened with a numbered marker; the caller gets
the full names in marker order (`key`) to print under the chart.
"""

from __future__ import annotations

from collections.abc import Callable

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from . import fonts
from .document import Chart, ScoreBars, WeightLines
from .fonts import BOLD, REGULAR, fit

Scale = Callable[[float], float]  # a value to its position on the page

PRICE_COLOUR = colors.HexColor("#1f4e79")
QUALITY_COLOUR = colors.HexColor("#8fbc5a")
GRID = colors.HexColor("#d9d9d9")
OTHER_LINE = colors.HexColor("#c8c8c8")
PALETTE = [
    colors.HexColor(c)
    for c in ("#1f4e79", "#c0504d", "#4f9a3a", "#8064a2", "#e46c0a", "#2c8c99", "#7f6000")
]
MAX_BAR_CHART_HEIGHT = 640.0
FONT_SIZE = 7.5


def _text(
    x: float, y: float, text: str, size: float = FONT_SIZE, anchor: str = "start", **kw: object
) -> list[String]:
    """One line of `text` as Strings, one per font run (a name in Japanese needs a second
    font), right-to-left text shaped and in display order."""
    line = fonts.visual(fonts.shape(text))
    pieces = list(fonts.runs(line, kw.pop("fontName", REGULAR)))  # type: ignore[arg-type]
    total = sum(stringWidth(piece, face, size) for face, piece in pieces)
    x -= {"start": 0.0, "middle": total / 2, "end": total}[anchor]
    out = []
    for face, piece in pieces:
        out.append(String(x, y, piece, fontName=face, fontSize=size, **kw))
        x += stringWidth(piece, face, size)
    return out


class _Key:
    """Names shortened in a chart, numbered, to print in full under it."""

    def __init__(self, names: list[str] | None) -> None:
        self.names: list[str] = [] if names is None else names

    def label(self, name: str, room: float, size: float, lines: int = 1) -> list[str]:
        """`name` in at most `lines` lines of `room` points, or shortened with a marker."""
        wrapped = fonts.wrap(name, room, size)
        if len(wrapped) <= lines:
            return wrapped
        if name not in self.names:
            self.names.append(name)
        marker = f" [{self.names.index(name) + 1}]"
        return [fit(name, room - fonts.width(marker, REGULAR, size), size) + marker]


def _canvas(width: float, height: float) -> Drawing:
    """An empty drawing whose default font is the bundled one, so no renderer falls back on
    a standard font it would not embed (reportlab's default for drawings is Times-Roman)."""
    fonts.register()
    drawing = Drawing(width, height)
    drawing.initialFontName = REGULAR
    return drawing


def draw(chart: Chart, width: float, key: list[str] | None = None) -> Drawing:
    """The figure for `chart`, `width` points wide; names shortened in it go into `key`."""
    if isinstance(chart.data, ScoreBars):
        return score_bars(chart.data, width, key)
    return weight_lines(chart.data, width, key=key)


def _tick_label(at: float, bottom: float, tick: float) -> String:
    """The number under a vertical grid line of the x axis."""
    return String(
        at, bottom - 10, f"{tick:g}", fontName=REGULAR, fontSize=FONT_SIZE, textAnchor="middle"
    )


def _ticks(maximum: float) -> list[float]:
    step = 10.0 if maximum <= 50 else 20.0
    count = int(maximum // step)
    return [i * step for i in range(count + 1)]


def score_bars(data: ScoreBars, width: float, key: list[str] | None = None) -> Drawing:
    """Horizontal stacked bars (price, then quality) for each bid, best at the top.

    Names shortened to fit are appended to `key`, numbered as their markers.
    """
    count = max(len(data.labels), 1)
    pitch = min(18.0, (MAX_BAR_CHART_HEIGHT - 70) / count)
    label_width = min(170.0, width * 0.36)
    size = min(FONT_SIZE, pitch * 0.7)
    two_lines = pitch >= 2 * size + 1.5
    names = _Key(key)
    most = 2 if two_lines else 1
    labels = [names.label(name, label_width - 6, size, most) for name in data.labels]
    left, right, top, bottom = label_width + 8, 16.0, 12.0, 46.0
    plot_w = width - left - right
    height = top + bottom + pitch * count
    drawing = _canvas(width, height)
    scale = plot_w / data.maximum

    def x(value: float) -> float:
        return left + value * scale

    for tick in _ticks(data.maximum):
        drawing.add(Line(x(tick), bottom, x(tick), height - top, strokeColor=GRID, strokeWidth=0.5))
        drawing.add(_tick_label(x(tick), bottom, tick))
    for i, lines in enumerate(labels):
        y = height - top - (i + 1) * pitch + pitch * 0.15
        bar = pitch * 0.7
        price, quality = data.price[i], data.quality[i]
        drawing.add(Rect(x(0), y, price * scale, bar, fillColor=PRICE_COLOUR, strokeColor=None))
        drawing.add(
            Rect(x(price), y, quality * scale, bar, fillColor=QUALITY_COLOUR, strokeColor=None)
        )
        first = y + bar * 0.25 + (len(lines) - 1) * (size + 1) / 2
        for n, line in enumerate(lines):
            for piece in _text(left - 6, first - n * (size + 1), line, size, "end"):
                drawing.add(piece)
    drawing.add(Line(x(0), bottom, x(0), height - top, strokeWidth=0.8))
    drawing.add(
        String(
            x(data.maximum / 2),
            bottom - 22,
            "Score (out of 100)",
            fontName=REGULAR,
            fontSize=FONT_SIZE,
            textAnchor="middle",
        )
    )
    _legend(
        drawing,
        left,
        6,
        [("Price score", PRICE_COLOUR), ("Quality weighted score", QUALITY_COLOUR)],
    )
    return drawing


def _legend(drawing: Drawing, x: float, y: float, items: list[tuple[str, object]]) -> None:
    for text, colour in items:
        drawing.add(Rect(x, y, 9, 7, fillColor=colour, strokeColor=None))
        drawing.add(String(x + 12, y + 0.5, text, fontName=REGULAR, fontSize=FONT_SIZE))
        x += 24 + stringWidth(text, REGULAR, FONT_SIZE)


def weight_lines(
    data: WeightLines, width: float, height: float = 280.0, key: list[str] | None = None
) -> Drawing:
    """Each bid's total against the price weight (0-100), the weight used, leader changes.

    Names shortened to fit are appended to `key`, numbered as their markers.
    """
    label_width = min(175.0, width * 0.34)
    names = _Key(key)
    ends = {label: names.label(label, label_width, FONT_SIZE)[0] for label in data.highlight}
    left, right, top, bottom = 34.0, label_width + 8, 24.0, 40.0
    plot_w, plot_h = width - left - right, height - top - bottom
    drawing = _canvas(width, height)

    def x(w: float) -> float:
        return left + plot_w * w / 100.0

    def y(total: float) -> float:
        return bottom + plot_h * total / 100.0

    _weight_axes(drawing, x, y, left, bottom)
    colour_of = _colours(data)
    order = sorted(range(len(data.labels)), key=lambda i: data.labels[i] in colour_of)
    for i in order:
        label = data.labels[i]
        colour = colour_of.get(label, OTHER_LINE)
        a, b = data.intercept[i], data.slope[i]
        drawing.add(
            PolyLine(
                [x(0), y(a), x(100), y(a + 100 * b)],
                strokeColor=colour,
                strokeWidth=1.6 if label in colour_of else 0.6,
            )
        )
    _end_labels(drawing, data, colour_of, x(100) + 4, y, ends)
    _weight_used(drawing, data, x, y, bottom)
    return drawing


def _weight_axes(drawing: Drawing, x: Scale, y: Scale, left: float, bottom: float) -> None:
    """The grid, ticks and axis titles: price weight across, total score up."""
    for tick in _ticks(100):
        drawing.add(Line(x(tick), bottom, x(tick), y(100), strokeColor=GRID, strokeWidth=0.5))
        drawing.add(Line(x(0), y(tick), x(100), y(tick), strokeColor=GRID, strokeWidth=0.5))
        drawing.add(_tick_label(x(tick), bottom, tick))
        drawing.add(
            String(
                left - 4,
                y(tick) - 2.5,
                f"{tick:g}",
                fontName=REGULAR,
                fontSize=FONT_SIZE,
                textAnchor="end",
            )
        )
    drawing.add(
        String(
            x(50),
            bottom - 24,
            "Price weight (quality weight = 100 − price weight)",
            fontName=REGULAR,
            fontSize=FONT_SIZE,
            textAnchor="middle",
        )
    )
    drawing.add(String(4, y(100) + 12, "Total score", fontName=REGULAR, fontSize=FONT_SIZE))


def _weight_used(drawing: Drawing, data: WeightLines, x: Scale, y: Scale, bottom: float) -> None:
    """The weight the tender used, dashed, and each crossover marked with its weight."""
    drawing.add(
        Line(
            x(data.current),
            bottom,
            x(data.current),
            y(100),
            strokeColor=colors.black,
            strokeWidth=0.8,
            strokeDashArray=[3, 2],
        )
    )
    drawing.add(
        String(
            x(data.current) + (2 if data.current <= 70 else -2),
            y(100) + 3,
            f"weight used: {data.current:g}",
            fontName=BOLD,
            fontSize=FONT_SIZE,
            textAnchor="start" if data.current <= 70 else "end",
        )
    )
    index = {label: i for i, label in enumerate(data.labels)}
    for w, _before, after in data.crossovers:
        i = index[after]
        total = data.intercept[i] + data.slope[i] * w
        drawing.add(
            Circle(
                x(w),
                y(total),
                2.6,
                fillColor=colors.white,
                strokeColor=colors.black,
                strokeWidth=0.8,
            )
        )
        drawing.add(
            String(
                x(w),
                y(total) + 5,
                f"{w:.1f}",
                fontName=REGULAR,
                fontSize=FONT_SIZE - 1,
                textAnchor="middle",
            )
        )


def _colours(data: WeightLines) -> dict[str, object]:
    return {label: PALETTE[n % len(PALETTE)] for n, label in enumerate(data.highlight)}


def _end_labels(
    drawing: Drawing,
    data: WeightLines,
    colour_of: dict[str, object],
    at_x: float,
    y: Callable[[float], float],
    shown: dict[str, str],
) -> None:
    """Labels for the highlighted lines at the right-hand end, nudged apart to stay legible."""
    ends = sorted(
        (y(data.intercept[i] + 100 * data.slope[i]), label)
        for i, label in enumerate(data.labels)
        if label in colour_of
    )
    gap = FONT_SIZE + 1.5
    placed: list[float] = []
    for wanted, _label in ends:
        placed.append(max(wanted, placed[-1] + gap) if placed else wanted)
    for (_wanted, label), at_y in zip(ends, placed, strict=True):
        for piece in _text(at_x, at_y - 2.5, shown[label], fillColor=colour_of[label]):
            drawing.add(piece)
    others = len(data.labels) - len(ends)
    if others:
        drawing.add(
            String(
                at_x,
                4,
                f"grey: {others} other bid{'s' * (others != 1)}",
                fontName=REGULAR,
                fontSize=FONT_SIZE,
                fillColor=colors.grey,
            )
        )
