"""Collecting returns end to end, and the reference round trip back to Table 1."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tender.audit import read_log, verify_log
from tender.workflows.collect import collect, spread_threshold
from tender.workflows.evaluation import evaluate_file
from tender.workflows.moderate import ingest_moderation

ROOT = Path(__file__).resolve().parents[2]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def events(panel: Any) -> list[str]:
    log = panel.project / "bids" / "pest-control-2016" / "evaluation-log.jsonl"
    return [e["event"] for e in read_log(log)]


def enter_consensus(path: Path, rows: dict[tuple[str, str], tuple[Any, str]]) -> None:
    """Type consensus marks and rationales into the moderation workbook, as the chair would."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Moderation"]
    header = [c.value for c in ws[1]]
    mark_col = header.index("Consensus mark") + 1
    why_col = header.index("Rationale") + 1
    for row in range(2, ws.max_row + 1):
        key = (ws.cell(row, 1).value, ws.cell(row, 3).value)
        if key in rows:
            ws.cell(row, mark_col).value, ws.cell(row, why_col).value = rows[key]
    wb.save(path)


def reference_consensus(project: Path) -> dict[tuple[str, str], tuple[Any, str]]:
    with (project / "bids" / "pest-control-2016" / "moderated.csv").open() as handle:
        return {
            (r["bidder_id"], r["criterion_id"]): (int(r["moderated_mark"]), r["rationale"])
            for r in csv.DictReader(handle)
        }


def test_round_trip_reproduces_table_1_and_flags_b_q2(panel: Any) -> None:
    """Templates → three evaluators' marks (marks.csv) → collect → consensus (moderated.csv)
    → score: the committee report's Table 1 again."""
    consensus = reference_consensus(panel.project)
    for evaluator in ("E1", "E2", "E3"):
        panel.fill(evaluator)
    result = collect(panel.tender, panel.returned)
    assert result.problems == []
    assert sorted(result.accepted) == ["E1", "E2", "E3"]
    assert result.missing == []
    marks_file = panel.project / "bids" / "pest-control-2016" / "marks.csv"
    with marks_file.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 72
    assert list(rows[0]) == ["bidder_id", "criterion_id", "evaluator_id", "mark", "justification"]
    assert {
        (r["evaluator_id"], r["bidder_id"], r["criterion_id"]): int(r["mark"]) for r in rows
    } == panel.marks

    ws = openpyxl.load_workbook(result.moderation_path)["Moderation"]
    header = [c.value for c in ws[1]]
    table = {
        (r[0], r[2]): dict(zip(header, r, strict=True))
        for r in ws.iter_rows(min_row=2, values_only=True)
    }
    b_q2 = table[("B", "Q2")]
    assert (b_q2["E1 mark"], b_q2["E2 mark"], b_q2["E3 mark"]) == (9, 7, 4)
    assert (b_q2["Spread"], b_q2["Discuss?"], b_q2["Median (starting point)"]) == (5, "DISCUSS", 7)
    assert spread_threshold(panel.tender) == 3
    flagged = sorted(k for k, v in table.items() if v["Discuss?"] == "DISCUSS")
    assert ("B", "Q2") in flagged
    assert result.flagged == len(flagged)
    assert all(v["Spread"] >= 3 for k, v in table.items() if k in flagged)
    assert all(v["Spread"] < 3 for k, v in table.items() if k not in flagged)

    enter_consensus(result.moderation_path, consensus)
    (panel.project / "bids" / "pest-control-2016" / "moderated.csv").unlink()
    ingested = ingest_moderation(panel.tender, result.moderation_path)
    assert ingested.rows == 24

    ev = evaluate_file(panel.reference).evaluation
    assert not ev.provisional
    with (ROOT / "tests" / "data" / "reference" / "expected-table-1.csv").open() as handle:
        expected = list(csv.DictReader(handle))
    shown = [round(t, 1) for t in ev.table["total_score"]]
    assert shown == [float(r["total_score"]) for r in expected]
    assert list(ev.table["rank"]) == [int(r["rank"]) for r in expected]
    assert verify_log(panel.project / "bids" / "pest-control-2016" / "evaluation-log.jsonl") == []


def test_one_bad_return_never_loses_the_good_ones(panel: Any) -> None:
    panel.fill("E1")
    panel.fill("E2", edit=lambda wb: wb["Marking"].__setitem__("F14", 7.5))
    panel.fill("E3")
    result = collect(panel.tender, panel.returned)
    assert [str(p) for p in result.problems] == [
        "E2.xlsx: Marking!F14: found 7.5; expected a mark from 0 to 10 (whole marks)"
    ]
    assert sorted(result.accepted) == ["E1", "E3"]
    assert result.missing == ["E2"]
    with result.marks_path.open() as handle:
        assert {r["evaluator_id"] for r in csv.DictReader(handle)} == {"E1", "E3"}
    assert events(panel).count("return_rejected") == 1


