"""`tender publish`'s twin: the award as open data and the contracts register row.

Writes `ocds-release-package.json` (OCDS 1.1 with the bids and UK extensions) and
`contracts-register.csv` (Local Government Transparency Code 2015) into reports/<tender>/.
A procurement divided into lots gives one package (`tender.lots`, each bid with its lot,
an award per awarded lot as the allocation decided) and a register row per awarded lot.
Like every issued document it is refused while the evaluation says a step is open, naming
each open item (of every lot); the package is validated against the bundled schemas
before anything is written, and an invalid package is never written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import ocds
from ..errors import Problem, raise_if
from ..inputs import display_path, load_tender, project_root
from ..model import Tender
from ..ocds_schema import validate_package
from ..publication import LotAward, Published, published
from ..register import register_csv, register_row
from .evaluation import Run, evaluate_file
from .lots import LotsRun, evaluate_lots_file
from .runs import changed_inputs, last_run, write_and_record, write_and_record_for

PACKAGE = "ocds-release-package.json"
REGISTER = "contracts-register.csv"
REPORT_PDF = "award-report.pdf"
EXPECTED_VALID = "a release package valid against OCDS 1.1.5 and its extensions"


@dataclass(frozen=True)
class Publicised:
    """What `publish` wrote, and the register's facts left unset (one warning each)."""

    run: Run | LotsRun
    folder: Path
    written: list[Path]
    warnings: list[str]


def publish(definition: str | Path | Tender, out: Path | None = None) -> Publicised:
    """Write the OCDS release package and the contracts register row for the award.

    Raises:
        TenderInputError: an open item of the evaluation, a key the package needs, a bad
            bidder detail, a package the schema refuses, or a target the gate refuses;
            in every case nothing is written.
    """
    loaded = definition if isinstance(definition, Tender) else load_tender(definition)
    if loaded.lots:
        return _publish_lots(loaded, out)
    run = evaluate_file(loaded)
    ev = run.evaluation
    tender = ev.tender
    root = project_root(tender)
    source = display_path(tender.source, root) if tender.source else tender.tender.reference
    problems = [Problem(source, i.subject, i.found, i.expected) for i in run.open_items()]
    problems += ocds.missing_keys(tender, source)
    raise_if(problems)
    bids_name = run.inputs.names.get("bids", "bids")
    facts = published(ev, run.inputs.bids, bids_name, run.inputs.decisions)
    folder = out or root / "reports" / tender.slug
    package = ocds.release_package(facts, _written(folder, ev.fingerprints))
    files = _files(folder, package, [facts])
    written = write_and_record(
        ev, folder, files, "published", out=out, doing="write the publication"
    )
    return Publicised(run, folder, written, [*run.warnings, *_gaps([facts])])


def _publish_lots(tender: Tender, out: Path | None) -> Publicised:
    """Every lot evaluated and awarded (`evaluate_lots_file`), then one package and a
    register row per awarded lot, recorded as one run over every lot's inputs."""
    run = evaluate_lots_file(tender)
    lots = run.evaluation
    root = project_root(tender)
    source = display_path(tender.source, root) if tender.source else tender.tender.reference
    problems = [
        Problem(source, f"lot {lot_id}: {i.subject}", i.found, i.expected)
        for lot_id, lot_run in zip(lots.lot_ids, run.runs, strict=True)
        for i in lot_run.open_items()
    ]
    problems += ocds.missing_keys(tender, source)
    raise_if(problems)
    named = frozenset(a.bidder_id for a in lots.allocation.awards if a.bidder_id is not None)
    facts = [
        published(
            lot_run.evaluation,
            lot_run.inputs.bids,
            lot_run.inputs.names.get("bids", "bids"),
            lot_run.inputs.decisions,
            LotAward(lot.id, lot.title, lots.award(lot.id).bidder_id, named, index),
        )
        for index, (lot, lot_run) in enumerate(zip(tender.lots, run.runs, strict=True))
    ]
    folder = out or root / "reports" / tender.slug
    fingerprints = dict(
        sorted({k: v for ev in lots.lots for k, v in ev.fingerprints.items()}.items())
    )
    package = ocds.lots_release_package(tender, facts, _written(folder, fingerprints))
    written = write_and_record_for(
        [tender, *(ev.tender for ev in lots.lots)],
        fingerprints,
        lots.provisional,
        folder,
        _files(folder, package, facts),
        "published",
        out=out,
        doing="write the publication",
    )
    return Publicised(run, folder, written, [*run.warnings, *_gaps(facts)])


def _files(folder: Path, package: dict[str, Any], facts: list[Published]) -> dict[Path, bytes]:
    """The two files, once the package is valid against the bundled schemas.

    Raises:
        TenderInputError: every way the package breaks the schema, by JSON path.
    """
    raise_if(
        [Problem(PACKAGE, v.where, v.message, EXPECTED_VALID) for v in validate_package(package)]
    )
    return {
        folder / PACKAGE: ocds.text_of(package).encode("utf-8"),
        folder / REGISTER: register_csv(*facts),
    }


def _gaps(facts: list[Published]) -> list[str]:
    """A warning for each register fact left unset, once each. A bids-file column left
    unset (`sme`, `address`, ...) is said once, naming every lot's bids file that lacks it,
    not once a lot."""
    rows = [(f.bids_name, register_row(f)) for f in facts if f.awarded is not None]
    files: dict[str, list[str]] = {}
    for name, row in rows:
        for column in row.unset_columns:
            files.setdefault(column, [])
            if name not in files[column]:
                files[column].append(name)
    out: dict[str, str] = {}
    for name, row in rows:
        columns = {f"{name} {column}": column for column in row.unset_columns}
        for key in row.not_set:
            found = columns.get(key)
            if found is None or len(files[found]) == 1:
                out.setdefault(key, _gap(key))
            else:
                named = ", ".join(files[found][:-1]) + " and " + files[found][-1]
                out.setdefault(
                    f"column {found}",
                    f"{REGISTER}: {found} is not set in {named}; the register shows "
                    f"[NOT SET: <bids file> {found}] on each of their rows",
                )
    return list(out.values())


def _gap(key: str) -> str:
    return f"{REGISTER}: {key} is not set; the register shows [NOT SET: {key}]"


def _written(folder: Path, fingerprints: dict[str, str]) -> ocds.DocumentsWritten:
    """The award report counts only when it was written from the inputs as they are now."""
    reported = last_run(folder, "reported")
    current = (
        reported is not None
        and (folder / REPORT_PDF).is_file()
        and not changed_inputs(reported, fingerprints)
    )
    return ocds.DocumentsWritten(award_report=current)
