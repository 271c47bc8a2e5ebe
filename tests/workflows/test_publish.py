"""`publish`: refused while a step is open, validated before writing, recorded when written."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tender.errors import TenderInputError
from tender.ocds_schema import LOTS_EXTENSION, validate_package
from tender.workflows import publish as publishing
from tender.workflows.publish import publish
from tender.workflows.report import report
from tender.workflows.score import score


def test_the_reference_is_published_into_its_reports_folder(project: Path, reference: Path) -> None:
    done = publish(reference)
    folder = project / "reports" / "pest-control-2016"
    assert done.folder == folder
    assert sorted(p.name for p in done.written) == [
        "contracts-register.csv",
        "ocds-release-package.json",
    ]
    package = json.loads((folder / "ocds-release-package.json").read_text(encoding="utf-8"))
    assert package["releases"][0]["ocid"] == "ocds-h6vhtk-MBC-PEST-2016"
    (entry,) = [
        json.loads(line)
        for line in (folder / "runs.jsonl").read_text(encoding="utf-8").splitlines()
        if '"published"' in line
    ]
    assert entry["outputs"] == ["contracts-register.csv", "ocds-release-package.json"]
    assert "bids/pest-control-2016/bids.csv" in entry["inputs"]
    assert done.warnings[0] == (
        "contracts-register.csv: bids/pest-control-2016/bids.csv address is not set; "
        "the register shows [NOT SET: bids/pest-control-2016/bids.csv address]"
    )


def test_the_award_report_is_listed_once_written_from_the_same_inputs(
    project: Path, reference: Path
) -> None:
    def documents() -> list[str]:
        publish(reference)
        folder = project / "reports" / "pest-control-2016"
        package = json.loads((folder / "ocds-release-package.json").read_text(encoding="utf-8"))
        return [d["id"] for d in package["releases"][0]["awards"][0].get("documents", [])]

    assert documents() == []
    report(reference, letters=False)
    assert documents() == ["award-report"]
    bids = project / "bids" / "pest-control-2016" / "bids.csv"
    bids.write_text(bids.read_text(encoding="utf-8").replace("Company C", "Company C Ltd"))
    assert documents() == [], "a report from other inputs is not this award's report"


def test_refused_naming_each_open_item_and_nothing_is_written(
    project: Path, reference: Path
) -> None:
    (project / "bids" / "pest-control-2016" / "clarifications.csv").unlink()
    with pytest.raises(TenderInputError) as raised:
        publish(reference)
    assert [(p.file, p.where) for p in raised.value.problems] == [
        ("criteria/pest-control-2016.yaml", "bidder A"),
        ("criteria/pest-control-2016.yaml", "bidder B"),
    ]
    assert not (project / "reports").exists()


def test_the_keys_a_package_needs_are_named(project: Path, reference: Path) -> None:
    text = reference.read_text(encoding="utf-8")
    text = text.replace("  ocid_prefix: ocds-h6vhtk\n", "").replace("  uri: https://www.", "  # ")
    reference.write_text(text, encoding="utf-8")
    with pytest.raises(TenderInputError) as raised:
        publish(reference)
    assert [p.where for p in raised.value.problems] == [
        "publication.ocid_prefix",
        "publication.uri",
    ]
    assert not (project / "reports").exists()


def test_an_invalid_package_is_never_written(
    project: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(facts, written):  # type: ignore[no-untyped-def]
        package = real(facts, written)
        package["releases"][0]["bids"]["details"][1]["status"] = "shortlisted"
        return package

    real = publishing.ocds.release_package
    monkeypatch.setattr(publishing.ocds, "release_package", broken)
    with pytest.raises(TenderInputError) as raised:
        publish(reference)
    (problem,) = raised.value.problems
    assert problem.file == "ocds-release-package.json"
    assert problem.where == "$.releases[0].bids.details[1].status"
    assert not (project / "reports").exists()


def test_out_writes_elsewhere_and_twice_gives_the_same_bytes(
    reference: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    publish(reference, first)
    publish(reference, second)
    for name in ("ocds-release-package.json", "contracts-register.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


@pytest.fixture
def cleaning(tmp_path: Path) -> Path:
    """The schedule-of-rates example (pa2023), with the keys a package needs."""
    name = "office-cleaning-2026"
    root = Path(__file__).resolve().parents[2]
    (tmp_path / "criteria").mkdir()
    definition = tmp_path / "criteria" / f"{name}.yaml"
    text = (root / "criteria" / f"{name}.yaml").read_text(encoding="utf-8")
    text += "publication:\n  ocid_prefix: ocds-abc123\n  uri: https://example.org/clean.json\n"
    definition.write_text(text, encoding="utf-8")
    shutil.copytree(root / "bids" / name, tmp_path / "bids" / name)
    return definition


def release_of(done: publishing.Publicised) -> dict[str, Any]:
    package = json.loads((done.folder / publishing.PACKAGE).read_text(encoding="utf-8"))
    release: dict[str, Any] = package["releases"][0]
    return release


def test_a_schedule_publishes_the_evaluated_basket_as_the_bid_and_no_invented_award_value(
    cleaning: Path,
) -> None:
    done = publish(cleaning)
    release = release_of(done)
    details = {d["id"]: d for d in release["bids"]["details"]}
    # A wins: 250×85 + 12×420 + 52×65.50 + 40×28 = 30816 a year, × 3 years = 92448
    # (the trace's exact figure; bids.csv has no price column at all)
    assert details["bid-A"]["value"] == {"amount": 92448, "currency": "GBP"}
    assert [i for i, d in details.items() if "value" in d] == ["bid-A"]
    (award,) = release["awards"]
    assert "value" not in award, "the basket at indicative volumes is not the contract's value"
    assert (
        "contracts-register.csv: contract.estimated_value is not set; "
        "the register shows [NOT SET: contract.estimated_value]"
    ) in done.warnings
    edit = cleaning.read_text(encoding="utf-8").replace(
        "  initial_years: 3\n", "  initial_years: 3\n  estimated_value: 95000\n"
    )
    cleaning.write_text(edit, encoding="utf-8")
    release = release_of(publish(cleaning))
    assert release["awards"][0]["value"] == {"amount": 95000, "currency": "GBP"}
    assert release["bids"]["details"][0]["value"]["amount"] == 92448


def test_a_disqualified_bid_carries_the_rule_it_did_not_meet(cleaning: Path) -> None:
    details = {d["id"]: d for d in release_of(publish(cleaning))["bids"]["details"]}
    assert [i for i, d in details.items() if d["status"] == "disqualified"] == ["bid-D"]
    (document,) = details["bid-D"]["documents"]
    assert document["description"] == (
        "The bid did not meet the pass/fail requirement SAFE: Health and safety "
        "accreditation (SafeContractor or equivalent)."
    )
    assert "documents" not in details["bid-A"]


LOTS = "cleaning-lots-2026"


@pytest.fixture
def lots_example(tmp_path: Path) -> Path:
    """The lots example (three lots, at most 1 lot per bidder, best_total), publishable."""
    root = Path(__file__).resolve().parents[2]
    (tmp_path / "criteria").mkdir()
    definition = tmp_path / "criteria" / f"{LOTS}.yaml"
    text = (root / "criteria" / f"{LOTS}.yaml").read_text(encoding="utf-8")
    if "ocid_prefix" not in text:
        text += "publication:\n  ocid_prefix: ocds-abc123\n  uri: https://example.org/lots.json\n"
    definition.write_text(text, encoding="utf-8")
    shutil.copytree(root / "bids" / LOTS, tmp_path / "bids" / LOTS)
    return definition


def test_the_lots_example_publishes_one_valid_package_with_its_lots(lots_example: Path) -> None:
    done = publish(lots_example)
    package = json.loads((done.folder / publishing.PACKAGE).read_text(encoding="utf-8"))
    assert validate_package(package) == []
    assert LOTS_EXTENSION in package["extensions"]
    (release,) = package["releases"]
    lots = release["tender"]["lots"]
    assert [(lot["id"], lot["status"]) for lot in lots] == [
        ("1", "complete"),
        ("2", "complete"),
        ("3", "complete"),
    ]
    assert lots[2]["title"] == "Window cleaning at every site"
    assert release["tender"]["lotDetails"]["maximumLotsAwardedPerSupplier"] == 1


def test_the_lots_awards_bids_and_parties_match_the_lots_results(lots_example: Path) -> None:
    scored = score(lots_example)
    folder = scored.folder
    allocation = json.loads((folder / "allocation.json").read_text(encoding="utf-8"))
    release = release_of(publish(lots_example))
    # the allocation, worked by hand in tests/test_example_lots.py: {1: C, 2: A, 3: B}
    assert [(a["relatedLots"], a["suppliers"][0]["id"]) for a in release["awards"]] == [
        ([lot["lot_id"]], f"tenderer-{lot['bidder_id']}") for lot in allocation["lots"]
    ]
    assert [a["relatedBid"] for a in release["awards"]] == ["bid-1-C", "bid-2-A", "bid-3-B"]
    details = release["bids"]["details"]
    expected = []
    for lot_id in ("1", "2", "3"):
        results = json.loads(
            (folder / "lots" / lot_id / "results.json").read_text(encoding="utf-8")
        )
        expected += [
            (f"bid-{lot_id}-{b['bidder_id']}", [lot_id], "valid" if b["rank"] else "disqualified")
            for b in results["bids"]
        ]
    assert [(d["id"], d["relatedLots"], d["status"]) for d in details] == expected
    # lot 2: C fails SAFE; the winners' bid values are their baskets, by hand:
    # lot 1 C (250×45 + 12×150) × 2 = 26100; lot 2 A (250×42 + 12×210) × 2 = 26040;
    # lot 3 B 24×160 × 2 = 7680
    assert [(d["id"], d["value"]["amount"]) for d in details if "value" in d] == [
        ("bid-1-C", 26100),
        ("bid-2-A", 26040),
        ("bid-3-B", 7680),
    ]
    parties = {p["id"]: p["roles"] for p in release["parties"]}
    assert parties == {
        "buyer": ["buyer"],
        "tenderer-A": ["tenderer", "supplier"],
        "tenderer-B": ["tenderer", "supplier"],
        "tenderer-C": ["tenderer", "supplier"],
    }
    assert release["tender"]["numberOfTenderers"] == 3
    # under a schedule of rates the basket is not the contract's value: each award's value
    # is its lot's own estimated value, as the definition states it; the tender's the whole
    assert [a["value"] for a in release["awards"]] == [
        {"amount": 55000, "currency": "GBP"},
        {"amount": 56000, "currency": "GBP"},
        {"amount": 16000, "currency": "GBP"},
    ]
    assert [lot["value"]["amount"] for lot in release["tender"]["lots"]] == [55000, 56000, 16000]
    assert release["tender"]["value"]["amount"] == 127000


def test_the_register_row_of_a_lot_shows_its_estimated_value(lots_example: Path) -> None:
    done = publish(lots_example)
    with (done.folder / publishing.REGISTER).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["Reference number"], r["Total value"], r["Value basis"]) for r in rows] == [
        ("EX-CLEAN-LOTS-2026 lot 1", "55000", "the lot's estimated whole-life value"),
        ("EX-CLEAN-LOTS-2026 lot 2", "56000", "the lot's estimated whole-life value"),
        ("EX-CLEAN-LOTS-2026 lot 3", "16000", "the lot's estimated whole-life value"),
    ]
    assert not [w for w in done.warnings if "estimated_value" in w]


def test_a_lot_without_an_estimated_value_is_left_unset_with_a_warning_naming_its_key(
    lots_example: Path,
) -> None:
    text = lots_example.read_text(encoding="utf-8")
    lots_example.write_text(text.replace("    estimated_value: 56000\n", ""), encoding="utf-8")
    done = publish(lots_example)
    release = release_of(done)
    assert ["value" in a for a in release["awards"]] == [True, False, True]
    assert ["value" in lot for lot in release["tender"]["lots"]] == [True, False, True]
    with (done.folder / publishing.REGISTER).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[1]["Total value"] == "[NOT SET: lots[1].estimated_value]"
    assert (
        "contracts-register.csv: lots[1].estimated_value is not set; the register shows "
        "[NOT SET: lots[1].estimated_value]"
    ) in done.warnings


def test_a_lot_left_unawarded_has_no_award_or_register_row_and_losers_stay_anonymous(
    lots_example: Path,
) -> None:
    text = lots_example.read_text(encoding="utf-8")
    text = text.replace("allocation: best_total", "allocation: lot_order")
    text = text.replace("\npublication:\n", "\npublication:\n  anonymise_unsuccessful: true\n")
    lots_example.write_text(text, encoding="utf-8")
    done = publish(lots_example)
    release = release_of(done)
    # lot order: lot 1 A; lot 2 A is at the cap, so B; lot 3 both at the cap: not awarded
    assert [lot["status"] for lot in release["tender"]["lots"]] == [
        "complete",
        "complete",
        "unsuccessful",
    ]
    assert [a["id"] for a in release["awards"]] == ["award-1-A", "award-2-B"]
    names = {p["id"]: p["name"] for p in release["parties"]}
    assert names["tenderer-C"] == "Company C", "C wins no lot: its label in every lot"
    assert names["tenderer-B"] == "Citywide Facilities Ltd", "named: it is awarded lot 2"
    assert {r["name"] for d in release["bids"]["details"] for r in d["tenderers"]} == {
        "Brightway Cleaning Ltd",
        "Citywide Facilities Ltd",
        "Company C",
    }
    register = (done.folder / publishing.REGISTER).read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[0] for line in register[1:]] == [
        "EX-CLEAN-LOTS-2026 lot 1",
        "EX-CLEAN-LOTS-2026 lot 2",
    ]
    assert "Clearview" not in publishing.ocds.text_of(
        json.loads((done.folder / publishing.PACKAGE).read_text(encoding="utf-8"))
    )


def test_the_lots_package_holds_no_rationale_mark_or_note(lots_example: Path) -> None:
    done = publish(lots_example)
    text = (done.folder / publishing.PACKAGE).read_text(encoding="utf-8")
    held = []
    for path in sorted((lots_example.parents[1] / "bids" / LOTS).rglob("*.csv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                held += [
                    row[c]
                    for c in ("rationale", "feedback", "justification", "note")
                    if len(row.get(c) or "") > 12
                ]
    assert len(held) > 10, "the example has rationales to hold back"
    assert [t for t in held if t in text] == []
    for word in ("rationale", "feedback", "justification", "moderat"):
        assert word not in text.casefold(), word


def test_a_bids_column_every_lot_lacks_is_one_warning_naming_each_lots_file(
    lots_example: Path,
) -> None:
    done = publish(lots_example)
    files = ", ".join(f"bids/{LOTS}/lot-{n}/bids.csv" for n in (1, 2)) + (
        f" and bids/{LOTS}/lot-3/bids.csv"
    )
    for column in ("sme", "vcse"):
        said = [w for w in done.warnings if f" {column} " in w]
        assert said == [
            f"contracts-register.csv: {column} is not set in {files}; the register shows "
            f"[NOT SET: <bids file> {column}] on each of their rows"
        ]
    # the definition's own gaps are said once, as for a tender without lots
    assert [w for w in done.warnings if "publication.department" in w] == [
        "contracts-register.csv: publication.department is not set; the register shows "
        "[NOT SET: publication.department]"
    ]
    with (done.folder / publishing.REGISTER).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["SME"] for r in rows] == [
        f"[NOT SET: bids/{LOTS}/lot-{n}/bids.csv sme]" for n in (1, 2, 3)
    ]


def test_a_bids_column_one_lot_gives_is_warned_only_for_the_others(lots_example: Path) -> None:
    bids = lots_example.parents[1] / "bids" / LOTS / "lot-1" / "bids.csv"
    lines = bids.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",sme"] + [line + ",yes" for line in lines[1:]]
    bids.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = publish(lots_example)
    assert [w for w in done.warnings if " sme " in w] == [
        f"contracts-register.csv: sme is not set in bids/{LOTS}/lot-2/bids.csv and "
        f"bids/{LOTS}/lot-3/bids.csv; the register shows [NOT SET: <bids file> sme] on each "
        "of their rows"
    ]
