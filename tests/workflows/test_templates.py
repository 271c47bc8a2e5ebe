"""`templates`: one sealed workbook per evaluator, each issue logged once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tender.inputs import load_tender
from tender.panel import bidder_list, panel_files


def test_templates_rendered_on_several_processes_are_the_same_bytes(
    reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tender.excel.layout import marking_rows
    from tender.excel.templates import identity_fields, write_template
    from tender.workflows.templates import _render_all

    tender = load_tender(reference)
    rows = marking_rows(tender, bidder_list(tender))
    jobs = [
        (tender, e, rows, identity_fields(tender, e, 1, "t", "s"), "seal") for e in tender.panel
    ]
    serial = _render_all(write_template, jobs)
    monkeypatch.setattr("tender.workflows.templates.PARALLEL_FROM", 1)
    assert _render_all(write_template, jobs) == serial
    assert len(set(serial)) == 3


def test_templates_issued_at_once_never_share_an_issue_number(reference: Path) -> None:
    from tender.audit import check_log
    from tender.workflows.templates import issue_templates

    tender = load_tender(reference)
    issued: list[int] = []
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            for _ in range(3):
                issued.extend(i.issue for i in issue_templates(tender, evaluators=["E1"]))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=issue) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(issued) == list(range(1, 10))
    checked = check_log(panel_files(tender).log)
    assert checked.intact
    assert [e["issue"] for e in checked.entries] == list(range(1, 10))


def test_a_bid_failing_a_requirement_is_not_given_to_the_evaluators(
    project: Path, reference: Path
) -> None:
    # Compliance before quality: C answered 'no' to BPCA membership, so no evaluator marks
    # it; the cover says why; collect expects no rows for it; it is listed, not ranked.
    import openpyxl

    from tender.panel import bidders_to_mark
    from tender.workflows.templates import issue_templates

    bids = project / "bids" / "pest-control-2016" / "bids.csv"
    lines = bids.read_text().splitlines()
    lines = [line.replace(",yes,", ",no,", 1) if line.startswith("C,") else line for line in lines]
    bids.write_text("\n".join(lines) + "\n")
    tender = load_tender(reference)
    to_mark = bidders_to_mark(tender)
    assert [b for b, _ in to_mark.marked] == ["A", "B", "D", "E", "F"]
    assert to_mark.excluded == [
        (
            "C",
            "Company C",
            "failed requirement BPCA (Membership of the British Pest Control Association): "
            "answered 'no'",
        )
    ]
    (issued, *_) = issue_templates(tender)
    wb = openpyxl.load_workbook(issued.path)
    marked = {row[0].value for row in wb["Marking"].iter_rows(min_row=2) if row[0].value}
    assert marked == {"A", "B", "D", "E", "F"}
    cover = [c.value for row in wb["Cover"].iter_rows() for c in row if c.value]
    assert "Not to be marked (failed a pass/fail requirement)" in cover
    assert "C: Company C" in cover


def test_a_blank_answer_is_not_yet_a_failure_and_the_bid_is_marked(
    project: Path, reference: Path
) -> None:
    from tender.panel import bidders_to_mark

    bids = project / "bids" / "pest-control-2016" / "bids.csv"
    lines = bids.read_text().splitlines()
    lines = [line.replace(",yes,", ",,", 1) if line.startswith("C,") else line for line in lines]
    bids.write_text("\n".join(lines) + "\n")
    assert [b for b, _ in bidders_to_mark(load_tender(reference)).marked] == list("ABCDEF")


def test_the_definition_can_ask_for_every_bid_to_be_marked(project: Path, reference: Path) -> None:
    from tender.panel import bidders_to_mark

    bids = project / "bids" / "pest-control-2016" / "bids.csv"
    lines = bids.read_text().splitlines()
    lines = [line.replace(",yes,", ",no,", 1) if line.startswith("C,") else line for line in lines]
    bids.write_text("\n".join(lines) + "\n")
    text = reference.read_text()
    reference.write_text(text.replace("quality:\n", "quality:\n  mark_non_compliant: true\n", 1))
    assert [b for b, _ in bidders_to_mark(load_tender(reference)).marked] == list("ABCDEF")
