"""`publish`: refused while a step is open, validated before writing, recorded when written."""

from __future__ import annotations

import json
from pathlib import Path

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
