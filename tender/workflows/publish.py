"""`tender publish`'s twin: the award as open data and the contracts register row.

Writes `ocds-release-package.json` (OCDS 1.1 with the bids and UK extensions) and
`contracts-register.csv` (Local Government Transparency Code 2015) into reports/<tender>/.
Like every issued document it is refused while the evaluation says a step is open, naming
each open item; the package is validated against the bundled schemas before anything is
written, and an invalid package is never written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import ocds
from ..errors import Problem, raise_if
from ..inputs import display_path, project_root
from ..model import Tender
from ..ocds_schema import validate_package
from ..publication import published
from ..register import register_csv, register_row
from .evaluation import Run, evaluate_file
from .runs import changed_inputs, last_run, write_and_record

PACKAGE = "ocds-release-package.json"
REGISTER = "contracts-register.csv"
REPORT_PDF = "award-report.pdf"
EXPECTED_VALID = "a release package valid against OCDS 1.1.5 and its extensions"


@dataclass(frozen=True)
class Publicised:
    """What `publish` wrote, and the register's facts left unset (one warning each)."""

    run: Run
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
    run = evaluate_file(definition)
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
    raise_if(
        [Problem(PACKAGE, v.where, v.message, EXPECTED_VALID) for v in validate_package(package)]
    )
    files = {
        folder / PACKAGE: ocds.text_of(package).encode("utf-8"),
        folder / REGISTER: register_csv(facts),
    }
    written = write_and_record(
        ev, folder, files, "published", out=out, doing="write the publication"
    )
    warnings = [
        f"{REGISTER}: {key} is not set; the register shows [NOT SET: {key}]"
        for key in register_row(facts).not_set
    ]
    return Publicised(run, folder, written, [*run.warnings, *warnings])


def _written(folder: Path, fingerprints: dict[str, str]) -> ocds.DocumentsWritten:
    """The award report counts only when it was written from the inputs as they are now."""
    reported = last_run(folder, "reported")
    current = (
        reported is not None
        and (folder / REPORT_PDF).is_file()
        and not changed_inputs(reported, fingerprints)
    )
    return ocds.DocumentsWritten(award_report=current)
