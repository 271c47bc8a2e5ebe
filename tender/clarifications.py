"""Clarification interviews: what was asked, who attended, and any revised moderated marks.

The outcomes file has one row per clarification: bidder_id, interview_date, panel
(evaluator ids separated by ';'), clarification, and optionally criterion_id,
revised_mark and rationale when the panel revised a moderated mark as a result.

Revisions are applied to a *copy* of the moderated marks: the moderated file is never
rewritten, and each revised row keeps the earlier mark in its rationale. Checks and the
before/after comparison are pure; reading and writing files is the caller's job.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import pandas as pd

from .errors import Problem, TenderInputError, raise_if, shorten
from .model import Tender
from .scoring import Evaluation

# Records one problem of the row being read: the column, what was found, what was expected.
AddProblem = Callable[[str, str, str], None]

COLUMNS = [
    "bidder_id",
    "interview_date",
    "panel",
    "clarification",
    "criterion_id",
    "revised_mark",
    "rationale",
]


@dataclass(frozen=True)
class Interview:
    """One clarification interview with one bidder."""

    bidder_id: str
    on: date
    panel: list[str]
    clarifications: list[str]


@dataclass(frozen=True)
class Revision:
    """A moderated mark the panel revised after an interview; `line` is in the outcomes file."""

    bidder_id: str
    criterion_id: str
    to_mark: float
    rationale: str
    on: date
    line: int


@dataclass(frozen=True)
class Outcomes:
    """Everything an outcomes file records, checked."""

    interviews: list[Interview]
    revisions: list[Revision]


def check_outcomes(
    frame: pd.DataFrame, name: str, tender: Tender, bidder_ids: list[str]
) -> Outcomes:
    """Validate an outcomes table and group it into interviews and revisions.

    Raises:
        TenderInputError: every problem, naming the line, column, what was found and
            what was expected.
    """
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise TenderInputError(
            [
                Problem(
                    name,
                    "header",
                    f"columns {', '.join(map(str, frame.columns)) or 'none'}",
                    f"columns {', '.join(COLUMNS)} (missing: {', '.join(missing)})",
                )
            ]
        )
    problems: list[Problem] = []
    panel_ids = tender.panel_ids()
    interviews: dict[tuple[str, date], Interview] = {}
    revisions: list[Revision] = []
    first_revision: dict[tuple[str, str], int] = {}
    for position, values in enumerate(frame[COLUMNS].itertuples(index=False)):
        row = dict(zip(COLUMNS, (str(v).strip() for v in values), strict=True))
        line = position + 2
        where = f"line {line} (bidder {row['bidder_id'] or '?'})"

        def add(column: str, found: str, expected: str, where: str = where) -> None:
            problems.append(Problem(name, f"{where}, column {column}", found, expected))

        on, panel = _check_row(row, tender, bidder_ids, add)
        mark = _revised_mark(row, tender, add)
        criterion = row["criterion_id"]
        if on is None:
            continue
        key = (row["bidder_id"], on)
        interview = interviews.get(key)
        clarifications = (
            [*interview.clarifications, row["clarification"]]
            if interview
            else [row["clarification"]]
        )
        attended = sorted(
            set(panel) | set(interview.panel if interview else []), key=_panel_order(panel_ids)
        )
        interviews[key] = Interview(row["bidder_id"], on, attended, clarifications)
        if mark is None or not criterion:
            continue
        pair = (row["bidder_id"], criterion)
        if pair in first_revision:
            add(
                "criterion_id",
                f"a second revised mark for {pair[0]} {pair[1]} "
                f"(first at line {first_revision[pair]})",
                "one revised mark per bidder and criterion",
            )
            continue
        first_revision[pair] = line
        revisions.append(Revision(row["bidder_id"], criterion, mark, row["rationale"], on, line))
    raise_if(problems)
    ordered = sorted(interviews.values(), key=lambda i: (i.on, bidder_ids.index(i.bidder_id)))
    return Outcomes(ordered, revisions)


def _check_row(
    row: dict[str, str], tender: Tender, bidder_ids: list[str], add: AddProblem
) -> tuple[date | None, list[str]]:
    """Check one row's bidder, date, panel, clarification and criterion."""
    if row["bidder_id"] not in bidder_ids:
        add(
            "bidder_id",
            f"unknown bidder {shorten(row['bidder_id'])}",
            f"one of {', '.join(bidder_ids)}",
        )
    on = _date(row["interview_date"], add)
    panel = [p.strip() for p in row["panel"].split(";") if p.strip()]
    panel_ids = tender.panel_ids()
    if not panel:
        add("panel", "nothing", "the evaluator ids who attended, separated by ';' (E1;E2)")
    for person in panel:
        if person not in panel_ids:
            add("panel", f"unknown evaluator {shorten(person)}", f"one of {', '.join(panel_ids)}")
    if not row["clarification"]:
        add("clarification", "nothing", "what the bidder clarified")
    leaves = [leaf.id for leaf in tender.quality.leaves()]
    criterion = row["criterion_id"]
    if criterion and criterion not in leaves:
        add(
            "criterion_id", f"unknown criterion {shorten(criterion)}", f"one of {', '.join(leaves)}"
        )
    return on, panel


def _panel_order(panel_ids: list[str]) -> Callable[[str], int]:
    return lambda person: panel_ids.index(person) if person in panel_ids else len(panel_ids)


def _date(text: str, add: AddProblem) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        add("interview_date", shorten(text) if text else "nothing", "a date such as 2016-11-22")
        return None


