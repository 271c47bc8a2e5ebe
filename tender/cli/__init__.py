"""The `tender` command line: a thin layer over the library.

Only click is imported at start-up; each command imports its library twin
(`tender.workflows.<command>`) inside its body, so `tender --help` loads no pandas.
The group and its one error handler are in `group`; each command registers itself on it.
"""

from __future__ import annotations

from . import (  # commands register themselves on `cli`
    check,
    clarify,
    collect,
    collect_prices,
    log,
    moderate,
    new,
    price_templates,
    publish,
    report,
    score,
    sensitivity,
    status,
    templates,
)
from .group import INPUT_ERROR, cli, main

__all__ = [
    "INPUT_ERROR",
    "check",
    "clarify",
    "cli",
    "collect",
    "collect_prices",
    "log",
    "main",
    "moderate",
    "new",
    "price_templates",
    "publish",
    "report",
    "score",
    "sensitivity",
    "status",
    "templates",
]
