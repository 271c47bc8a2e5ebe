"""`tender status`'s twin: where the evaluation stands, stage by stage, and what comes next.

Everything is derived from the inputs and the evaluation log, never kept apart, so the
status cannot disagree with them: templates issued and returns received from the log,
the open items from the settled evaluation (`settlement.open_items`), the documents'
staleness from the fingerprints their run recorded. It writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NotRequired, TypedDict

from ..audit import (
    Entry,
    ReturnAccepted,
    ReturnRejected,
    TemplateIssued,
    check_log,
    of_event,
    runs_of,
)
from ..errors import TenderInputError
from ..inputs import load_tender, project_root
from ..model import Tender
from ..panel import panel_files
from .evaluation import Run, evaluate_file

DONE, OPEN, NOT_STARTED = "done", "open", "not started"


@dataclass(frozen=True)
class Stage:
    """One stage: its key, where it stands, a line on it, and every open item by name."""

    stage: str
    state: str
    detail: str
    items: list[str] = field(default_factory=list)


class StageDocument(TypedDict):
    """One stage in the JSON contract."""

    stage: str
    state: str
    detail: str
    items: list[str]


class StatusDocument(TypedDict):
    """The JSON contract; `lot` for one lot's status, `lots` for a definition with lots."""

    tender: str
    lot: NotRequired[str]
    stages: list[StageDocument]
    next_command: str
    lots: NotRequired[list[StatusDocument]]


@dataclass(frozen=True)
class Status:
    """The stages in workflow order and the command to run next."""

    tender: str
    stages: list[Stage]
    next_command: str
    # A definition with lots: each lot's own status, in lot order (`lot` its id).
    lots: tuple[Status, ...] = ()
    lot: str | None = None

    def document(self) -> StatusDocument:
        """The stable JSON contract: tender, stages [{stage, state, detail, items}], next;
        with lots, also `lots`, each lot's own document with its `lot` id."""
        stages: list[StageDocument] = [
            {"stage": s.stage, "state": s.state, "detail": s.detail, "items": list(s.items)}
            for s in self.stages
        ]
        found: StatusDocument
        if self.lot is None:
            found = {"tender": self.tender, "stages": stages, "next_command": self.next_command}
        else:  # the keys in the contract's order: tender, lot, stages, next_command
            found = {
                "tender": self.tender,
                "lot": self.lot,
                "stages": stages,
                "next_command": self.next_command,
            }
        if self.lots:
            found["lots"] = [lot.document() for lot in self.lots]
        return found

    def json(self) -> str:
        """The JSON contract as text."""
        return json.dumps(self.document(), indent=2, ensure_ascii=False)


def status(definition: str | Path | Tender) -> Status:
    """Where the tender defined in `definition` stands.

    Raises:
        TenderInputError: only for a definition that cannot be read at all.
    """
    tender = definition if isinstance(definition, Tender) else load_tender(definition)
    if tender.lots:
        return _lots_status(tender)
    return _tender_status(tender)[0]


def _tender_status(tender: Tender) -> tuple[Status, Run | None]:
    """A tender's (or one lot's) stages, and its evaluation when it could be evaluated."""
    entries = check_log(panel_files(tender).log).entries
    if _supplied(tender, entries):
        where = tender.data.marks or ""
        stages = [
            Stage("templates", DONE, f"marks supplied in {where}, not through templates"),
            Stage("returns", DONE, f"marks supplied in {where}"),
            Stage("conflicts", DONE, "no declarations collected (marks supplied directly)"),
        ]
    else:
        stages = [_templates(tender, entries), *_returns(tender, entries)]
    run, problems = _evaluated(tender)
    stages.append(_evaluation(tender, run, problems))
    lot = tender.this_lot
    if run is not None:
        stages += _settled(run)
        if lot is None:  # the report and publication of lots are the whole tender's
            stages.append(_report(tender, run.evaluation.fingerprints))
            stages.append(_publication(tender, run.evaluation.fingerprints))
        stages.append(_standstill(tender))
    source = tender.source.name if tender.source else "criteria/X.yaml"
    if lot is None:
        return Status(tender.tender.reference, stages, _next(stages, source)), run
    found = Status(tender.tender.reference, stages, _next(stages, source, lot.id), lot=lot.id)
    return found, run


def _lots_status(tender: Tender) -> Status:
    """Each lot's stages, then the allocation: done once every lot can be evaluated."""
    found = [_tender_status(tender.lot(lot_id)) for lot_id in tender.lot_ids()]
    lots = tuple(lot for lot, _ in found)
    waiting = [
        f"lot {lot.lot}: not yet evaluated"
        for lot in lots
        if not any(s.stage == "evaluation" and s.state == DONE for s in lot.stages)
    ]
    rule = tender.award.allocation if tender.award is not None else "lot_order"
    allocation = Stage(
        "allocation",
        OPEN if waiting else DONE,
        f"by {rule}" + ("" if waiting else ": see tender score"),
        waiting,
    )
    stages = [allocation]
    runs = [run for _, run in found if run is not None]
    if len(runs) == len(found):  # the documents are the whole procurement's, from every lot
        fingerprints = {k: v for run in runs for k, v in run.evaluation.fingerprints.items()}
        stages += [_report(tender, fingerprints), _publication(tender, fingerprints)]
    earliest = min(range(len(lots)), key=lambda i: (_first_open(lots[i]), i))
    return Status(tender.tender.reference, stages, lots[earliest].next_command, lots)


