"""Evaluating a definition with lots lot by lot, and `--lot` choosing the lot a command uses."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tender.errors import TenderInputError
from tender.workflows.evaluation import evaluate_file
from tender.workflows.lots import evaluate_lots_file, lot_definition
from tests.conftest import copy_example

ROOT = Path(__file__).resolve().parents[2]
NAME = "cleaning-lots-2026"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "lots"
    return copy_example(NAME, root)


def problems(call: object) -> list[tuple[str, str, str, str]]:
    assert callable(call)
    with pytest.raises(TenderInputError) as caught:
        call()
    return [(p.file, p.where, p.found, p.expected) for p in caught.value.problems]


def test_every_lot_is_run_through_the_one_load_and_evaluate_path(example: Path) -> None:
    run = evaluate_lots_file(example)
    assert run.evaluation.lot_ids == ["1", "2", "3"]
    assert [r.evaluation.tender.slug for r in run.runs] == [f"{NAME}-1", f"{NAME}-2", f"{NAME}-3"]
    # each lot's evaluation is its run's, carrying the award the allocation gave it
    assert [r.evaluation for r in run.runs] == [
        replace(ev, award=None) for ev in run.evaluation.lots
    ]
    assert [ev.award for ev in run.evaluation.lots] == list(run.evaluation.allocation.awards)
    # each lot's fingerprints name its own files, not another lot's
    assert all(
        f"lot-{i}/bids.csv" in " ".join(r.evaluation.fingerprints)
        for i, r in zip("123", run.runs, strict=True)
    )
    assert not run.evaluation.provisional


def test_problems_in_several_lots_are_all_named_with_their_files(example: Path) -> None:
    folder = example.parent.parent / "bids" / NAME
    (folder / "lot-1" / "prices.csv").write_text("bidder_id,line_id,rate\nA,C1,-5\n", "utf-8")
    (folder / "lot-3" / "bids.csv").unlink()
    files = {file for file, *_ in problems(lambda: evaluate_lots_file(example))}
    assert f"bids/{NAME}/lot-1/prices.csv" in files
    assert f"bids/{NAME}/lot-3/bids.csv" in files


def test_a_lots_definition_is_not_evaluated_as_one_tender(example: Path) -> None:
    assert problems(lambda: evaluate_file(example)) == [
        (
            f"criteria/{NAME}.yaml",
            "lots",
            "a definition with lots (1, 2, 3)",
            "check, score, sensitivity, report or publish, which evaluate every lot, or a "
            "command's --lot",
        )
    ]


def test_lot_definition_requires_a_lot_on_lots_and_refuses_one_without(
    example: Path, reference: Path
) -> None:
    assert lot_definition(example, "2").this_lot is not None
    assert lot_definition(reference, None).this_lot is None
    assert problems(lambda: lot_definition(example, None)) == [
        (f"criteria/{NAME}.yaml", "--lot", "no --lot", "--lot naming one of its lots: 1, 2, 3")
    ]
    assert problems(lambda: lot_definition(example, "4")) == [
        (f"criteria/{NAME}.yaml", "--lot", "--lot 4", "one of its lots: 1, 2, 3")
    ]
    assert problems(lambda: lot_definition(reference, "1")) == [
        (
            "criteria/pest-control-2016.yaml",
            "--lot",
            "--lot 1",
            "no --lot: this definition has no lots",
        )
    ]


def test_a_definition_without_lots_has_no_lots_to_evaluate(reference: Path) -> None:
    assert problems(lambda: evaluate_lots_file(reference)) == [
        (
            "criteria/pest-control-2016.yaml",
            "lots",
            "a definition without lots",
            "a definition with lots",
        )
    ]


def test_score_writes_every_lot_and_the_allocation_as_one_recorded_run(example: Path) -> None:
    from tender.audit import check_log
    from tender.workflows.score import LotsScored, score

    scored = score(example)
    assert isinstance(scored, LotsScored)
    folder = example.parent.parent / "reports" / NAME
    assert scored.folder == folder
    assert scored.lot_folder("2") == folder / "lots" / "2"
    (entry,) = check_log(folder / "runs.jsonl").entries
    assert entry["event"] == "scored"
    assert "lots/3/results.json" in entry["outputs"]
    assert "allocation.csv" in entry["outputs"]
    assert f"bids/{NAME}/lot-2/moderated.csv" in entry["inputs"]


def test_score_never_writes_over_a_lots_input(example: Path) -> None:
    from tender.files import OutputRefused
    from tender.workflows.score import score

    out = example.parent.parent / "bids" / NAME / "lot-1"
    before = (out / "bids.csv").read_bytes()
    (out / "lots" / "1").mkdir(parents=True)
    (out / "lots" / "1" / "results.csv").symlink_to(out / "bids.csv")
    with pytest.raises(OutputRefused):
        score(example, out)
    assert (out / "bids.csv").read_bytes() == before


def test_check_before_marking_says_which_lots_are_ready_for_templates(example: Path) -> None:
    from tender.workflows.check import check

    for lot in ("lot-1", "lot-2", "lot-3"):
        for name in ("marks.csv", "moderated.csv"):
            (example.parent.parent / "bids" / NAME / lot / name).unlink()
    checked = check(example)
    assert checked.ready_for == "templates"
    assert [c.run for c in checked.lots] == [None, None, None]
    assert checked.allocation is None
    assert checked.bids == 8


def test_status_shows_each_lots_stages_and_names_the_lot_in_the_next_step(example: Path) -> None:
    from tender.workflows.status import status

    for name in ("marks.csv", "moderated.csv"):
        (example.parent.parent / "bids" / NAME / "lot-2" / name).unlink()
    found = status(example)
    assert [lot.lot for lot in found.lots] == ["1", "2", "3"]
    assert found.next_command == f"tender templates criteria/{NAME}.yaml --lot 2"
    (allocation,) = found.stages
    assert (allocation.stage, allocation.state) == ("allocation", "open")
    assert allocation.items == ["lot 2: not yet evaluated"]
    document = found.document()
    assert [lot["lot"] for lot in document["lots"]] == ["1", "2", "3"]
    assert "report" not in {s["stage"] for s in document["lots"][0]["stages"]}


def test_sensitivity_analyses_every_lot_and_names_every_lots_problems(example: Path) -> None:
    from tender.workflows.sensitivity import LotsAnalysed, sensitivity

    analysed = sensitivity(example)
    assert isinstance(analysed, LotsAnalysed)
    assert [a.loaded.evaluation.tender.this_lot.id for a in analysed.lots] == ["1", "2", "3"]
    assert [a.bidder_id for a in analysed.allocation.allocation.awards] == ["C", "A", "B"]
    for lot in ("lot-1", "lot-3"):
        (example.parent.parent / "bids" / NAME / lot / "prices.csv").unlink()
    files = {file for file, *_ in problems(lambda: sensitivity(example))}
    assert {f"bids/{NAME}/lot-1/prices.csv", f"bids/{NAME}/lot-3/prices.csv"} <= files


def test_status_shows_the_whole_procurements_publication_once_every_lot_is_evaluated(
    example: Path,
) -> None:
    """The release package covers every lot: status reads it against every lot's inputs,
    so a change to one lot's bids makes it stale."""
    from tender.workflows.publish import publish
    from tender.workflows.status import status

    stages = {s.stage: s for s in status(example).stages}
    assert [*stages] == ["allocation", "report", "publication"]
    assert stages["publication"].state == "not started"
    publish(example)
    stages = {s.stage: s for s in status(example).stages}
    assert stages["publication"].state == "done"
    bids = example.parent.parent / "bids" / NAME / "lot-3" / "bids.csv"
    bids.write_text(bids.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    stale = {s.stage: s for s in status(example).stages}["publication"]
    assert stale.state == "open"
    assert stale.items == [f"bids/{NAME}/lot-3/bids.csv: changed since the publication was written"]
