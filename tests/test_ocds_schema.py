"""The bundled OCDS schemas: unmodified, complete with licences, and used without a network."""

from __future__ import annotations

import hashlib
import socket
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from referencing.exceptions import Unretrievable

from tender import ocds_schema
from tender.ocds_schema import (
    BIDS_EXTENSION,
    LOTS_EXTENSION,
    RELEASE_SCHEMA,
    UK_EXTENSION,
    SchemaRefused,
    merge_patch,
    registry,
    release_schema,
    validate_package,
)

DATA = Path(str(resources.files("tender") / "data" / "ocds"))


def minimal(**release: Any) -> dict[str, Any]:
    return {
        "uri": "https://example.org/package.json",
        "version": "1.1",
        "extensions": [BIDS_EXTENSION, UK_EXTENSION],
        "publishedDate": "2016-12-14T00:00:00Z",
        "publisher": {"name": "Example District Council"},
        "releases": [
            {
                "ocid": "ocds-abc123-X",
                "id": "ocds-abc123-X-award-1",
                "date": "2016-12-14T00:00:00Z",
                "tag": ["award"],
                "initiationType": "tender",
                **release,
            }
        ],
    }


def test_every_bundled_file_is_the_unmodified_copy_listed_in_its_sums() -> None:
    listed = {}
    for line in (DATA / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ")
        listed[name] = digest
    found = {
        p.relative_to(DATA).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in DATA.rglob("*")
        if p.is_file() and p.parent != DATA
    }
    assert found == listed


def test_each_source_comes_with_its_licence() -> None:
    assert "Apache License" in (DATA / "core" / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in (DATA / "bids-extension" / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in (DATA / "uk-extension" / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in (DATA / "lots-extension" / "LICENSE").read_text(encoding="utf-8")


def test_merge_patch_follows_rfc_7386() -> None:
    # RFC 7386 section 3's example
    target = {"a": "b", "c": {"d": "e", "f": "g"}}
    patch = {"a": "z", "c": {"f": None}}
    assert merge_patch(target, patch) == {"a": "z", "c": {"d": "e"}}
    assert target == {"a": "b", "c": {"d": "e", "f": "g"}}, "the target is not changed"
    assert merge_patch({"a": ["b"]}, {"a": ["c"]}) == {"a": ["c"]}, "arrays are replaced"


def test_the_extensions_add_their_fields_to_the_release_schema() -> None:
    core = release_schema(())
    extended = release_schema((BIDS_EXTENSION, UK_EXTENSION))
    assert "bids" not in core["properties"]
    assert "bids" in extended["properties"]
    award = extended["definitions"]["Award"]["properties"]
    assert {"relatedBid", "standstillPeriod", "assessmentSummariesDateSent"} <= set(award)
    assert "title" in award, "core fields survive the patches"


def test_an_extension_not_bundled_is_refused() -> None:
    with pytest.raises(SchemaRefused, match="ocds_metrics_extension"):
        release_schema(("https://example.org/ocds_metrics_extension/extension.json",))


def test_the_lots_extension_adds_lots_and_related_lots_and_the_uk_profile_builds_on_it() -> None:
    extended = release_schema((BIDS_EXTENSION, LOTS_EXTENSION, UK_EXTENSION))
    tender = extended["definitions"]["Tender"]["properties"]
    assert {"lots", "lotDetails"} <= set(tender)
    # the UK profile's field joins the lots extension's in lotDetails (patched after it)
    assert {"maximumLotsAwardedPerSupplier", "noLotsDivisionRationale"} <= set(
        tender["lotDetails"]["properties"]
    )
    for name in ("Award", "Bid"):
        assert "relatedLots" in extended["definitions"][name]["properties"]
    assert (
        "lots"
        not in release_schema((BIDS_EXTENSION, UK_EXTENSION))["definitions"]["Tender"]["properties"]
    )


def test_a_declared_lots_extension_checks_the_lots() -> None:
    lots = {"tender": {"id": "X", "lots": [{"id": "1", "status": "awarded"}]}}
    package = minimal(**lots)
    package["extensions"] = [BIDS_EXTENSION, LOTS_EXTENSION, UK_EXTENSION]
    found = [str(v) for v in validate_package(package)]
    assert len(found) == 1
    assert found[0].startswith(
        "$.releases[0].tender.lots[0].status: 'awarded' is not one of ['planning'"
    )
    package["releases"][0]["tender"]["lots"][0]["status"] = "complete"
    assert validate_package(package) == []


def test_a_minimal_package_validates() -> None:
    assert validate_package(minimal()) == []


def test_schema_and_codelist_violations_are_named_by_json_path() -> None:
    package = minimal(
        bids={"details": [{"id": "bid-A", "status": "accepted"}]},
        awards=[{"id": "award-A", "relatedBid": 7, "standstillPeriod": {"endDate": "soon"}}],
        parties=[{"id": "buyer", "roles": ["buyer", "owner"]}],
    )
    found = [str(v) for v in validate_package(package)]
    assert found == [
        "$.releases[0].awards[0].relatedBid: 7 is not of type 'string', 'null'",
        "$.releases[0].awards[0].standstillPeriod.endDate: 'soon' is not a 'date-time'",
        "$.releases[0].bids.details[0].status: 'accepted' is not one of ['invited', 'pending', "
        "'valid', 'disqualified', 'withdrawn', None]",
        "$.releases[0].parties[0].roles[1]: 'owner' is not a code of the partyRole codelist",
    ]


def test_a_uri_and_a_missing_field_are_checked() -> None:
    package = minimal()
    package["uri"] = "https://exa mple.org/<package>"
    del package["publisher"]
    found = [str(v) for v in validate_package(package)]
    assert found == [
        "$: 'publisher' is a required property",
        "$.uri: 'https://exa mple.org/<package>' is not a 'uri'",
    ]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every attempt to open a connection is recorded and refused."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, a))  # type: ignore[arg-type]
    return attempts


def test_validation_touches_no_network(no_network: list[object]) -> None:
    ocds_schema.codes.cache_clear()
    assert validate_package(minimal(parties=[{"id": "b", "roles": ["buyer"]}])) == []
    assert no_network == []


def test_an_address_not_bundled_is_refused_not_fetched(no_network: list[object]) -> None:
    held = registry((BIDS_EXTENSION,))
    assert held.get_or_retrieve(RELEASE_SCHEMA).value.contents["properties"]["bids"]
    with pytest.raises(Unretrievable) as raised:
        held.get_or_retrieve("https://standard.open-contracting.org/schema/1__1__5/x.json")
    assert isinstance(raised.value.__cause__, SchemaRefused)
    assert no_network == []
