"""Evaluating a definition with lots lot by lot, and `--lot` choosing the lot a command uses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tender.errors import TenderInputError
from tender.workflows.evaluation import evaluate_file
from tender.workflows.lots import evaluate_lots_file, lot_definition

ROOT = Path(__file__).resolve().parents[2]
NAME = "cleaning-lots-2026"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "lots"
    (root / "criteria").mkdir(parents=True)
    shutil.copy(ROOT / "criteria" / f"{NAME}.yaml", root / "criteria")
    shutil.copytree(ROOT / "bids" / NAME, root / "bids" / NAME)
    return root / "criteria" / f"{NAME}.yaml"


def problems(call: object) -> list[tuple[str, str, str, str]]:
    assert callable(call)
    with pytest.raises(TenderInputError) as caught:
        call()
    return [(p.file, p.where, p.found, p.expected) for p in caught.value.problems]


def test_every_lot_is_run_through_the_one_load_and_evaluate_path(example: Path) -> None:
    run = evaluate_lots_file(example)
    assert run.evaluation.lot_ids == ["1", "2", "3"]
    assert [r.evaluation.tender.slug for r in run.runs] == [f"{NAME}-1", f"{NAME}-2", f"{NAME}-3"]
    assert [r.evaluation for r in run.runs] == list(run.evaluation.lots)
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
            "check, score or sensitivity, which evaluate every lot, or a command's --lot; "
            "report and publish do not yet support lots",
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
