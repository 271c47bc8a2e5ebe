"""Rendering every report file in memory before anything is written."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tender.errors import TenderInputError
from tender.report.build import render_report
from tender.report.narrative import Narrative

from .conftest import synthetic


def test_reference_files(reference_ev, reference_narrative):
    folder = Path("/out")
    rendered = render_report(reference_ev, reference_narrative, folder)
    names = sorted(p.relative_to(folder).as_posix() for p in rendered.files)
    assert names[:6] == [
        "award-report-confidential.docx",
        "award-report-confidential.html",
        "award-report-confidential.pdf",
        "award-report.docx",
        "award-report.html",
        "award-report.pdf",
    ]
    assert names[6:] == sorted(
        f"letters/{stem}.{suffix}"
        for stem in (
            "a-goodwin-pest-management",
            "b-company-b",
            "c-company-c",
            "d-company-d",
            "e-company-e",
            "f-company-f",
        )
        for suffix in ("pdf", "docx")
    )
    assert rendered.warnings == []


def test_missing_narrative_sections_are_warned(reference_ev):
    rendered = render_report(reference_ev, Narrative(), Path("/out"), letters=False)
    assert (
        "no narrative file: section 'background' is missing; the report shows a "
        "placeholder" in rendered.warnings
    )
    assert len(rendered.files) == 6  # the report and its confidential appendix


def test_letters_are_refused_while_a_mark_lacks_feedback(reference_ev, reference_narrative):
    rationales = reference_ev.rationales.copy()
    rationales.loc[5, "feedback"] = ""
    ev = dataclasses.replace(reference_ev, rationales=rationales)
    with pytest.raises(TenderInputError, match="bidder B, criterion Q2"):
        render_report(ev, reference_narrative, Path("/out"))
    assert len(render_report(ev, reference_narrative, Path("/out"), letters=False).files) == 6


def test_the_html_is_the_same_report_and_appendix_as_the_pdf(reference_ev, reference_narrative):
    import lxml.html

    folder = Path("/out")
    rendered = render_report(reference_ev, reference_narrative, folder, letters=False)
    report = lxml.html.document_fromstring(rendered.files[folder / "award-report.html"])
    appendix = lxml.html.document_fromstring(
        rendered.files[folder / "award-report-confidential.html"]
    )
    assert report.findtext(".//title") == "Pest Control Arrangements: award recommendation"
    assert report.find(".//header") is None
    assert appendix.find(".//header/p").text == "CONFIDENTIAL - not for publication"


def test_letters_rendered_in_worker_processes_are_the_serial_bytes(monkeypatch):
    from tender.report import workers

    ev = synthetic(workers.POOL_ABOVE + 2, "pa2023", long_names=False)
    pooled = render_report(ev, Narrative(), Path("/out")).files
    monkeypatch.setattr(workers, "POOL_ABOVE", 10_000)
    serial = render_report(ev, Narrative(), Path("/out")).files
    assert list(pooled) == list(serial)  # same files, in the same (bids-file) order
    letters = [p.name for p in pooled if p.parent.name == "letters"]
    assert letters[:4] == [
        "s01-bidder-s01.pdf",
        "s01-bidder-s01.docx",
        "s02-bidder-s02.pdf",
        "s02-bidder-s02.docx",
    ]
    assert all(pooled[p] == serial[p] for p in serial)


def test_a_refused_letter_stops_every_letter_before_any_is_rendered(monkeypatch):
    from tender.errors import Problem
    from tender.report import build

    real = build.letter_content

    def refuse(ev, bidder_id, outcomes=None, basis=None):
        if bidder_id == "S05":
            raise TenderInputError([Problem("bids.csv", "row 6", "x", "y")])
        return real(ev, bidder_id, outcomes, basis)

    def never(*args, **kwargs):
        raise AssertionError("a file was rendered")

    monkeypatch.setattr(build, "letter_content", refuse)
    monkeypatch.setattr(build, "render_all", never)
    ev = synthetic(8, "pcr2015", long_names=False)
    with pytest.raises(TenderInputError) as raised:
        render_report(ev, Narrative(), Path("/out"))
    assert [str(p) for p in raised.value.problems] == [str(Problem("bids.csv", "row 6", "x", "y"))]
