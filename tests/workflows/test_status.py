"""`status`: every stage done or open, derived from the inputs and the log alone."""

from __future__ import annotations

import json
from pathlib import Path

from tender.workflows.publish import publish
from tender.workflows.report import report
from tender.workflows.status import Stage, Status, status
from tender.workflows.templates import templates

STAGES = [
    "templates",
    "returns",
    "conflicts",
    "evaluation",
    "moderation",
    "ranking",
    "near-ties",
    "abnormal-prices",
    "dates",
    "clarifications",
    "report",
    "publication",
    "standstill",
]


def states(found) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {s.stage: s.state for s in found.stages}


def test_the_reference_is_done_at_every_stage_once_reported_and_published(
    reference: Path,
) -> None:
    report(reference)
    publish(reference)
    found = status(reference)
    assert [s.stage for s in found.stages] == STAGES
    assert set(states(found).values()) == {"done"}
    assert all(s.items == [] for s in found.stages)
    assert found.next_command == "nothing: every stage is done"


def test_without_the_interview_record_the_near_ties_are_the_open_items(
    project: Path, reference: Path
) -> None:
    (project / "bids" / "pest-control-2016" / "clarifications.csv").unlink()
    found = status(reference)
    (near_ties,) = [s for s in found.stages if s.stage == "near-ties"]
    assert near_ties.state == "open"
    assert [item.split(":")[0] for item in near_ties.items] == ["bidder A", "bidder B"]
    assert found.next_command == "tender clarify criteria/pest-control-2016.yaml"


def test_a_report_is_stale_once_an_input_changes(project: Path, reference: Path) -> None:
    report(reference)
    bids = project / "bids" / "pest-control-2016" / "bids.csv"
    bids.write_text(bids.read_text().replace("Company C", "Company C Ltd"))
    (stage,) = [s for s in status(reference).stages if s.stage == "report"]
    assert stage.state == "open"
    assert stage.items == ["bids/pest-control-2016/bids.csv: changed since the report was written"]


def test_templates_issued_and_returns_missing_are_named(project: Path, reference: Path) -> None:
    templates(reference, evaluators=["E1", "E2"])
    found = states(status(reference))
    assert (found["templates"], found["returns"]) == ("open", "not started")
    (stage,) = [s for s in status(reference).stages if s.stage == "templates"]
    assert stage.items == ["evaluator E3: no template issued"]


def test_the_json_is_a_stable_contract(reference: Path) -> None:
    document = json.loads(status(reference).json())
    assert list(document) == ["tender", "stages", "next_command"]
    assert list(document["stages"][0]) == ["stage", "state", "detail", "items"]


def test_a_definition_with_lots_keeps_the_contracts_key_order() -> None:
    lot = Status("T-1", [Stage("evaluation", "done", "5 bids ranked")], "tender score", lot="2")
    whole = Status(
        "T-1", [Stage("allocation", "open", "by lot_order", ["x"])], "tender status", lots=(lot,)
    )
    assert whole.json() == (
        "{\n"
        '  "tender": "T-1",\n'
        '  "stages": [\n'
        "    {\n"
        '      "stage": "allocation",\n'
        '      "state": "open",\n'
        '      "detail": "by lot_order",\n'
        '      "items": [\n'
        '        "x"\n'
        "      ]\n"
        "    }\n"
        "  ],\n"
        '  "next_command": "tender status",\n'
        '  "lots": [\n'
        "    {\n"
        '      "tender": "T-1",\n'
        '      "lot": "2",\n'
        '      "stages": [\n'
        "        {\n"
        '          "stage": "evaluation",\n'
        '          "state": "done",\n'
        '          "detail": "5 bids ranked",\n'
        '          "items": []\n'
        "        }\n"
        "      ],\n"
        '      "next_command": "tender score"\n'
        "    }\n"
        "  ]\n"
        "}"
    )


def test_rows_without_a_consensus_are_named_while_marks_are_provisional(panel) -> None:  # type: ignore[no-untyped-def]

    moderated = panel.tender.resolve(panel.tender.data.moderated)
    Path(moderated).unlink()  # the meeting has not agreed the marks yet
    panel.collect_all()
    (stage,) = [s for s in status(panel.tender).stages if s.stage == "moderation"]
    assert stage.state == "open"
    assert stage.items[1] == "bidder A, criterion Q1: no consensus mark yet"
    assert stage.items[-1] == "14 more rows without a consensus mark"


def test_the_publication_is_a_stage_not_started_then_done_then_stale(
    project: Path, reference: Path
) -> None:
    def stage() -> tuple[str, str, list[str]]:
        (found,) = [s for s in status(reference).stages if s.stage == "publication"]
        return found.state, found.detail, found.items

    assert stage() == ("not started", "no release package written yet", [])
    publish(reference)
    state, detail, items = stage()
    assert (state, items) == ("done", [])
    assert detail.startswith("written ")
    assert detail.endswith("; its inputs are unchanged")
    moderated = project / "bids" / "pest-control-2016" / "moderated.csv"
    moderated.write_text(moderated.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    state, detail, items = stage()
    assert state == "open"
    assert detail.endswith(": stale")
    assert items == [
        "bids/pest-control-2016/moderated.csv: changed since the publication was written"
    ]


def test_once_reported_the_next_command_is_publish(reference: Path) -> None:
    report(reference)
    assert status(reference).next_command == "tender publish criteria/pest-control-2016.yaml"
