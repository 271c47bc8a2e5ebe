"""`tender check`'s twin: the definition and every file it names, checked at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..model import Tender
from .evaluation import Run, check_named_files, evaluate_file


@dataclass(frozen=True)
class Checked:
    """A sound tender: its evaluation, and the fingerprint of every file read."""

    run: Run
    fingerprints: dict[str, str]


def check(definition: str | Path | Tender) -> Checked:
    """Check the definition and every file it names; report all problems at once.

    Raises:
        TenderInputError: every problem found, in every file.
    """
    run = evaluate_file(definition)
    more = check_named_files(run.evaluation)
    return Checked(run, dict(sorted({**run.evaluation.fingerprints, **more}.items())))
