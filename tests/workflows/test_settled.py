"""One settled result: a clarification revision reaches score, sensitivity, the report and
the letters alike, and the report shows before and after."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tender.report.letters import letter_content
from tender.workflows.evaluation import evaluate_file
from tender.workflows.report import report
from tender.workflows.score import score
from tender.workflows.sensitivity import sensitivity

OUTCOMES = Path("bids") / "pest-control-2016" / "clarifications.csv"


def revise_a_q1(project: Path) -> None:
    """The interview with A revises its Q1 mark from 4 to 6 (Q1 weight 12, scale 10)."""
    path = project / OUTCOMES
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[1][4:7] = ["Q1", "6", "Targets for every KPI confirmed at interview."]
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_a_revision_changes_every_output_alike(project: Path, reference: Path) -> None:
    revise_a_q1(project)
    # hand-computed: A's Q1 score moves from 12 × 4/10 = 4.8 to 12 × 6/10 = 7.2, so its
    # total moves 2.4 points, from Table 1's 80.3 to 82.7
    scored = score(reference)
    with (scored.folder / "results.csv").open(newline="") as handle:
        totals = {r["bidder_id"]: r["total_score"] for r in csv.DictReader(handle)}
    assert totals["A"] == "82.7"
    assert "bids/pest-control-2016/clarifications.csv" in scored.run.evaluation.fingerprints
    analysed = sensitivity(reference)
    assert (
        analysed.loaded.evaluation.table.set_index("bidder_id").loc["A", "total_score"]
        == (scored.run.evaluation.table.set_index("bidder_id").loc["A", "total_score"])
    )
    ev = evaluate_file(reference).evaluation
    assert "| 82.7" in letter_content(ev, "B").text()
    reported = report(reference, letters=False)
    assert reported.run.before is not None
    from tender.report.content import report_content
    from tender.report.narrative import load_narrative

    run = reported.run
    assert run.before is not None
    assert run.outcomes is not None
    doc = report_content(run.evaluation, load_narrative(ev.tender), (run.before, run.outcomes))
    text = doc.text()
    assert "Appendix F: Clarification: marks revised, and the result before and after" in text
    assert "Goodwin Pest Management) | Q1 Performance measurement | 4 | 6" in text
    assert "| 80.3 | 82.7 |" in text
    record = json.loads((reported.folder / "runs.jsonl").read_text().splitlines()[-1])
    assert "bids/pest-control-2016/clarifications.csv" in record["inputs"]


def test_without_revisions_the_report_has_no_before_and_after(reference: Path) -> None:
    run = evaluate_file(reference)
    assert run.before is None
    assert run.outcomes is not None
    assert len(run.outcomes.interviews) == 2
