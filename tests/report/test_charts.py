"""Chart drawings: labels fit, the weight used and the leader changes are marked."""

from __future__ import annotations

from reportlab.graphics.shapes import Circle, String
from reportlab.pdfbase.pdfmetrics import stringWidth

from tender.report.charts import FONT_SIZE, score_bars, weight_lines
from tender.report.content import score_bars as bars_data
from tender.report.content import weight_lines as lines_data
from tender.report.fonts import REGULAR, fit, register
from tender.sensitivity import price_weight_lines


def strings(drawing) -> list[str]:
    return [s.text for s in drawing.getContents() if isinstance(s, String)]


def test_fit_keeps_short_text_and_cuts_long_text_in_the_middle():
    register()
    assert fit("Company B", 100) == "Company B"
    cut = fit("Northern and Western Integrated Environmental Services Limited S08", 120)
    assert cut.startswith("Northern")
    assert cut.endswith("S08")
    assert "…" in cut
    assert stringWidth(cut, REGULAR, FONT_SIZE) <= 120


def test_score_bars_label_every_bid(reference_ev):
    register()
    drawing = score_bars(bars_data(reference_ev), 480)
    texts = strings(drawing)
    for label in (
        "Company A (Goodwin Pest Management)",
        "Company F",
        "Price score",
        "Quality weighted score",
    ):
        assert label in texts


def test_forty_bars_fit_on_a_page(make_evaluation):
    register()
    drawing = score_bars(bars_data(make_evaluation(40)), 480)
    assert drawing.height <= 640


def test_sensitivity_chart_marks_weight_used_and_leader_changes(reference_ev):
    register()
    drawing = weight_lines(lines_data(reference_ev, price_weight_lines(reference_ev)), 480)
    texts = strings(drawing)
    assert "weight used: 60" in texts
    assert {"18.7", "47.4"} <= set(texts)
    assert sum(isinstance(s, Circle) for s in drawing.getContents()) == 2
    assert "Company D" in texts  # leads at low price weights