def test_returns_are_archived_unchanged_and_never_modified(panel: Any) -> None:
    paths = [panel.fill(e) for e in ("E1", "E2")]
    before = {p.name: (sha(p), p.stat().st_mtime_ns) for p in paths}
    collect(panel.tender, panel.returned)
    assert {p.name: (sha(p), p.stat().st_mtime_ns) for p in paths} == before
    archive = panel.project / "bids" / "pest-control-2016" / "archive"
    archived = {sha(p) for p in archive.iterdir()}
    assert archived == {v[0] for v in before.values()}
    log = panel.project / "bids" / "pest-control-2016" / "evaluation-log.jsonl"
    received = [e for e in read_log(log) if e["event"] == "return_received"]
    assert {e["sha256"] for e in received} == archived
    assert all(e["received_at"].endswith("+00:00") for e in received)


def test_a_newer_return_supersedes_and_the_log_says_so(panel: Any) -> None:
    panel.fill("E1", "E1-first.xlsx", mtime=1_000_000)
    collect(panel.tender, panel.returned)
    newer = panel.fill(
        "E1", "E1-corrected.xlsx", edit=lambda wb: wb["Marking"].__setitem__("F2", 9)
    )
    result = collect(panel.tender, panel.returned)
    statuses = {o.file: o.status for o in result.outcomes}
    assert statuses == {"E1-first.xlsx": "superseded", "E1-corrected.xlsx": "accepted"}
    with result.marks_path.open() as handle:
        first = next(csv.DictReader(handle))
    assert (first["bidder_id"], first["criterion_id"], first["mark"]) == ("A", "Q1", "9")
    log = panel.project / "bids" / "pest-control-2016" / "evaluation-log.jsonl"
    (superseded,) = [e for e in read_log(log) if e["event"] == "return_superseded"]
    assert (superseded["file"], superseded["by"]) == ("E1-first.xlsx", sha(newer))


def test_a_duplicate_return_is_counted_once(panel: Any) -> None:
    path = panel.fill("E2")
    (panel.returned / "E2 (copy).xlsx").write_bytes(path.read_bytes())
    result = collect(panel.tender, panel.returned)
    assert sorted((o.file, o.status) for o in result.outcomes) == [
        ("E2 (copy).xlsx", "duplicate"),
        ("E2.xlsx", "accepted"),
    ]
    assert events(panel).count("return_received") == 1


def test_running_again_logs_nothing_new_and_keeps_earlier_returns(panel: Any) -> None:
    first = panel.fill("E1")
    collect(panel.tender, panel.returned)
    count = len(events(panel))
    collect(panel.tender, panel.returned)
    assert events(panel)[count:] == ["marks_collected"]
    first.unlink()  # moved away after collection: the archived copy still counts
    panel.fill("E2")
    result = collect(panel.tender, panel.returned)
    assert sorted(result.accepted) == ["E1", "E2"]


def test_rerunning_collect_keeps_consensus_already_entered(panel: Any) -> None:
    panel.fill("E1")
    panel.fill("E2")
    result = collect(panel.tender, panel.returned)
    enter_consensus(result.moderation_path, {("B", "Q2"): (7, "Agreed after discussion")})
    panel.fill("E3")
    result = collect(panel.tender, panel.returned)
    ws = openpyxl.load_workbook(result.moderation_path)["Moderation"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "B" and r[2] == "Q2")
    entry = dict(zip(header, row, strict=True))
    assert (entry["E3 mark"], entry["Consensus mark"], entry["Rationale"]) == (
        4,
        7,
        "Agreed after discussion",
    )


