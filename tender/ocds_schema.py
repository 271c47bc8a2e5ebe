"""Validate an OCDS 1.1 release package offline, against the schemas bundled in the package.

The core schemas' `$ref`s are web addresses; without a registry jsonschema would fetch them.
Here every schema is read from `tender/data/ocds/` (package data), the release schema is
patched with each extension the package declares (JSON Merge Patch, RFC 7386, as OCDS
defines extensions), and the `referencing` registry refuses any address it does not hold,
so validation never touches the network. An extension that is not bundled is an error.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from referencing import Registry

CORE = "https://standard.open-contracting.org/schema/1__1__5/"
RELEASE_SCHEMA = CORE + "release-schema.json"
PACKAGE_SCHEMA = CORE + "release-package-schema.json"
BIDS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_bid_extension/v1.1.5/extension.json"
)
LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_lots_extension/v1.1.5/extension.json"
)
UK_EXTENSION = (
    "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json"
)
# Extension URL → bundled folder, in the order they patch the core schema (the UK profile
# builds on the bids extension, and adds a field to the lots extension's `lotDetails`).
EXTENSIONS: dict[str, str] = {
    BIDS_EXTENSION: "bids-extension",
    LOTS_EXTENSION: "lots-extension",
    UK_EXTENSION: "uk-extension",
}
# Open codelists the package uses, checked too: the schema checks only closed ones.
CODELISTS: dict[str, str] = {
    "partyRole": "core/partyRole.csv",
    "documentType": "core/documentType.csv",
    "currency": "core/currency.csv",
    "method": "core/method.csv",
}


class SchemaRefused(Exception):
    """A reference the bundled schemas cannot resolve: never fetched from the network."""


@dataclass(frozen=True)
class Violation:
    """One way the package breaks the schema: where (a JSON path) and what."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _read(relative: str) -> bytes:
    return (resources.files("tender") / "data" / "ocds" / relative).read_bytes()


def _json(relative: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(_read(relative))
    return loaded


@cache
def codes(codelist: str) -> frozenset[str]:
    """The codes of a bundled codelist (its `Code` column)."""
    text = _read(CODELISTS[codelist]).decode("utf-8-sig")
    return frozenset(row["Code"] for row in csv.DictReader(io.StringIO(text)))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: `patch` applied to a copy of `target` (null removes a key)."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def release_schema(extensions: tuple[str, ...]) -> dict[str, Any]:
    """The core release schema patched by each declared extension, in the bundled order.

    Raises:
        SchemaRefused: an extension that is not bundled.
    """
    unknown = [url for url in extensions if url not in EXTENSIONS]
    if unknown:
        raise SchemaRefused(
            f"extension {unknown[0]} is not bundled; expected one of {', '.join(EXTENSIONS)}"
        )
    schema: dict[str, Any] = _json("core/release-schema.json")
    for url, folder in EXTENSIONS.items():
        if url in extensions:
            schema = merge_patch(schema, _json(f"{folder}/release-schema.json"))
    return schema


def _refuse(uri: str) -> Any:
    raise SchemaRefused(f"{uri}: not a bundled schema (nothing is fetched over the network)")


def registry(extensions: tuple[str, ...]) -> Registry[Any]:
    """The bundled package and (extended) release schemas under their own addresses; any
    other address is refused, never retrieved.

    Raises:
        SchemaRefused: an extension that is not bundled.
    """
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    resource_list = [
        (PACKAGE_SCHEMA, _json("core/release-package-schema.json")),
        (RELEASE_SCHEMA, release_schema(extensions)),
    ]
    empty: Registry[Any] = Registry(retrieve=_refuse)  # type: ignore[call-arg]
    return empty.with_resources(
        (uri, Resource.from_contents(contents, default_specification=DRAFT4))
        for uri, contents in resource_list
    )


def validate_package(package: Mapping[str, Any]) -> list[Violation]:
    """Every way `package` breaks the release-package schema and its extensions.

    Raises:
        SchemaRefused: a declared extension or a `$ref` the bundled schemas do not hold.
    """
    from jsonschema import Draft4Validator

    declared = package.get("extensions", [])
    extensions = tuple(str(u) for u in declared) if isinstance(declared, list) else ()
    validator = Draft4Validator(
        _json("core/release-package-schema.json"),
        registry=registry(extensions),
        format_checker=Draft4Validator.FORMAT_CHECKER,
    )
    found = [
        Violation(error.json_path, error.message)
        for error in sorted(validator.iter_errors(package), key=lambda e: e.json_path)
    ]
    return found + _codelist_violations(package)


def _codelist_violations(package: Mapping[str, Any]) -> list[Violation]:
    out: list[Violation] = []
    for r, release in enumerate(package.get("releases") or []):
        if not isinstance(release, Mapping):
            continue
        base = f"$.releases[{r}]"
        for p, party in enumerate(release.get("parties") or []):
            for k, role in enumerate(party.get("roles") or []):
                _check(out, "partyRole", role, f"{base}.parties[{p}].roles[{k}]")
        for path, document in _documents(release, base):
            _check(out, "documentType", document.get("documentType"), f"{path}.documentType")
        tender = release.get("tender") or {}
        _check(out, "method", tender.get("procurementMethod"), f"{base}.tender.procurementMethod")
        for path, value in _values(release, base):
            _check(out, "currency", value.get("currency"), f"{path}.currency")
    return out


def _check(out: list[Violation], codelist: str, code: Any, where: str) -> None:
    if code is not None and code not in codes(codelist):
        out.append(Violation(where, f"{code!r} is not a code of the {codelist} codelist"))


def _walk(node: Any, path: str) -> list[tuple[str, Any]]:
    """Every (JSON path, value) pair under `node`."""
    pairs = [(path, node)]
    if isinstance(node, Mapping):
        for key, value in node.items():
            pairs += _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            pairs += _walk(value, f"{path}[{index}]")
    return pairs


def _documents(release: Mapping[str, Any], base: str) -> list[tuple[str, Mapping[str, Any]]]:
    return [
        (path, value)
        for path, value in _walk(release, base)
        if isinstance(value, Mapping) and path.rsplit(".", 1)[-1].startswith("documents[")
    ]


def _values(release: Mapping[str, Any], base: str) -> list[tuple[str, Mapping[str, Any]]]:
    return [
        (path, value)
        for path, value in _walk(release, base)
        if isinstance(value, Mapping) and path.endswith(".value")
    ]
