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
