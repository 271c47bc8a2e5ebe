"""Charts as PNG pictures: the PDF's drawing, pixel for pixel where it matters."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from reportlab.graphics.shapes import Drawing, Ellipse, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from tender.report import charts
from tender.report.document import ScoreBars
from tender.report.fonts import REGULAR
from tender.report.picture import png


def pixels(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGB")


def test_size_follows_the_resolution():
    drawing = Drawing(72, 36)  # one inch by half an inch
    assert pixels(png(drawing, dpi=200)).size == (200, 100)
    assert pixels(png(drawing, dpi=100)).size == (100, 50)
    assert Image.open(io.BytesIO(png(drawing, dpi=200))).info["dpi"] == pytest.approx(
        (200, 200), abs=0.01
    )


def test_a_bar_is_where_the_drawing_puts_it_in_its_colour():
    drawing = Drawing(100, 100)
    drawing.add(Rect(10, 60, 30, 20, fillColor=colors.HexColor("#1f4e79"), strokeColor=None))
    image = pixels(png(drawing, dpi=72))
    assert image.getpixel((25, 30)) == (0x1F, 0x4E, 0x79)  # y 60-80 from the bottom: rows 20-40
    assert image.getpixel((25, 70)) == (255, 255, 255)
    assert image.getpixel((50, 30)) == (255, 255, 255)


def test_a_dashed_line_has_gaps_and_a_solid_one_none():
    def row(dashes: list[float] | None) -> list[tuple[int, int, int]]:
        drawing = Drawing(100, 10)
        drawing.add(
            Line(0, 5, 100, 5, strokeColor=colors.black, strokeWidth=2, strokeDashArray=dashes)
        )
        image = pixels(png(drawing, dpi=72))
        return [image.getpixel((x, 5)) for x in range(2, 98)]

    assert all(p[0] < 60 for p in row(None))
    dashed = row([3, 2])
    assert any(p[0] > 200 for p in dashed)
    assert sum(p[0] < 60 for p in dashed) > 40


def test_text_is_drawn_in_the_bundled_font():
    charts.fonts.register()
    drawing = Drawing(100, 20)
    drawing.add(String(5, 5, "Company A", fontName=REGULAR, fontSize=10))
    image = pixels(png(drawing, dpi=144))
    dark = [
        x
        for x in range(image.width)
        for y in range(image.height)
        if image.getpixel((x, y))[0] < 100
    ]
    assert dark
    assert min(dark) >= 9  # starts at x = 5 points
    # as wide as the PDF sets it: reportlab's width of the same font at the same size
    assert max(dark) / 2 == pytest.approx(5 + stringWidth("Company A", REGULAR, 10), abs=1.5)


def test_the_same_drawing_gives_the_same_bytes():
    data = ScoreBars(("A", "B"), (60.0, 0.0), (20.3, 19.2), 100.0)
    first = png(charts.score_bars(data, 480))
    assert png(charts.score_bars(data, 480)) == first


def test_a_shape_no_chart_uses_is_refused():
    drawing = Drawing(10, 10)
    drawing.add(Ellipse(5, 5, 2, 3))
    with pytest.raises(TypeError, match="Ellipse"):
        png(drawing)
