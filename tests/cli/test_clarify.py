"""`tender clarify`: interviews recorded, marks revised on a copy, before/after, logged."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from tender.audit import read_log, verify_log
from tender.cli import cli

BIDS = Path("bids") / "pest-control-2016"
HEADER = "bidder_id,interview_date,panel,clarification,criterion_id,revised_mark,rationale\n"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_reference_interviews(runner, reference, project):
    outcomes = project / BIDS / "clarifications.csv"
    inputs = {p: _sha(p) for p in (project / BIDS).glob("*.csv")}
    result = runner.invoke(cli, ["clarify", str(reference), str(outcomes)])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "  A, 2016-11-22, panel: E1 Alister Andrews, E2 Martyn Jeynes, E3 Kevin Metland" in out
    assert "No moderated mark was revised: the ranking stands as moderated, led by A." in out
    folder = project / "reports" / "pest-control-2016" / "clarifications"
    assert sorted(p.name for p in folder.iterdir()) == ["before-after.csv", "clarifications.json"]
    doc = json.loads((folder / "clarifications.json").read_text(encoding="utf-8"))
    assert [i["bidder_id"] for i in doc["interviews"]] == ["A", "B"]
    assert doc["revisions"] == []
    assert {p: _sha(p) for p in (project / BIDS).glob("*.csv")} == inputs
    log = project / BIDS / "evaluation-log.jsonl"
    (entry,) = list(read_log(log))
    assert entry["event"] == "clarification interviews"
    assert entry["leaders_before"] == entry["leaders_after"] == ["A"]
    assert entry["inputs"]["bids/pest-control-2016/clarifications.csv"] == _sha(outcomes)
    again = runner.invoke(cli, ["clarify", str(reference), str(outcomes)])
    assert again.exit_code == 0
    assert "Already in the log: nothing appended" in again.stderr
    assert len(list(read_log(log))) == 1


def test_revised_mark_changes_the_ranking_without_touching_the_moderated_file(
    runner, reference, project
):
    moderated = project / BIDS / "moderated.csv"
    original = _sha(moderated)
    outcomes = project / BIDS / "round-2.csv"
    outcomes.write_text(
        HEADER + "B,2016-11-29,E1;E3,Survey method set out in writing,Q1,7,"
        '"=Survey now evidenced, with targets"\n',
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["clarify", str(reference), str(outcomes)])
    assert result.exit_code == 0, result.stderr
    assert "  B Q1: 5 → 7: =Survey now evidenced, with targets" in result.stdout
    assert "1 moderated mark revised; first place moves from A to B." in result.stdout
    assert _sha(moderated) == original
    folder = project / "reports" / "pest-control-2016" / "clarifications"
    with (folder / "before-after.csv").open(encoding="utf-8") as handle:
        rows = {r["bidder_id"]: r for r in csv.DictReader(handle)}
    assert (rows["B"]["rank_before"], rows["B"]["rank_after"]) == ("2", "1")
    assert abs(float(rows["B"]["total_after"]) - 81.5) < 1e-9
    with (folder / "moderated-after-clarification.csv").open(encoding="utf-8") as handle:
        revised = list(csv.DictReader(handle))
    b_q1 = next(r for r in revised if (r["bidder_id"], r["criterion_id"]) == ("B", "Q1"))
    assert b_q1["moderated_mark"] == "7"
    assert b_q1["rationale"].startswith("Revised from 5 after the clarification interview")
    assert len(revised) == 24
    (entry,) = list(read_log(project / BIDS / "evaluation-log.jsonl"))
    assert entry["revisions"][0]["from"] == 5
    assert entry["leaders_after"] == ["B"]
    assert verify_log(project / BIDS / "evaluation-log.jsonl") == []


def test_bad_outcomes_write_nothing(runner, reference, project):
    outcomes = project / BIDS / "bad.csv"
    outcomes.write_text(HEADER + "A,yesterday,E1,Asked,Q1,4.5,Because\n", encoding="utf-8")
    result = runner.invoke(cli, ["clarify", str(reference), str(outcomes)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: bids/pest-control-2016/bad.csv: line 2 (bidder A), column interview_date: "
        "found 'yesterday'; expected a date such as 2016-11-22",
        "error: bids/pest-control-2016/bad.csv: line 2 (bidder A), column revised_mark: "
        "found mark 4.5; expected a mark from 0 to 10 (whole marks)",
        "2 problems found; nothing was written.",
    ]
    assert not (project / "reports").exists()
    assert not (project / BIDS / "evaluation-log.jsonl").exists()


def test_outcomes_default_to_the_definition(runner, reference):
    result = runner.invoke(cli, ["clarify", str(reference)])
    assert result.exit_code == 0, result.stderr
    assert "No moderated mark was revised" in result.stdout
    text = reference.read_text(encoding="utf-8")
    reference.write_text(
        "\n".join(line for line in text.splitlines() if "clarifications:" not in line) + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["clarify", str(reference)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "error: criteria/pest-control-2016.yaml: data.clarifications: found no outcomes file "
        "given and none in the definition; expected an OUTCOMES argument, or "
        "data.clarifications naming the file"
    )


def test_output_folder_may_not_replace_an_input(runner, reference, project):
    outcomes = project / BIDS / "before-after.csv"
    outcomes.write_text(
        (project / BIDS / "clarifications.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    original = _sha(outcomes)
    result = runner.invoke(
        cli, ["clarify", str(reference), str(outcomes), "--out", str(project / BIDS)]
    )
    assert result.exit_code == 1
    assert "would replace an input" in result.stderr
    assert _sha(outcomes) == original


def test_text_that_excel_would_run_is_neutralised(runner, reference, project):
    bids = project / BIDS / "bids.csv"
    bids.write_text(
        bids.read_text(encoding="utf-8").replace("B,Company B,", 'B,"=HYPERLINK(""x"")",'),
        encoding="utf-8",
    )
    result = runner.invoke(
        cli, ["clarify", str(reference), str(project / BIDS / "clarifications.csv")]
    )
    assert result.exit_code == 0, result.stderr
    folder = project / "reports" / "pest-control-2016" / "clarifications"
    with (folder / "before-after.csv").open(encoding="utf-8") as handle:
        rows = {r["bidder_id"]: r for r in csv.DictReader(handle)}
    assert rows["B"]["bidder"] == '\'=HYPERLINK("x")'


def test_check_validates_the_outcomes_the_definition_names(runner, reference, project):
    result = runner.invoke(cli, ["check", str(reference)])
    assert result.exit_code == 0, result.stderr
    assert "bids/pest-control-2016/clarifications.csv" in result.stdout
    (project / BIDS / "clarifications.csv").write_text(
        HEADER + "A,2016-13-01,E1,Asked,,,\n", encoding="utf-8"
    )
    result = runner.invoke(cli, ["check", str(reference)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "error: bids/pest-control-2016/clarifications.csv: line 2 (bidder A), column "
        "interview_date: found '2016-13-01'; expected a date such as 2016-11-22"
    )


def test_a_log_linked_to_the_definition_is_not_appended_through(runner, reference, project):
    log = project / BIDS / "evaluation-log.jsonl"
    log.symlink_to(reference)
    before = _sha(reference)
    result = runner.invoke(cli, ["clarify", str(reference)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: bids/pest-control-2016/evaluation-log.jsonl: found a symbolic link; expected a "
        "regular file or a new file name (outputs never follow links)",
        "1 problem found; nothing was written.",
    ]
    assert "Traceback" not in result.output
    assert _sha(reference) == before
    assert not (project / "reports").exists()


def test_a_hard_link_to_an_input_in_the_output_folder_is_refused(runner, reference, project):
    out = project / "reports" / "elsewhere"
    out.mkdir(parents=True)
    (out / "before-after.csv").hardlink_to(project / BIDS / "bids.csv")
    before = _sha(project / BIDS / "bids.csv")
    result = runner.invoke(cli, ["clarify", str(reference), "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: reports/elsewhere/before-after.csv: --out: found the same file as "
        "bids/pest-control-2016/bids.csv, which is an input of this evaluation; expected "
        "another output path (an output that would replace an input is refused)",
        "1 problem found; nothing was written.",
    ]
    assert _sha(project / BIDS / "bids.csv") == before