def _first_open(found: Status) -> int:
    """How early in the workflow a status's first open stage is: the earliest lot goes next."""
    order = list(NEXT)
    open_stages = [
        order.index(s.stage) for s in found.stages if s.state != DONE and s.stage in NEXT
    ]
    return min(open_stages, default=len(order))


def _supplied(tender: Tender, entries: list[Entry]) -> bool:
    """Marks given directly in data.marks (a published record), with no templates logged."""
    issued = bool(of_event(entries, TemplateIssued))
    marks = tender.data.marks
    return not issued and marks is not None and tender.resolve(marks).exists()


def _templates(tender: Tender, entries: list[Entry]) -> Stage:
    issued: dict[str, int] = {}
    for e in of_event(entries, TemplateIssued):
        issued[e["evaluator_id"]] = max(issued.get(e["evaluator_id"], 0), e["issue"])
    missing = [e for e in tender.panel_ids() if e not in issued]
    detail = ", ".join(f"{e} issue {n}" for e, n in sorted(issued.items())) or "none issued"
    if not issued:
        return Stage("templates", NOT_STARTED, detail)
    return Stage(
        "templates",
        OPEN if missing else DONE,
        detail,
        [f"evaluator {e}: no template issued" for e in missing],
    )


def _returns(tender: Tender, entries: list[Entry]) -> list[Stage]:
    accepted_entries = of_event(entries, ReturnAccepted)
    refused = of_event(entries, ReturnRejected)
    return [
        _returns_stage(tender, accepted_entries, refused),
        _conflicts_stage(accepted_entries, refused),
    ]


def _returns_stage(
    tender: Tender, accepted_entries: list[ReturnAccepted], refused: list[ReturnRejected]
) -> Stage:
    """Whose marking returns are accepted, and who has none yet."""
    accepted = {e["evaluator_id"] for e in accepted_entries}
    if not accepted and not refused:
        return Stage("returns", NOT_STARTED, "no returns collected")
    missing = [e for e in tender.panel_ids() if e not in accepted]
    return Stage(
        "returns",
        OPEN if missing else DONE,
        f"accepted from {', '.join(sorted(accepted)) or 'nobody'}; {len(refused)} file(s) refused",
        [f"evaluator {e}: no accepted return" for e in missing],
    )


def _conflicts_stage(
    accepted_entries: list[ReturnAccepted], refused: list[ReturnRejected]
) -> Stage:
    """Declared conflicts of interest still awaiting the chair, and those decided."""
    accepted_files: set[object] = {e["sha256"] for e in accepted_entries}
    # a refused file accepted since (on the chair's recorded decision) is no longer open
    conflicts = [
        f"{e.get('file')}: a declared conflict of interest awaits the chair's decision"
        for e in refused
        if any("conflict of interest" in p for p in e["problems"])
        and e.get("sha256") not in accepted_files
    ]
    decided = sorted({e["evaluator_id"] for e in accepted_entries if "conflict_decisions" in e})
    detail = f"{len(conflicts)} declared conflict(s) awaiting the chair"
    if decided:
        detail += f"; decided by the chair for {', '.join(decided)}"
    return Stage("conflicts", OPEN if conflicts else DONE, detail, conflicts)


def _evaluated(tender: Tender) -> tuple[Run | None, list[str]]:
    try:
        return evaluate_file(tender), []
    except TenderInputError as exc:
        return None, [str(p) for p in exc.problems[:20]]


def _evaluation(tender: Tender, run: Run | None, problems: list[str]) -> Stage:
    if run is None:
        started = tender.data.marks is not None and tender.resolve(tender.data.marks).exists()
        return Stage(
            "evaluation",
            OPEN if started else NOT_STARTED,
            "the inputs cannot be evaluated yet" if started else "no marks yet",
            problems if started else [],
        )
    ev = run.evaluation
    state = "PROVISIONAL (no moderated marks)" if ev.provisional else "moderated marks"
    return Stage("evaluation", DONE, f"{len(ev.table)} bids scored on {state}")


