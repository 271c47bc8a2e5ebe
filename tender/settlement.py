"""Whether an evaluation is settled: every step its own result says is still open, by name.

A document that recommends or notifies an award while its own evaluation says a step is
outstanding (marks not moderated, a near-tie not interviewed, an abnormal price not
decided, the dates out of order) is the most damaging thing the tool could issue. The
report, the letters and `tender status` all ask this one function. Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from . import abnormal, dates
from .clarifications import Outcomes
from .errors import Problem, TenderInputError, raise_if, shorten
from .model import Tender
from .scoring import Evaluation

NEAR_TIE_COLUMNS = ["bidder_id", "decision", "reason", "decided_on"]
NOT_INTERVIEWED = "not interviewed"
CONFLICT_COLUMNS = ["evaluator_id", "bidder_id", "decision", "reason", "decided_on"]
MARKS_STAND, MARKS_EXCLUDED = "marks stand", "marks excluded"


@dataclass(frozen=True)
class OpenItem:
    """One step the evaluation says is still open: its kind (a stable key), what, and how
    to close it."""

    kind: str
    subject: str
    found: str
    expected: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.found}; expected {self.expected}"


@dataclass(frozen=True)
class NearTieDecision:
    """A recorded decision not to interview a near-tied bidder, with its reason."""

    bidder_id: str
    reason: str
    decided_on: date | None


def _require_header(frame: pd.DataFrame, name: str, columns: list[str]) -> None:
    """Refuse a decisions file without the columns it must have."""
    if any(c not in frame.columns for c in columns):
        raise TenderInputError(
            [
                Problem(
                    name,
                    "header",
                    f"columns {', '.join(map(str, frame.columns)) or 'none'}",
                    f"columns {', '.join(columns)}",
                )
            ]
        )


def check_near_tie_decisions(
    frame: pd.DataFrame, name: str, bidder_ids: Iterable[str]
) -> dict[str, NearTieDecision]:
    """Validate a near-tie decisions table: `bidder_id, decision, reason, decided_on`.

    `decision` is `not interviewed` (an interview is recorded in the clarification
    outcomes instead); the reason is required; the date is YYYY-MM-DD or blank.

    Raises:
        TenderInputError: every problem, with its line and column.
    """
    _require_header(frame, name, NEAR_TIE_COLUMNS)
    known = set(bidder_ids)
    problems: list[Problem] = []
    out: dict[str, NearTieDecision] = {}
    for position, values in enumerate(frame[NEAR_TIE_COLUMNS].itertuples(index=False)):
        bidder, decision, reason, when = (str(v).strip() for v in values)
        where = f"line {position + 2} (bidder {bidder or '?'})"
        before = len(problems)
        add = _adder(problems, name, where)

        if bidder not in known:
            add("bidder_id", shorten(bidder), "a bidder id of the bids file")
        elif bidder in out:
            add("bidder_id", f"bidder {bidder} twice", "one decision per bidder")
        if decision.casefold() != NOT_INTERVIEWED:
            add(
                "decision",
                shorten(decision),
                f"'{NOT_INTERVIEWED}' (an interview goes in the clarification outcomes)",
            )
        if not reason:
            add("reason", "no reason", "why the panel decided not to interview")
        on = _date(when, add)
        if len(problems) == before:
            out[bidder] = NearTieDecision(bidder, reason, on)
    raise_if(problems)
    return out


@dataclass(frozen=True)
class ConflictDecision:
    """The chair's recorded decision on an evaluator's declared conflict with one bidder."""

    evaluator_id: str
    bidder_id: str
    decision: str  # MARKS_STAND or MARKS_EXCLUDED
    reason: str
    decided_on: date

    @property
    def excludes(self) -> bool:
        return self.decision == MARKS_EXCLUDED

    def note(self) -> str:
        """Why the marks were excluded, as the results notes say it."""
        return (
            f"the chair's decision of {self.decided_on.isoformat()} on a declared conflict "
            f"of interest: {self.reason}"
        )


def check_conflict_decisions(
    frame: pd.DataFrame, name: str, evaluator_ids: Iterable[str], bidder_ids: Iterable[str]
) -> dict[tuple[str, str], ConflictDecision]:
    """Validate the chair's conflict decisions: `evaluator_id, bidder_id, decision, reason,
    decided_on`, keyed by (evaluator, bidder).

    `decision` is `marks stand` or `marks excluded`; the reason is required; the date is
    YYYY-MM-DD and required (the decision must be on record before the marks are used).

    Raises:
        TenderInputError: every problem, with its line and column.
    """
    _require_header(frame, name, CONFLICT_COLUMNS)
    evaluators, bidders = set(evaluator_ids), set(bidder_ids)
    problems: list[Problem] = []
    out: dict[tuple[str, str], ConflictDecision] = {}
    for position, values in enumerate(frame[CONFLICT_COLUMNS].itertuples(index=False)):
        evaluator, bidder, decision, reason, when = (str(v).strip() for v in values)
        where = f"line {position + 2} (evaluator {evaluator or '?'}, bidder {bidder or '?'})"
        before = len(problems)
        add = _adder(problems, name, where)

        if evaluator not in evaluators:
            add("evaluator_id", _found(evaluator), "an evaluator id of the panel")
        if bidder not in bidders:
            add("bidder_id", _found(bidder), "a bidder id of the bids file")
        elif (evaluator, bidder) in out:
            add(
                "bidder_id",
                f"evaluator {evaluator} and bidder {bidder} twice",
                "one decision per evaluator and bidder",
            )
        chosen = decision.casefold()
        if chosen not in (MARKS_STAND, MARKS_EXCLUDED):
            add(
                "decision",
                _found(decision),
                f"'{MARKS_STAND}' or '{MARKS_EXCLUDED}'",
            )
        if not reason:
            add("reason", "no reason", "why the chair decided so")
        on = None
        try:
            if len(when) != len("2016-11-22"):  # fromisoformat also takes 20161122
                raise ValueError(when)
            on = date.fromisoformat(when)
        except ValueError:
            add("decided_on", _found(when), "the date of the decision, such as 2016-11-22")
        if len(problems) == before and on is not None:
            out[(evaluator, bidder)] = ConflictDecision(evaluator, bidder, chosen, reason, on)
    raise_if(problems)
    return out


def _adder(problems: list[Problem], name: str, where: str) -> Callable[[str, str, str], None]:
    """A function that records one problem in a column of the row at `where`."""

    def add(column: str, found: str, expected: str) -> None:
        problems.append(Problem(name, f"{where}, column {column}", found, expected))

    return add


def _found(text: str) -> str:
    return shorten(text) if text else "nothing"


def _date(text: str, add: Callable[[str, str, str], None]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        add("decided_on", shorten(text), "a date such as 2016-11-22, or blank")
        return None


def open_items(
    ev: Evaluation,
    outcomes: Outcomes | None = None,
    near_ties: dict[str, NearTieDecision] | None = None,
    abnormal_decisions: dict[str, abnormal.Decision] | None = None,
) -> list[OpenItem]:
    """Every step still open, in the order a procurement officer would close them."""
    items = _marking(ev)
    items += _ranking(ev)
    items += _near_ties(ev, outcomes, near_ties or {})
    items += _abnormal(ev, abnormal_decisions)
    items += _dates(ev)
    return items


def _marking(ev: Evaluation) -> list[OpenItem]:
    items = []
    if ev.provisional:
        items.append(
            OpenItem(
                "moderation",
                "quality marks",
                "PROVISIONAL marks (no moderated marks)",
                "the panel's moderated marks (tender moderate)",
            )
        )
    return items


def _ranking(ev: Evaluation) -> list[OpenItem]:
    first = int((ev.table["rank"] == 1).sum())
    if first == 1:
        return []
    return [
        OpenItem(
            "ranking",
            "first place",
            f"{first} bids ranked first" if first else "no bid that can be ranked",
            "a single first-ranked bid (resolve the tie by the stated rule first)",
        )
    ]


def _near_ties(
    ev: Evaluation, outcomes: Outcomes | None, decisions: dict[str, NearTieDecision]
) -> list[OpenItem]:
    interviewed = {i.bidder_id for i in outcomes.interviews} if outcomes else set()
    items = []
    for record in ev.records():
        bidder = str(record.bidder_id)
        if "near-tie" in record.flags and bidder not in interviewed | set(decisions):
            items.append(
                OpenItem(
                    "near-tie",
                    f"bidder {bidder}",
                    "a near-tie with no interview recorded and no decision not to interview",
                    "the interview in the clarification outcomes (data.clarifications), or "
                    "the decision not to interview, with its reason (data.near_tie_decisions)",
                )
            )
    return items


def _abnormal(ev: Evaluation, decisions: dict[str, abnormal.Decision] | None) -> list[OpenItem]:
    if not abnormal.screens_on(ev.tender):
        return []
    return [
        OpenItem(
            "abnormal-price",
            f"bidder {finding.bidder_id}",
            f"an abnormally {finding.direction} price awaiting the bidder's explanation",
            "the decision on it (data.abnormally_low_decisions: accepted or rejected)",
        )
        for finding in abnormal.screen(ev, ev.tender.abnormally_low, decisions)
        if finding.status == "explanation required"
    ]


def _dates(ev: Evaluation) -> list[OpenItem]:
    tender = ev.tender
    sent, decided = tender.letters.sent, tender.report.meeting_date
    notice = tender.letters.award_notice
    items = []
    if sent is not None and decided is not None and sent < decided:
        items.append(
            OpenItem(
                "dates",
                "letters.sent",
                f"{sent.isoformat()}, before the decision ({decided.isoformat()})",
                "letters sent on or after report.meeting_date",
            )
        )
    end = _standstill_end(tender)
    start = tender.contract.start
    if end is not None and start is not None and start <= end:
        items.append(
            OpenItem(
                "dates",
                "contract.start",
                f"{start.isoformat()}, within the standstill ending {end.isoformat()}",
                "a contract start after the standstill period ends",
            )
        )
    if tender.tender.regime == "pa2023" and sent and notice and notice < sent:
        items.append(
            OpenItem(
                "dates",
                "letters.award_notice",
                f"{notice.isoformat()}, before the assessment summaries ({sent.isoformat()})",
                "the contract award notice on or after the assessment summaries are sent "
                "(Procurement Act 2023 s.50)",
            )
        )
    return items


def _standstill_end(tender: Tender) -> date | None:
    """The last day of the standstill the regime imposes, once its start date is set."""
    letters, regime = tender.letters, tender.tender.regime
    if regime == "pcr2015" and letters.sent is not None:
        return dates.pcr2015_standstill_end(letters.sent)
    if regime == "pa2023" and letters.award_notice is not None:
        return dates.pa2023_standstill_end(letters.award_notice)
    return None
