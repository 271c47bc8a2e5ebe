"""`tender log`'s twin: the tender's evaluation log, every entry read and its chain checked."""

from __future__ import annotations

from pathlib import Path

from ..audit import LogCheck, check_log
from ..inputs import load_tender
from ..model import Tender
from ..panel import panel_files


def log(definition: str | Path | Tender) -> LogCheck:
    """Read the evaluation log: every readable entry, each damaged line, where the chain breaks.

    Raises:
        TenderInputError: for an unusable definition.
    """
    tender = definition if isinstance(definition, Tender) else load_tender(definition)
    return check_log(panel_files(tender).log)
