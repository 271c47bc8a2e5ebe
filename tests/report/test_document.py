"""The plain document model."""

from __future__ import annotations

from tender.report.document import Bullets, Document, Metadata, Paragraph, Section, Table


def test_text_reads_every_block_in_order():
    doc = Document(
        "Title",
        (
            Section("Intro", (Paragraph("Hello", "1.1"), Bullets(("a", "b"))), "1"),
            Section("Data", (Table(("x", "y"), (("1", "2"),), (1, 1), "T"),), "2"),
        ),
        Metadata("t", "s", "a"),
    )
    assert doc.text() == "Title\n1 Intro\n1.1 Hello\na\nb\n2 Data\nT\nx | y\n1 | 2"


def test_alt_text_reads_the_chart_table_row_by_row():
    from tender.report.document import Chart, ScoreBars, Table, alt_text

    data = ScoreBars(("A", "B"), (60.0, 57.0), (20.3, 22.1), 100.0)
    table = Table(
        ("Organisation", "Price", "Quality"), (("A", "60", "20.3"), ("B", "57", "22.1")), (1, 1, 1)
    )
    assert alt_text(Chart("Figure 1: Scores.", data, table)) == (
        "Figure 1: Scores. A: Price 60, Quality 20.3; B: Price 57, Quality 22.1."
    )
    assert alt_text(Chart("Figure 1: Scores.", data)) == "Figure 1: Scores."