def _revised_mark(row: dict[str, str], tender: Tender, add: AddProblem) -> float | None:
    text = row["revised_mark"]
    if not text:
        return None
    scale = tender.quality.scale
    try:
        mark = float(text)
    except ValueError:
        add("revised_mark", shorten(text), scale.describe())
        return None
    if not math.isfinite(mark) or not scale.allows(mark):
        add("revised_mark", f"mark {text}", scale.describe())
        return None
    if not row["criterion_id"]:
        add("criterion_id", "nothing beside a revised mark", "the criterion whose mark was revised")
    if not row["rationale"]:
        add("rationale", "nothing beside a revised mark", "why the panel revised the mark")
    return mark


def revised_moderated(moderated: pd.DataFrame, outcomes: Outcomes, name: str) -> pd.DataFrame:
    """A new moderated-marks table with the revisions applied; `moderated` is not changed.

    A revised row's rationale says what the mark was before and why it changed.

    Raises:
        TenderInputError: a revision with no moderated mark to revise.
    """
    out = moderated.copy()
    bidder = out["bidder_id"].astype(str).str.strip()
    criterion = out["criterion_id"].astype(str).str.strip()
    if "rationale" not in out:
        out["rationale"] = ""
    problems = []
    for revision in outcomes.revisions:
        match = (bidder == revision.bidder_id) & (criterion == revision.criterion_id)
        if not match.any():
            problems.append(
                Problem(
                    name,
                    f"line {revision.line} (bidder {revision.bidder_id}), column criterion_id",
                    f"a revised mark for {revision.bidder_id} {revision.criterion_id}, "
                    "which has no moderated mark",
                    "revisions only of marks the panel moderated",
                )
            )
            continue
        before = str(out.loc[match, "moderated_mark"].iloc[0]).strip()
        earlier = str(out.loc[match, "rationale"].iloc[0]).strip()
        out.loc[match, "moderated_mark"] = f"{revision.to_mark:g}"
        out.loc[match, "rationale"] = (
            f"Revised from {before} after the clarification interview on "
            f"{revision.on.isoformat()}: {revision.rationale}"
            + (f" (moderation: {earlier})" if earlier else "")
        )
    raise_if(problems)
    return out


@dataclass(frozen=True)
class Revised:
    """A moderated mark revised at an interview, with the mark it replaced (None: unmarked)."""

    bidder_id: str
    criterion_id: str
    from_mark: float | None
    to_mark: float
    rationale: str
    interview_date: date

    def as_json(self) -> dict[str, str | float | None]:
        return {
            "bidder_id": self.bidder_id,
            "criterion_id": self.criterion_id,
            "from": self.from_mark,
            "to": self.to_mark,
            "rationale": self.rationale,
            "interview_date": self.interview_date.isoformat(),
        }


@dataclass(frozen=True)
class Standing:
    """One bid's rank, quality and total before and after the interviews (None: unranked)."""

    bidder_id: str
    bidder: str
    rank_before: int | None
    quality_before: float | None
    total_before: float | None
    rank_after: int | None
    quality_after: float | None
    total_after: float | None

    @property
    def total_change(self) -> float | None:
        if self.total_before is None or self.total_after is None:
            return None
        return self.total_after - self.total_before


STANDING_COLUMNS = [f.name for f in fields(Standing)] + ["total_change"]


def changes(before: Evaluation, outcomes: Outcomes) -> list[Revised]:
    """Each revision with the mark it replaced."""
    leaves = [leaf.id for leaf in before.tender.quality.leaves()]
    rows = {bid: i for i, bid in enumerate(before.table["bidder_id"])}
    out = []
    for r in outcomes.revisions:
        earlier = float(before.consensus[rows[r.bidder_id], leaves.index(r.criterion_id)])
        out.append(
            Revised(
                r.bidder_id,
                r.criterion_id,
                None if math.isnan(earlier) else earlier,
                r.to_mark,
                r.rationale,
                r.on,
            )
        )
    return out


def before_after(before: Evaluation, after: Evaluation) -> list[Standing]:
    """One row per bid, in bids-file order: rank, quality and total before and after."""
    old = before.table.set_index("bidder_id")
    new = after.table.set_index("bidder_id")

    def state(table: pd.DataFrame, bidder: str) -> tuple[int | None, float | None, float | None]:
        rank = int(table.at[bidder, "rank"])  # type: ignore[arg-type]
        return (
            rank if rank > 0 else None,
            _number(table.at[bidder, "quality_score"]),
            _number(table.at[bidder, "total_score"]),
        )

    return [
        Standing(bidder, str(old.at[bidder, "bidder"]), *state(old, bidder), *state(new, bidder))
        for bidder in before.table["bidder_id"]
    ]


def _number(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def leader_sentence(before: Evaluation, after: Evaluation, revised: int) -> str:
    """What the interviews did to the lead, in one sentence."""
    first_before = sorted(before.table.loc[before.table["rank"] == 1, "bidder_id"])
    first_after = sorted(after.table.loc[after.table["rank"] == 1, "bidder_id"])
    marks = f"{revised} moderated mark{'s' if revised != 1 else ''} revised"
    if revised == 0:
        return (
            "No moderated mark was revised: the ranking stands as moderated, "
            f"led by {' and '.join(first_before)}."
        )
    if first_before == first_after:
        return f"{marks}; {' and '.join(first_after)} still ranked first."
    if len(first_after) > 1:
        return (
            f"{marks}; {' and '.join(first_after)} now share first place on equal totals, "
            "and no stated tie-break separates them: the panel must decide."
        )
    return (
        f"{marks}; first place moves from {' and '.join(first_before)} "
        f"to {' and '.join(first_after)}."
    )
