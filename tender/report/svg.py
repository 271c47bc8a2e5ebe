"""A chart's reportlab drawing as inline SVG markup (for the HTML report).

The PDF draws the same `Drawing`, so the HTML's figure is the PDF's, shape for shape. The
SVG is an image with a name and a description (`role="img"`, `<title>`, `<desc>`), so a
screen reader announces the chart and its figures and skips the geometry. Every string is
escaped: a bidder called `<script>` is drawn as those eight characters.
"""

from __future__ import annotations

from html import escape

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, Shape, String
from reportlab.lib.colors import Color

from .fonts import BOLD, FALLBACK, right_to_left

FAMILY = "'DejaVu Sans', Verdana, Arial, sans-serif"  # the PDF's font, where installed
FALLBACK_FAMILY = "'Droid Sans Fallback', 'Noto Sans CJK JP', sans-serif"


def _n(value: float) -> str:
    """A coordinate, short: two decimals at most, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _colour(colour: Color | None) -> str:
    if colour is None:
        return "none"
    red, green, blue = (round(c * 255) for c in (colour.red, colour.green, colour.blue))
    return f"#{red:02x}{green:02x}{blue:02x}"


class _Writer:
    def __init__(self, drawing: Drawing) -> None:
        self.height = float(drawing.height)

    def y(self, value: float) -> str:
        return _n(self.height - value)

    def stroke(self, shape: Shape) -> str:
        out = (
            f' stroke="{_colour(shape.strokeColor)}" stroke-width="{_n(shape.strokeWidth)}"'
            if shape.strokeColor is not None
            else ""
        )
        dashes = getattr(shape, "strokeDashArray", None)
        if dashes and shape.strokeColor is not None:
            out += f' stroke-dasharray="{" ".join(_n(d) for d in dashes)}"'
        return out

    def shape(self, shape: Shape) -> str:
        if isinstance(shape, Rect):
            return (
                f'<rect x="{_n(shape.x)}" y="{self.y(shape.y + shape.height)}" '
                f'width="{_n(shape.width)}" height="{_n(shape.height)}" '
                f'fill="{_colour(shape.fillColor)}"{self.stroke(shape)}/>'
            )
        if isinstance(shape, Line):
            return (
                f'<line x1="{_n(shape.x1)}" y1="{self.y(shape.y1)}" x2="{_n(shape.x2)}" '
                f'y2="{self.y(shape.y2)}"{self.stroke(shape)}/>'
            )
        if isinstance(shape, PolyLine):
            pairs = zip(shape.points[::2], shape.points[1::2], strict=True)
            points = " ".join(f"{_n(x)},{self.y(y)}" for x, y in pairs)
            return f'<polyline points="{points}" fill="none"{self.stroke(shape)}/>'
        if isinstance(shape, Circle):
            return (
                f'<circle cx="{_n(shape.cx)}" cy="{self.y(shape.cy)}" r="{_n(shape.r)}" '
                f'fill="{_colour(shape.fillColor)}"{self.stroke(shape)}/>'
            )
        if isinstance(shape, String):
            return self.text(shape)
        raise TypeError(f"a chart holds no {type(shape).__name__}")

    def text(self, shape: String) -> str:
        style = ""
        if shape.fontName == BOLD:
            style = ' font-weight="bold"'
        elif shape.fontName == FALLBACK:
            style = f' font-family="{FALLBACK_FAMILY}"'
        if right_to_left(shape.text):  # already shaped and in display order: draw as given
            style += ' direction="ltr" unicode-bidi="bidi-override"'
        anchor = "" if shape.textAnchor == "start" else f' text-anchor="{shape.textAnchor}"'
        fill = _colour(shape.fillColor) if shape.fillColor is not None else "#000000"
        return (
            f'<text x="{_n(shape.x)}" y="{self.y(shape.y)}" font-size="{_n(shape.fontSize)}"'
            f'{anchor}{style} fill="{fill}">{escape(shape.text)}</text>'
        )


def to_svg(drawing: Drawing, ident: str, title: str, description: str) -> str:
    """`drawing` as an `<svg>` element named by `title` and described by `description`.

    `ident` makes the title's and description's ids unique in the page.
    """
    writer = _Writer(drawing)
    width, height = _n(drawing.width), _n(drawing.height)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{ident}-title" aria-describedby="{ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        f'<g font-family="{FAMILY}" aria-hidden="true">',
        *(writer.shape(shape) for shape in drawing.getContents()),
        "</g>",
        "</svg>",
    ]
    return "\n".join(parts)
