"""`tender sensitivity`: the robustness report as a procurement officer reads it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tender.cli import cli


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_text_report_for_the_reference(runner, reference, project):
    before = _hashes(project)
    result = runner.invoke(cli, ["sensitivity", str(reference)])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Leader: A (Goodwin Pest Management)." in out
    assert "  at 47.37 the lead passes from B to A" in out
    assert "  at the set weight A leads, for every price weight from 47.37 to 100.00" in out
    assert "  ties first place (1 mark):" in out
    assert "    A Q1 4 → 3 (-1.20 points): first place A and B" in out
    assert "    B Q1 5 → 6 (+1.20 points): first place A and B" in out
    assert "  changes the leader (2 marks):" in out
    assert "  points margin (2): A, B" in out
    assert "  evaluator ranges overlap: A 76.6-83.5, B 74.9-83.3" in out
    assert "  A v B: FRAGILE. A leads by 1.20 points." in out
    assert "  no swap among the remaining bids, whichever bid is removed" in out
    assert "Q2 0.44 LOW: discuss first" in out
    # Under highest_offer the screens are off unless switched on: a high offer is the aim.
    assert "Abnormal prices: not screened under highest_offer, where a high offer is the aim" in out
    assert "abnormally high" not in out
    assert result.stderr == ""
    assert _hashes(project) == before  # reads only; writes nothing


def test_json_report(runner, reference):
    result = runner.invoke(cli, ["sensitivity", str(reference), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["leaders"] == ["A"]
    crossing = doc["price_weight"]["crossovers"][-1]
    assert (crossing["before"], crossing["after"]) == ("B", "A")
    assert abs(crossing["price_weight"] - 47.368421) < 1e-6
    ties = doc["mark_changes"]["smallest_tie"]
    assert [(c["bidder_id"], c["criterion_id"], c["from"], c["to"]) for c in ties] == [
        ("A", "Q1", 4, 3),
        ("B", "Q1", 5, 6),
    ]
    assert doc["near_ties"]["points_margin"]["flagged"] == ["A", "B"]
    assert doc["near_ties"]["evaluator_range"]["flagged"] == ["A", "B"]
    assert doc["verdicts"][0]["robust"] is False
    assert [w["without"] for w in doc["leave_one_out"]] == [None, "E1", "E2", "E3"]
    assert not any(w["leader_changed"] for w in doc["leave_one_out"])


def use_decisions(project, reference, rows: str) -> None:
    """Screens on, and the reference definition pointed at a decisions file holding `rows`."""
    from tests.conftest import use_decisions as screened

    screened(reference, rows)


def test_recorded_decision_appears(runner, reference, project):
    use_decisions(
        project,
        reference,
        "bidder_id,explanation,decision,reason,decided_on\n"
        "A,Guaranteed income confirmed at interview,accepted,,2016-11-22\n",
    )
    result = runner.invoke(cli, ["sensitivity", str(reference)])
    assert result.exit_code == 0, result.stderr
    assert "  A: abnormally high: ACCEPTED" in result.stdout
    assert "    explanation: Guaranteed income confirmed at interview" in result.stdout
    assert "  B: abnormally high: EXPLANATION REQUIRED" in result.stdout


def test_bad_decisions_file_is_an_input_error(runner, reference, project):
    use_decisions(
        project,
        reference,
        "bidder_id,explanation,decision,reason,decided_on\nA,Checked,perhaps,,\n",
    )
    result = runner.invoke(cli, ["sensitivity", str(reference)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[0].endswith(
        "abnormal-decisions.csv: line 2 (bidder A), column decision: found 'perhaps'; "
        "expected accepted or rejected"
    )


def test_unknown_definition_field_is_refused(runner, reference):
    text = reference.read_text(encoding="utf-8").replace(
        "  margin: 2.0\n", "  margin: 2.0\n  corrdor: 5\n"
    )
    reference.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["sensitivity", str(reference)])
    assert result.exit_code == 1
    assert "near_tie.corrdor" in result.stderr
    assert "found unknown field 'corrdor'" in result.stderr


def test_new_definition_fields_are_validated_with_their_lines(runner, reference):
    text = reference.read_text(encoding="utf-8").replace(
        "  margin: 2.0\n",
        "  margin: 2.0\n  corridor:\n    percent: 5\n    decide_by: lowest_price\n",
    )
    text += "abnormally_low:\n  basis: average\n  percent: 120\n"
    reference.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["sensitivity", str(reference)])
    assert result.exit_code == 1
    lines = [line.split(": ", 2)[2] for line in result.stderr.splitlines()[:3]]
    assert lines[0].startswith("near_tie.corridor.decide_by (line ")
    assert lines[0].endswith(
        "found 'lowest_price' (str); expected 'higher_quality' or 'better_price'"
    )
    assert lines[1].endswith("found 'average' (str); expected 'mean' or 'median'")
    assert lines[2].startswith("abnormally_low.percent (line ")
    assert lines[2].endswith("found '120' (int); expected less than 100")


def test_a_rejected_bid_is_excluded_everywhere(runner, reference, project):
    use_decisions(
        project,
        reference,
        "bidder_id,explanation,decision,reason,decided_on\n"
        "A,No evidence the income can be sustained,rejected,Offer not sustainable,2016-11-22\n",
    )
    result = runner.invoke(cli, ["score", str(reference), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    bids = {b["bidder_id"]: b for b in json.loads(result.stdout)["bids"]}
    assert bids["A"]["rank"] is None
    assert bids["A"]["notes"][0] == (
        "Excluded from ranking: rejected after review of its abnormal price: Offer not sustainable."
    )
    # B now holds the highest compliant offer, so it takes the full 60.
    assert bids["B"]["rank"] == 1
    assert bids["B"]["price_score"] == 60.0
    inputs = [i["path"] for i in json.loads(result.stdout)["inputs"]]
    assert "bids/pest-control-2016/abnormal-decisions.csv" in inputs
    robustness = runner.invoke(cli, ["sensitivity", str(reference)])
    assert robustness.exit_code == 0, robustness.stderr
    assert "Leader: B" in robustness.stdout


def test_progress_is_shown_on_a_terminal_only(runner, reference, project):
    import sys

    import pytest

    if sys.platform == "win32":
        pytest.skip("pseudo-terminals are POSIX")
    from tests.test_terminal import on_a_terminal

    code, drawn = on_a_terminal(["sensitivity", str(reference)], project)
    assert code == 0, drawn
    assert "Testing the ranking's robustness" in drawn
    result = runner.invoke(cli, ["sensitivity", str(reference)])
    assert result.exit_code == 0
    assert "Testing the ranking" not in result.output
    assert result.stdout.splitlines()[0] in drawn  # the same report follows
