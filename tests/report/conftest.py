"""Fixtures for report tests: the reference evaluation and a synthetic tender builder."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tender.bidders import supplier_map
from tender.model import Tender
from tender.report.narrative import Narrative, load_narrative
from tender.scoring import Evaluation, evaluate
from tender.workflows.evaluation import evaluate_file

LONG_NAME = (
    "Northern and Western Integrated Environmental Hygiene and Pest Management Services "
    "Partnership Limited"
)


@pytest.fixture
def reference_ev(reference: Path) -> Evaluation:
    """The pest-control reference tender, evaluated from the copied project."""
    return evaluate_file(reference).evaluation


@pytest.fixture
def reference_narrative(reference_ev: Evaluation) -> Narrative:
    """The reference narrative file."""
    return load_narrative(reference_ev.tender)


def definition(regime: str = "pcr2015", **overrides: Any) -> dict[str, Any]:
    """A tender definition as data: price 60 (lowest price), quality 40 with sub-criteria."""
    data: dict[str, Any] = {
        "schema_version": 1,
        "tender": {
            "reference": "SYN-1",
            "title": "Grounds maintenance",
            "authority": "Example District Council",
            "regime": regime,
            "service": "grounds maintenance",
        },
        "contract": {"start": date(2025, 6, 2), "initial_years": 4, "extension_years": 1},
        "weights": {"price": 60.0, "quality": 40.0},
        "price": {"formula": {"name": "lowest_price"}},
        "quality": {
            "scale": {
                "maximum": 5.0,
                "descriptors": {
                    0.0: "Unacceptable: no response",
                    1.0: "Poor: significant concerns",
                    2.0: "Weak: some concerns",
                    3.0: "Satisfactory: meets the requirement",
                    4.0: "Good: meets the requirement with added value",
                    5.0: "Excellent: exceeds the requirement",
                },
            },
            "criteria": [
                {
                    "id": "Q1",
                    "title": "Method statement",
                    "weight": 20.0,
                    "sub_criteria": [
                        {"id": "Q1a", "title": "Staffing", "weight": 12.0},
                        {"id": "Q1b", "title": "Equipment", "weight": 8.0},
                    ],
                },
                {"id": "Q2", "title": "Social value", "weight": 12.0},
                {"id": "Q3", "title": "Contract management", "weight": 8.0},
            ],
        },
        "panel": [
            {"id": "E1", "role": "Parks Manager", "name": "Ann Example"},
            {"id": "E2", "role": "Procurement Officer", "name": "Bob Example"},
        ],
        "data": {"bids": "bids.csv"},
        "letters": {
            "sent": date(2025, 4, 17),
            "award_notice": date(2025, 4, 17),
            "signatory": "Carol Example",
            "criteria_at": "the invitation to tender, part 3",
        },
    }
    data.update(overrides)
    return data


def synthetic(
    count: int = 40, regime: str = "pcr2015", *, long_names: bool = True, seed: int = 7
) -> Evaluation:
    """An evaluated tender of `count` bids with marks, rationales and (optionally) long names."""
    tender = Tender.model_validate(definition(regime))
    rng = np.random.default_rng(seed)
    ids = [f"S{i:02d}" for i in range(1, count + 1)]
    names = [f"{LONG_NAME} {i}" if long_names else f"Bidder {i}" for i in ids]
    bids = pd.DataFrame(
        {
            "bidder_id": ids,
            "bidder": names,
            "price": rng.integers(80_000, 160_000, count).astype(float),
            "legal_name": [f"{name} Limited" for name in names],
            "address": [f"{n} Example Street, Exampletown EX{n} 1AA" for n in range(1, count + 1)],
            "email": [f"tenders@{i.lower()}.example.co.uk" for i in ids],
            "identifier_scheme": ["GB-COH"] * count,
            "identifier_id": [f"{n:08d}" for n in range(1, count + 1)],
        }
    )
    leaves = [c.id for c in tender.quality.leaves()]
    marks = rng.integers(1, 6, (count, len(leaves)))
    moderated = pd.DataFrame(
        [
            {
                "bidder_id": b,
                "criterion_id": c,
                "moderated_mark": str(marks[i, j]),
                "rationale": f"{b} {c}: section {j + 2}.{i + 1} of the tender evidences "
                f"{['rota cover', 'fleet age', 'local apprentices', 'monthly reviews'][j]}.",
                "feedback": f"{b} {c}: section {j + 2}.{i + 1} of the tender evidences "
                f"{['rota cover', 'fleet age', 'local apprentices', 'monthly reviews'][j]}.",
            }
            for i, b in enumerate(ids)
            for j, c in enumerate(leaves)
        ]
    )
    ev = evaluate(tender, bids, None, moderated)
    return dataclasses.replace(ev, suppliers=supplier_map(bids))


@pytest.fixture
def make_evaluation() -> Callable[..., Evaluation]:
    """Builder of synthetic evaluations: make_evaluation(count, regime, long_names=...)."""
    return synthetic
