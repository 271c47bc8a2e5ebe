"""Charts as inline SVG: the PDF's drawing, named and described, every string escaped."""

from __future__ import annotations

import pytest
from lxml import etree
from reportlab.graphics.shapes import Circle, Drawing, Ellipse, Line, PolyLine, Rect, String
from reportlab.lib import colors

from tender.report.fonts import BOLD, FALLBACK, REGULAR
from tender.report.svg import to_svg

NS = {"s": "http://www.w3.org/2000/svg"}


def parsed(drawing: Drawing, title: str = "Figure 1", description: str = "A: 60") -> etree._Element:
    return etree.fromstring(to_svg(drawing, "figure-1", title, description).encode())


def test_the_image_is_named_and_described_and_its_shapes_hidden():
    svg = parsed(Drawing(100, 50))
    assert svg.get("role") == "img"
    assert svg.get("viewBox") == "0 0 100 50"
    assert svg.get("aria-labelledby") == "figure-1-title"
    assert svg.get("aria-describedby") == "figure-1-desc"
    assert svg.find("s:title", NS).text == "Figure 1"
    assert svg.find("s:title", NS).get("id") == "figure-1-title"
    assert svg.find("s:desc", NS).text == "A: 60"
    assert svg.find("s:g", NS).get("aria-hidden") == "true"


def test_coordinates_are_turned_from_bottom_up_to_top_down():
    drawing = Drawing(100, 100)
    drawing.add(Rect(10, 60, 30, 20, fillColor=colors.HexColor("#1f4e79"), strokeColor=None))
    drawing.add(Line(0, 10, 100, 10, strokeColor=colors.black, strokeDashArray=[3, 2]))
    drawing.add(PolyLine([0, 0, 100, 50], strokeColor=colors.red, strokeWidth=1.6))
    drawing.add(Circle(50, 25, 2.6, fillColor=colors.white, strokeColor=colors.black))
    rect, line, poly, circle = parsed(drawing).find("s:g", NS)
    assert (rect.get("x"), rect.get("y"), rect.get("width"), rect.get("height")) == (
        "10",
        "20",
        "30",
        "20",
    )
    assert rect.get("fill") == "#1f4e79"
    assert rect.get("stroke") is None
    assert (line.get("y1"), line.get("y2"), line.get("stroke-dasharray")) == ("90", "90", "3 2")
    assert poly.get("points") == "0,100 100,50"
    assert poly.get("stroke") == "#ff0000"
    assert (circle.get("cy"), circle.get("r"), circle.get("fill")) == ("75", "2.6", "#ffffff")


def test_text_keeps_its_anchor_weight_and_font_and_is_escaped():
    drawing = Drawing(200, 40)
    drawing.add(String(100, 10, '<script>alert("x")</script> & Co', fontName=REGULAR, fontSize=7.5))
    drawing.add(String(190, 20, "weight used: 60", fontName=BOLD, textAnchor="end"))
    drawing.add(String(5, 30, "株式会社", fontName=FALLBACK, textAnchor="middle"))
    markup = to_svg(drawing, "f", "<b>title</b>", "desc & more")
    assert "<script" not in markup
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in markup
    assert '<title id="f-title">&lt;b&gt;title&lt;/b&gt;</title>' in markup
    plain, bold, japanese = etree.fromstring(markup.encode()).find("s:g", NS)
    assert plain.text == '<script>alert("x")</script> & Co'
    assert (plain.get("y"), plain.get("font-size"), plain.get("text-anchor")) == ("30", "7.5", None)
    assert (bold.get("font-weight"), bold.get("text-anchor")) == ("bold", "end")
    assert "Droid Sans Fallback" in japanese.get("font-family")
    assert japanese.get("text-anchor") == "middle"


def test_a_shape_no_chart_uses_is_refused():
    drawing = Drawing(10, 10)
    drawing.add(Ellipse(5, 5, 2, 3))
    with pytest.raises(TypeError, match="Ellipse"):
        to_svg(drawing, "f", "t", "d")


def test_right_to_left_text_is_drawn_in_the_order_the_pdf_draws_it():
    """A chart's Arabic reaches the SVG shaped and in display order; a browser would
    reorder it a second time unless told to draw it as given."""
    drawing = Drawing(200, 20)
    drawing.add(String(5, 5, "2026 \ufe94\ufedb\ufeae\ufeb7", fontName=REGULAR, fontSize=8))
    drawing.add(String(5, 15, "Company A", fontName=REGULAR, fontSize=8))
    arabic, latin = parsed(drawing).find("s:g", NS)
    assert (arabic.get("direction"), arabic.get("unicode-bidi")) == ("ltr", "bidi-override")
    assert latin.get("unicode-bidi") is None