def _settled(run: Run) -> list[Stage]:
    items = run.open_items()
    out = []
    for key, kinds, label in (
        ("moderation", ("moderation",), "marks moderated"),
        ("ranking", ("ranking",), "a single first-ranked bid"),
        ("near-ties", ("near-tie",), "every near-tie interviewed or decided"),
        ("abnormal-prices", ("abnormal-price",), "every abnormal price decided"),
        ("dates", ("dates",), "the dates in order"),
    ):
        open_here = [str(i) for i in items if i.kind in kinds]
        if key == "moderation" and open_here:
            open_here += _unagreed(run.evaluation.tender)
        out.append(Stage(key, OPEN if open_here else DONE, label, open_here))
    outcomes = run.outcomes
    if outcomes is not None:
        revised = len(outcomes.revisions)
        out.append(
            Stage(
                "clarifications",
                DONE,
                f"{len(outcomes.interviews)} interview(s); {revised} revision(s) applied",
            )
        )
    return out


def _unagreed(tender: Tender, shown: int = 10) -> list[str]:
    """Rows of the moderation workbook still without a consensus mark, by name."""
    from ..excel.guard import Limits, Refused
    from ..excel.moderation_sheet import read_consensus
    from ..files import FileRefused, read_regular

    path = panel_files(tender).moderation
    if not path.is_file():
        return []
    try:
        data = read_regular(path, Limits().max_file_bytes)
        cells = read_consensus(data, path.name, tender, 1_000_000)
    except (FileRefused, Refused) as exc:
        return [f"{path.name}: cannot be read ({exc})"]
    empty = [key for key, found in cells.items() if found.value in ("", None)]
    listed = [f"bidder {b}, criterion {c}: no consensus mark yet" for b, c in empty[:shown]]
    if len(empty) > shown:
        listed.append(f"{len(empty) - shown} more rows without a consensus mark")
    return listed


def _report(tender: Tender, fingerprints: Mapping[str, str]) -> Stage:
    """The award report: written, and whether the evaluation's inputs changed since."""
    from .runs import changed_inputs

    runs = project_root(tender) / "reports" / tender.slug / "runs.jsonl"
    reported = runs_of(check_log(runs).entries, "reported")
    if not reported:
        return Stage("report", NOT_STARTED, "no report written yet")
    last = reported[-1]
    written = f"written {last.get('at', '?')}"
    changed = changed_inputs(last, fingerprints)
    if changed:
        return Stage(
            "report",
            OPEN,
            f"{written}: stale",
            [f"{name}: changed since the report was written" for name in changed],
        )
    return Stage("report", DONE, f"{written}; its inputs are unchanged")


def _publication(tender: Tender, fingerprints: Mapping[str, str]) -> Stage:
    """The OCDS package and register row: written, and whether their inputs changed since."""
    from .runs import changed_inputs, last_run

    last = last_run(project_root(tender) / "reports" / tender.slug, "published")
    if last is None:
        return Stage("publication", NOT_STARTED, "no release package written yet")
    written = f"written {last.get('at', '?')}"
    changed = changed_inputs(last, fingerprints)
    if changed:
        return Stage(
            "publication",
            OPEN,
            f"{written}: stale",
            [f"{name}: changed since the publication was written" for name in changed],
        )
    return Stage("publication", DONE, f"{written}; its inputs are unchanged")


def _standstill(tender: Tender) -> Stage:
    from ..dates import long_date, pa2023_standstill_end, pcr2015_standstill_end

    letters = tender.letters
    regime = tender.tender.regime
    if regime == "pcr2015" and letters.sent:
        end = long_date(pcr2015_standstill_end(letters.sent))
        return Stage("standstill", DONE, f"ends at midnight at the end of {end} (PCR 2015 reg 87)")
    if regime == "pa2023" and letters.award_notice:
        end = long_date(pa2023_standstill_end(letters.award_notice))
        return Stage("standstill", DONE, f"ends at the end of {end} (Procurement Act 2023 s.51)")
    if regime == "local_rules":
        return Stage("standstill", DONE, "none under the authority's own rules")
    return Stage("standstill", NOT_STARTED, "not yet: the date it runs from is not set")


NEXT = {
    "templates": "tender templates {d}",
    "returns": "tender collect {d} RETURNED_DIR",
    "conflicts": "record the chair's decision, then tender collect {d} RETURNED_DIR",
    "evaluation": "tender check {d}",
    "moderation": "tender moderate {d} bids/<tender>/moderation.xlsx",
    "ranking": "tender sensitivity {d}",
    "near-ties": "tender clarify {d}",
    "abnormal-prices": "record the decisions (data.abnormally_low_decisions); tender score {d}",
    "dates": "correct the dates in {d}",
    "report": "tender report {d}",
    "publication": "tender publish {d}",
    "standstill": "set letters.sent (or letters.award_notice) in {d}",
}


# Stages whose command works on one lot: its next step names the lot.
PER_LOT = frozenset({"templates", "returns", "conflicts", "moderation", "near-ties"})
NOTHING = "nothing: every stage is done"


def _next(stages: list[Stage], definition: str, lot: str | None = None) -> str:
    for stage in stages:
        if stage.state != DONE and stage.stage in NEXT:
            command = NEXT[stage.stage].format(d=f"criteria/{definition}")
            if lot is not None and stage.stage in PER_LOT:
                command += f" --lot {lot}"
            return command
    return NOTHING
