"""`publish`: refused while a step is open, validated before writing, recorded when written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tender.errors import TenderInputError
from tender.workflows import publish as publishing
from tender.workflows.publish import publish
from tender.workflows.report import report


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