def test_a_crash_while_rendering_leaves_earlier_outputs_whole(panel: Any, monkeypatch: Any) -> None:
    marks_file = panel.project / "bids" / "pest-control-2016" / "marks.csv"
    before = marks_file.read_bytes()
    panel.fill("E1")

    def crash(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("power cut")

    monkeypatch.setattr("tender.workflows.collect.write_moderation", crash)
    with pytest.raises(RuntimeError):
        collect(panel.tender, panel.returned)
    assert marks_file.read_bytes() == before
    assert not (panel.project / "bids" / "pest-control-2016" / "moderation.xlsx").exists()
    assert list(marks_file.parent.glob(".*.tmp")) == []


def test_typed_text_cannot_become_a_formula_in_the_marks_file(panel: Any) -> None:
    from tender.safety import set_text

    def typed(wb: Any) -> None:  # text in a text cell, as Excel keeps '=... typed after '
        set_text(wb["Marking"]["G2"], '=HYPERLINK("http://x.test","x")')

    panel.fill("E1", edit=typed)
    result = collect(panel.tender, panel.returned)
    with result.marks_path.open() as handle:
        first = next(csv.DictReader(handle))
    assert first["justification"] == '\'=HYPERLINK("http://x.test","x")'


def test_without_issued_templates_there_is_no_key(project: Path, reference: Path) -> None:
    from tender.errors import TenderError
    from tender.inputs import load_tender

    (project / "returned").mkdir()
    with pytest.raises(TenderError, match=r"no panel key"):
        collect(load_tender(reference), project / "returned")


def test_the_log_records_fingerprints_of_what_was_written(panel: Any) -> None:
    panel.fill("E1")
    result = collect(panel.tender, panel.returned)
    log = panel.project / "bids" / "pest-control-2016" / "evaluation-log.jsonl"
    (entry,) = [e for e in read_log(log) if e["event"] == "marks_collected"]
    assert entry["marks_sha256"] == sha(result.marks_path)
    assert entry["moderation_sha256"] == sha(result.moderation_path)
    assert entry["missing"] == ["E2", "E3"]
    assert json.dumps(entry)  # plain JSON all the way down


def test_reading_on_several_processes_gives_the_same_outcome(panel: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("tender.workflows.collect.PARALLEL_FROM", 1)
    panel.fill("E1")
    panel.fill("E2", edit=lambda wb: wb["Marking"].__setitem__("F14", 7.5))
    seen: list[tuple[int, int]] = []
    result = collect(panel.tender, panel.returned, progress=lambda d, t, n: seen.append((d, t)))
    assert [str(p) for p in result.problems] == [
        "E2.xlsx: Marking!F14: found 7.5; expected a mark from 0 to 10 (whole marks)"
    ]
    assert sorted(result.accepted) == ["E1"]
    assert seen == [(1, 2), (2, 2)]


def test_file_names_and_order_do_not_change_the_outputs(panel: Any, tmp_path: Path) -> None:
    outputs = []
    for names in (("E1.xlsx", "E2.xlsx", "E3.xlsx"), ("z-first.xlsx", "m.xlsx", "a-last.xlsx")):
        for path in panel.returned.iterdir():
            path.unlink()
        for evaluator, name in zip(("E1", "E2", "E3"), names, strict=True):
            panel.fill(evaluator, name)
        for stale in (panel.project / "bids" / "pest-control-2016").glob("moderation.xlsx"):
            stale.unlink()
        result = collect(panel.tender, panel.returned)
        outputs.append((result.marks_path.read_bytes(), result.moderation_path.read_bytes()))
    assert outputs[0] == outputs[1]


def test_an_oversized_file_is_refused_unread_and_not_archived(panel: Any) -> None:
    huge = panel.returned / "E1.xlsx"
    with huge.open("wb") as handle:
        handle.truncate(30 << 20)  # sparse: 30 MB on paper, nothing on disk
    result = collect(panel.tender, panel.returned)
    assert [str(p) for p in result.problems] == [
        "E1.xlsx: found a file of 31,457,280 bytes; expected at most 26,214,400 bytes"
    ]
    assert not (panel.project / "bids" / "pest-control-2016" / "archive").exists()
    collect(panel.tender, panel.returned)
    assert events(panel).count("return_rejected") == 1  # logged once, not on every run


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2016-11-20T10:00:00Z", "2016-11-20T10:00:00+00:00"),
        ("2016-11-20T10:00:00+01:00", "2016-11-20T09:00:00+00:00"),
        ("2016-11-20T10:00:00.123456789Z", "2016-11-20T10:00:00.123456+00:00"),
        ("2016-11-20T10:00:00", "2016-11-20T10:00:00+00:00"),
        ("2016-11-20", "2016-11-20T00:00:00+00:00"),
    ],
)
def test_save_times_are_read_as_instants(text: str, instant: str) -> None:
    from tender.workflows.collect import saved_instant

    moment = saved_instant(text)
    assert moment is not None
    assert moment.isoformat() == instant


@pytest.mark.parametrize(
    "text", ["", "yesterday", "2016-02-30T10:00:00Z", "0001-01-01T00:00:00+01:00"]
)
def test_a_save_time_that_is_no_instant_is_none(text: str) -> None:
    from tender.workflows.collect import saved_instant

    assert saved_instant(text) is None


def test_the_latest_save_wins_by_instant_not_by_text(panel: Any) -> None:
    # As text "…T10:00:00+01:00" sorts after "…T09:30:00Z", but it is half an hour earlier.
    import io
    import re
    import zipfile

    def saved(path: Path, stamp: str) -> None:
        source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = source.read(info)
                if info.filename == "docProps/core.xml":
                    data = re.sub(
                        rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data
                    )
                target.writestr(info.filename, data)
        path.write_bytes(out.getvalue())

    earlier = panel.fill("E1", "E1-a.xlsx")
    saved(earlier, "2016-11-20T10:00:00+01:00")
    later = panel.fill(
        "E1", "E1-b.xlsx", mtime=1_000_000, edit=lambda wb: wb["Marking"].__setitem__("F2", 9)
    )
    saved(later, "2016-11-20T09:30:00Z")
    result = collect(panel.tender, panel.returned)
    statuses = {o.file: o.status for o in result.outcomes}
    assert statuses == {"E1-a.xlsx": "superseded", "E1-b.xlsx": "accepted"}
