"""Rendering every report file in memory before anything is written."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tender.errors import TenderInputError
from tender.report.build import render_report
from tender.report.content import confidential_content, report_content
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
    from tender.report import build

    ev = synthetic(build.POOL_ABOVE + 2, "pa2023", long_names=False)
    pooled = render_report(ev, Narrative(), Path("/out")).files
    monkeypatch.setattr(build, "POOL_ABOVE", 10_000)
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


def _job(ev, narrative, build):
    letters = build._LetterJob(ev, build.letter_basis(ev), None, ())
    return build._Job(report_content(ev, narrative), confidential_content(ev), letters)


def test_the_report_and_letters_shared_with_a_worker_are_the_serial_bytes(
    reference_ev, reference_narrative
):
    """The report's own files go to the workers too, the costliest first: every task's
    bytes are those rendered in this process alone, whoever rendered them."""
    from tender.report import build

    job = _job(reference_ev, reference_narrative, build)
    tasks = build._tasks(list(build.letter_slugs(reference_ev)))
    assert tasks[:2] == [("report", "award-report", "pdf"), ("report", "award-report", "docx")]
    assert len(tasks) == 6 + 2 * 6
    shared = build._render(job, tasks, workers=1)
    serial = dict(build._serial(job, tasks))
    assert set(shared) == set(tasks)
    assert all(shared[task] == serial[task] for task in tasks)


def test_spawned_workers_give_the_same_bytes(monkeypatch):
    """Where the platform cannot fork, workers are spawned and handed the job pickled."""
    from tender.report import build

    monkeypatch.setattr(build, "_START", "spawn")
    monkeypatch.setattr(build, "SPAWNED_ABOVE", 2)
    ev = synthetic(3, "pcr2015", long_names=False)
    job = _job(ev, Narrative(), build)
    tasks = build._tasks(list(build.letter_slugs(ev)))
    assert build._render(job, tasks, workers=1) == dict(build._serial(job, tasks))


def test_a_letter_refused_in_a_worker_is_reported_whole(monkeypatch):
    from tender.errors import Problem
    from tender.report import build

    real = build.letter_content

    def refuse(ev, bidder_id, outcomes=None, basis=None):
        if bidder_id == "S05":
            raise TenderInputError([Problem("bids.csv", "row 6", "x", "y")])
        return real(ev, bidder_id, outcomes, basis)

    monkeypatch.setattr(build, "letter_content", refuse)  # inherited by forked workers
    ev = synthetic(build.POOL_ABOVE + 4, "pcr2015", long_names=False)
    letters = build._LetterJob(ev, build.letter_basis(ev), None, ())
    job = build._Job(report_content(ev, Narrative()), confidential_content(ev), letters)
    others = [task for task in build._tasks(list(build.letter_slugs(ev))) if task[1] != "S05"]
    with pytest.raises(TenderInputError) as raised:  # worker 1 starts on the DOCX lane's first
        build._render(job, [("letter", "S05", "docx"), *others], workers=2)
    assert [str(p) for p in raised.value.problems] == [str(Problem("bids.csv", "row 6", "x", "y"))]
