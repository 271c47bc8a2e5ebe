"""Ingesting the panel's consensus: on the scale, with a rationale where it leaves the median."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tender.audit import read_log
from tender.errors import TenderInputError
from tender.workflows.collect import collect
from tender.workflows.moderate import ingest_moderation


@pytest.fixture
def moderation(panel: Any) -> Path:
    for evaluator in ("E1", "E2", "E3"):
        panel.fill(evaluator)
    path = collect(panel.tender, panel.returned).moderation_path
    assert path is not None
    return path


def fill(
    path: Path, consensus: dict[tuple[str, str], tuple[Any, Any]] | None = None
) -> dict[str, str]:
    """Consensus = median everywhere (no rationale needed), then the given overrides.

    The consensus is column N and the rationale column O."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Moderation"]
    header = [c.value for c in ws[1]]
    median, mark, why = (
        header.index(h) + 1 for h in ("Median (starting point)", "Consensus mark", "Rationale")
    )
    for row in range(2, ws.max_row + 1):
        ws.cell(row, mark).value = ws.cell(row, median).value
        key = (ws.cell(row, 1).value, ws.cell(row, 3).value)
        if consensus and key in consensus:
            ws.cell(row, mark).value, ws.cell(row, why).value = consensus[key]
    wb.save(path)
    # A-D ids and names, E-J three evaluators' marks and notes, K spread, L flag, M median.
    assert (ws.cell(1, mark).column_letter, ws.cell(1, why).column_letter) == ("N", "O")


def errors(panel: Any, path: Path) -> list[str]:
    with pytest.raises(TenderInputError) as caught:
        ingest_moderation(panel.tender, path)
    return [str(p) for p in caught.value.problems]


def test_medians_need_no_rationale_and_are_written_as_moderated_marks(
    panel: Any, moderation: Path
) -> None:
    fill(moderation)
    result = ingest_moderation(panel.tender, moderation)
    assert (result.rows, result.differing) == (24, 0)
    with result.path.open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "bidder_id",
        "criterion_id",
        "moderated_mark",
        "rationale",
        "feedback",
    ]
    b_q2 = next(r for r in rows if (r["bidder_id"], r["criterion_id"]) == ("B", "Q2"))
    assert b_q2["moderated_mark"] == "7"  # median of 9, 7, 4


def test_a_consensus_off_the_scale_names_its_cell(panel: Any, moderation: Path) -> None:
    # Row 7 is bidder B, criterion Q2 (rows: header, A Q1-Q4, B Q1, B Q2).
    fill(moderation, {("B", "Q2"): (11, "Strong portal")})
    before = (panel.project / "bids" / "pest-control-2016" / "moderated.csv").read_bytes()
    assert errors(panel, moderation) == [
        "moderation.xlsx: Moderation!N7: found 11; expected a mark from 0 to 10 (whole marks)"
    ]
    assert (panel.project / "bids" / "pest-control-2016" / "moderated.csv").read_bytes() == before


def test_a_consensus_away_from_the_median_needs_a_rationale(panel: Any, moderation: Path) -> None:
    fill(moderation, {("B", "Q2"): (8, None)})
    assert errors(panel, moderation) == [
        "moderation.xlsx: Moderation!O7: found consensus 8 differing from the median 7 "
        "and no rationale; expected a rationale saying why the panel agreed a different mark"
    ]


def test_text_and_blank_consensus_cells(panel: Any, moderation: Path) -> None:
    fill(moderation, {("A", "Q1"): ("four", "x"), ("A", "Q2"): (None, None)})
    assert errors(panel, moderation) == [
        "moderation.xlsx: Moderation!N2: found 'four' (not a number); expected a mark "
        "from 0 to 10 (whole marks)",
        "moderation.xlsx: Moderation!N3: found no consensus mark; expected a mark from "
        "0 to 10 (whole marks)",
    ]


def test_changes_from_the_previous_consensus_are_logged_with_the_reason(
    panel: Any, moderation: Path
) -> None:
    fill(moderation)
    ingest_moderation(panel.tender, moderation)
    fill(moderation, {("B", "Q2"): (8, "Appendix 4 shows live reporting")})
    assert ingest_moderation(panel.tender, moderation).changed == 1
    log = panel.project / "bids" / "pest-control-2016" / "evaluation-log.jsonl"
    last = [e for e in read_log(log) if e["event"] == "moderation_ingested"][-1]
    assert last["changes"] == [
        {
            "bidder_id": "B",
            "criterion_id": "Q2",
            "from": 7.0,
            "to": 8.0,
            "rationale": "Appendix 4 shows live reporting",
        }
    ]


def test_individual_marks_are_untouched_by_moderation(panel: Any, moderation: Path) -> None:
    marks = panel.project / "bids" / "pest-control-2016" / "marks.csv"
    before = marks.read_bytes()
    fill(moderation, {("B", "Q2"): (8, "Appendix 4")})
    ingest_moderation(panel.tender, moderation)
    assert marks.read_bytes() == before


def test_a_moderation_workbook_of_another_tender_is_refused(panel: Any, moderation: Path) -> None:
    other = panel.reference.read_text().replace("MBC-PEST-2016", "SBC-WASTE-2017")
    panel.reference.write_text(other)
    from tender.inputs import load_tender

    with pytest.raises(TenderInputError) as caught:
        ingest_moderation(load_tender(panel.reference), moderation)
    assert [str(p) for p in caught.value.problems] == [
        "moderation.xlsx: Identity sheet: found a moderation workbook for tender 'MBC-PEST-2016'; "
        "expected one for this tender, 'SBC-WASTE-2017'"
    ]


def _marks_file(panel: Any, rows: list[tuple[str, str, str, str]]) -> None:
    path = panel.tender.resolve(panel.tender.data.marks)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["bidder_id", "criterion_id", "evaluator_id", "mark"])
        writer.writerows(rows)


def test_the_median_is_the_one_the_workbook_showed(panel: Any) -> None:
    # Four evaluators: the median of 2, 3, 6, 9 is 4.5 (the mean of the middle two), and an
    # evaluator who gave no mark is left out: the median of 2 and 8 is 5.
    from tender.workflows.moderate import medians

    _marks_file(
        panel,
        [
            ("A", "Q1", "E1", "2"),
            ("A", "Q1", "E2", "9"),
            ("A", "Q1", "E3", "3"),
            ("A", "Q1", "E4", "6"),
            ("B", "Q1", "E1", "2"),
            ("B", "Q1", "E2", "8"),
        ],
    )
    assert medians(panel.tender) == {("A", "Q1"): 4.5, ("B", "Q1"): 5.0}


def test_a_second_mark_by_one_evaluator_is_refused_naming_its_row(panel: Any) -> None:
    from tender.workflows.moderate import medians

    _marks_file(panel, [("A", "Q1", "E1", "2"), ("A", "Q1", "E2", "9"), ("A", "Q1", "E1", "7")])
    with pytest.raises(TenderInputError) as caught:
        medians(panel.tender)
    (problem,) = caught.value.problems
    assert problem.where == "row 4"
    assert "a second mark for A, Q1, E1" in str(problem)
