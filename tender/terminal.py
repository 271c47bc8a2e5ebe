"""Everything the commands print for people on a terminal, drawn with rich.

One home for terminal text: the evaluation table, the clarification before/after and the
evaluation log's lines. Commands print these; none draws its own.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from . import display
from .clarifications import Outcomes, Revised, Standing
from .scoring import Evaluation


def print_table(ev: Evaluation, console: Console | None = None) -> None:
    """Print the evaluation table, best first, with each bid's notes below it."""
    if console is None:
        console = Console(highlight=False)
        console.width = max(console.width, 100)
    tender = ev.tender
    title = f"{tender.tender.reference}: {tender.tender.title}"
    if ev.provisional:
        title += "  [bold red]PROVISIONAL (no moderated marks)[/]"
    table = Table(title=title, title_justify="left")
    table.add_column("Rank", justify="right", no_wrap=True)
    table.add_column("Organisation", ratio=1, min_width=16)
    table.add_column(f"Price\n(/{tender.weights.price:g})", justify="right", no_wrap=True)
    table.add_column(f"Quality\n(/{tender.weights.quality:g})", justify="right", no_wrap=True)
    table.add_column("Total", justify="right", no_wrap=True)
    table.add_column("Flags", ratio=1, min_width=14)
    records = ev.records()
    order = sorted(records, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["bidder_id"]))
    for record in order:
        shown = record["display"]
        unscored = "unscored-price" in record["flags"]
        table.add_row(
            shown["rank"],
            f"{record['bidder']} ({record['bidder_id']})",
            "0 (unscored)" if unscored else shown["price_score"],
            shown["quality_score"],
            shown["total_score"],
            ", ".join(record["flags"]),
        )
    console.print(table)
    console.print(
        "Scores rounded half-up to 1 decimal place; each total shown is the sum of the scores "
        "shown. Ranks and near-ties use unrounded scores."
    )
    for record in order:
        for note in record["notes"]:
            console.print(f"  {record['bidder_id']}: {note}", markup=False)


def print_clarification(
    before: Evaluation,
    outcomes: Outcomes,
    revised: list[Revised],
    rows: list[Standing],
    summary: str,
    console: Console | None = None,
) -> None:
    """The interviews, the marks they revised, and each bid before and after, best first."""
    if console is None:
        console = Console(highlight=False)
        console.width = max(console.width, 110)
    names = {e.id: e.name or e.role for e in before.tender.panel}
    console.print(f"{before.tender.tender.reference}: clarification interviews", markup=False)
    for i in outcomes.interviews:
        panel = ", ".join(f"{p} {names[p]}" for p in i.panel)
        console.print(f"  {i.bidder_id}, {i.on.isoformat()}, panel: {panel}", markup=False)
        for text in i.clarifications:
            console.print(f"    - {text}", markup=False)
    if revised:
        console.print("Revised moderated marks:")
        for c in revised:
            console.print(
                f"  {c.bidder_id} {c.criterion_id}: {display.mark(c.from_mark)} → "
                f"{display.mark(c.to_mark)}: {c.rationale}",
                markup=False,
            )
    table = Table(title="Before and after the interviews", title_justify="left")
    for heading in ("Bidder", "Rank", "Quality", "Total", "→ Rank", "→ Quality", "→ Total", "Δ"):
        table.add_column(heading, justify="left" if heading == "Bidder" else "right")
    for row in sorted(rows, key=lambda x: (x.rank_after is None, x.rank_after or 0)):
        table.add_row(
            f"{row.bidder} ({row.bidder_id})",
            str(row.rank_before or "–"),
            display.score(row.quality_before),
            display.score(row.total_before),
            str(row.rank_after or "–"),
            display.score(row.quality_after),
            display.score(row.total_after),
            display.change(row.total_change),
        )
    console.print(table)
    console.print(summary, markup=False)


LOG_LINES = {
    "template_issued": "{evaluator_id} issue {issue} ({file}, sha256 {sha})",
    "return_received": "{file} (sha256 {sha}, {bytes} bytes) archived as {archive}",
    "return_accepted": "{file} from {evaluator_id} issue {issue} (sha256 {sha})",
    "return_rejected": "{file} (sha256 {sha}): {problems}",
    "return_superseded": "{file} of {evaluator_id} superseded by {by_file}",
    "marks_collected": "{marks} from {returns}; missing {missing}; flagged {flagged}",
    "moderation_ingested": "{moderated} from {workbook}: {rows} marks, {changes} changed",
}


class _Shown(dict[str, object]):
    """Log fields for a line: a field the entry lacks shows as '[no <field>]', never a crash."""

    def __missing__(self, key: str) -> str:
        return f"[no {key}]"


def _joined(value: object, empty: str = "") -> str:
    if isinstance(value, list | tuple | dict):
        return ", ".join(str(v) for v in value) or empty
    return str(value)


def log_line(entry: dict[str, object]) -> str:
    """One readable line for an evaluation-log entry (tab-separated: when, event, details).

    Entries come from a file anyone could have edited: every field is printed as text, and a
    field the event should have but lacks is shown as missing rather than hiding the line.
    """
    event = str(entry.get("event", "?"))
    when = entry.get("at") or entry.get("received_at") or ""
    values = _Shown(entry)
    values["sha"] = str(entry.get("sha256", ""))[:12]
    if event == "return_rejected" and "problems" in entry:
        values["problems"] = "; ".join(str(p) for p in _listed(entry["problems"]))
    if event == "moderation_ingested" and "changes" in entry:
        values["changes"] = len(_listed(entry["changes"]))
    if event == "marks_collected":
        for key, empty in (("returns", ""), ("missing", "none")):
            if key in entry:
                values[key] = _joined(entry[key], empty)
    text = LOG_LINES.get(event, "").format_map(values)
    return f"{when}\t{event}\t{text}".rstrip()


def _listed(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple | dict) else [value]
