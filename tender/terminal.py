"""Everything the commands print for people on a terminal, drawn with rich.

One home for terminal text: the evaluation table, the clarification before/after, the
evaluation log's lines and the sensitivity report. Commands print these; none draws its own.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from . import display
from .clarifications import Outcomes, Revised, Standing
from .lots import LotsEvaluation, award_rules
from .notes import BidRecord
from .progress import Progress
from .scoring import Evaluation

if TYPE_CHECKING:  # rich loads only when a table is drawn: the log and sensitivity lines need none
    from rich.console import Console
    from rich.table import Table

    from .robustness_document import Document


SHOWN_BIDS = 50  # a table of more bids prints its first this many: the rest are in the files


def print_table(ev: Evaluation, console: Console | None = None) -> None:
    """Print the evaluation table, best first, with each bid's notes below it.

    A framework's thousands of bids are no table to read on a screen (ten thousand rows
    took seconds to draw): above `SHOWN_BIDS`, the first of them in rank order are
    printed with their notes, then how many more there are, of which how many excluded,
    and where every bid is.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    if console is None:
        console = Console(highlight=False, emoji=False)
        console.width = max(console.width, 100)
    tender = ev.tender
    # names and titles are data, given as Text: '[bold]' or ':smile:' in one is printed
    # as written, never read as rich's markup or an emoji code
    title = Text(f"{tender.tender.reference}: {tender.tender.title}")
    if ev.provisional:
        title.append("  PROVISIONAL (no moderated marks)", style="bold red")
    table = Table(title=title, title_justify="left")
    table.add_column("Rank", justify="right", no_wrap=True)
    table.add_column("Organisation", ratio=1, min_width=16)
    table.add_column(f"Price\n(/{tender.weights.price:g})", justify="right", no_wrap=True)
    table.add_column(f"Quality\n(/{tender.weights.quality:g})", justify="right", no_wrap=True)
    table.add_column("Total", justify="right", no_wrap=True)
    table.add_column("Flags", ratio=1, min_width=14)
    records = ev.records()
    ordered = sorted(records, key=lambda r: (r.rank is None, r.rank or 0, r.bidder_id))
    order = ordered[:SHOWN_BIDS]
    for record in order:
        shown = record.display
        unscored = "unscored-price" in record.flags
        cells = (
            shown.rank,
            f"{record.bidder} ({record.bidder_id})",
            "0 (unscored)" if unscored else shown.price_score,
            shown.quality_score,
            shown.total_score,
            ", ".join(record.flags),
        )
        table.add_row(*(Text(cell) for cell in cells))
    console.print(table)
    console.print(
        "Scores rounded half-up to 1 decimal place; each total shown is the sum of the scores "
        "shown. Ranks and near-ties use unrounded scores."
    )
    for record in order:
        for note in record.notes:
            console.print(f"  {record.bidder_id}: {note}", markup=False, emoji=False)
    if len(ordered) > len(order):
        console.print(_not_shown(ordered[len(order) :]), markup=False, emoji=False)


def _not_shown(rest: list[BidRecord]) -> str:
    """The line that says what the capped table leaves out and where it is."""
    excluded = sum(r.rank is None for r in rest)
    ranked = len(rest) - excluded
    parts = []
    if ranked:
        ranks = [r.rank for r in rest if r.rank is not None]
        parts.append(
            f"{display.count(ranked, 'more ranked bid')} (ranks {min(ranks):,}–{max(ranks):,})"
        )
    if excluded:
        parts.append(display.count(excluded, "excluded bid"))
    return (
        f"Not shown: {' and '.join(parts)}. Every bid, with its scores, flags and notes, is in "
        "results.csv, results.json and results.xlsx."
    )


def allocation_lines(lots: LotsEvaluation) -> list[str]:
    """The allocation in words: the rule stated in advance, then each lot's award and why."""
    from .allocation import RULES

    rules = award_rules(lots.tender)
    cap = rules.max_lots_per_bidder
    limit = "no limit on lots per bidder" if cap is None else f"at most {cap} lot"
    limit += (
        "s per bidder" if cap is not None and cap != 1 else ("" if cap is None else " per bidder")
    )
    lines = [f"Allocation ({limit}; {RULES[rules.allocation]}):"]
    for lot, ev, award in zip(lots.tender.lots, lots.lots, lots.allocation.awards, strict=True):
        names = dict(zip(ev.table["bidder_id"], ev.table["bidder"], strict=True))
        if award.bidder_id is None or award.total is None:
            won = "not awarded"
        else:
            won = (
                f"{names[award.bidder_id]} ({award.bidder_id}), total {display.score(award.total)}"
            )
        lines.append(f"  lot {lot.id} ({lot.title}): {won}: {award.reason}")
    if lots.provisional:
        lines.append("PROVISIONAL: a lot has no moderated marks yet.")
    return lines


@contextmanager
def progress_shown(first: str) -> Iterator[Progress]:
    """A line on stderr naming the step under way ("Rendering letters 3/6") with a spinner
    and a bar, redrawn in place and cleared when the work ends.

    Drawn only when stderr is a terminal (rich loads only then): piped or redirected
    output, and the tests' runner, get a `Progress` that does nothing, so what a command
    prints and writes is the same whether anyone watched it or not.
    """
    if not sys.stderr.isatty():
        yield _unheard
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, SpinnerColumn, TextColumn
    from rich.progress import Progress as Bar

    console = Console(stderr=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn())
    with Bar(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(escape(first), total=None)

        def shown(done: int, total: int, step: str) -> None:
            counted = f"{step} {done}/{total}" if total else step
            description = escape(counted)  # drawn at once: a step is never skipped unseen
            bar.update(task, completed=done, total=total or None, description=description)
            bar.refresh()

        yield shown


def _unheard(done: int, total: int, step: str) -> None:
    """The progress of work nobody watches."""


def print_clarification(
    before: Evaluation,
    outcomes: Outcomes,
    revised: list[Revised],
    rows: list[Standing],
    summary: str,
    console: Console | None = None,
) -> None:
    """The interviews, the marks they revised, and each bid before and after, best first."""
    from rich.console import Console

    if console is None:
        console = Console(highlight=False, emoji=False)
        console.width = max(console.width, 110)
    names = {e.id: e.name or e.role for e in before.tender.panel}
    console.print(
        f"{before.tender.tender.reference}: clarification interviews", markup=False, emoji=False
    )
    for i in outcomes.interviews:
        panel = ", ".join(f"{p} {names[p]}" for p in i.panel)
        console.print(
            f"  {i.bidder_id}, {i.on.isoformat()}, panel: {panel}", markup=False, emoji=False
        )
        for text in i.clarifications:
            console.print(f"    - {text}", markup=False, emoji=False)
    if revised:
        console.print("Revised moderated marks:")
        for c in revised:
            console.print(
                f"  {c.bidder_id} {c.criterion_id}: {display.mark(c.from_mark)} → "
                f"{display.mark(c.to_mark)}: {c.rationale}",
                markup=False,
                emoji=False,
            )
    console.print(_standings(rows))
    console.print(summary, markup=False, emoji=False)


def _standings(rows: list[Standing]) -> Table:
    """Each bid before and after the interviews, best first; names are data (`Text`)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Before and after the interviews", title_justify="left")
    for heading in ("Bidder", "Rank", "Quality", "Total", "→ Rank", "→ Quality", "→ Total", "Δ"):
        table.add_column(heading, justify="left" if heading == "Bidder" else "right")
    for row in sorted(rows, key=lambda x: (x.rank_after is None, x.rank_after or 0)):
        cells = (
            f"{row.bidder} ({row.bidder_id})",
            str(row.rank_before or "–"),
            display.score(row.quality_before),
            display.score(row.total_before),
            str(row.rank_after or "–"),
            display.score(row.quality_after),
            display.score(row.total_after),
            display.change(row.total_change),
        )
        table.add_row(*(Text(cell) for cell in cells))
    return table


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


def log_line(entry: Mapping[str, object]) -> str:
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


# --- The sensitivity report ----------------------------------------------------------------


ALPHA_RELIABLE = 0.8
ALPHA_TENTATIVE = 0.667


def _alpha_words(alpha: float | None) -> str:
    """Krippendorff's own guide: ≥ 0.8 reliable; 0.667-0.8 tentative; below, unreliable."""
    if alpha is None:
        return "n/a (no variation)"
    if alpha >= ALPHA_RELIABLE:
        return f"{alpha:.2f} good"
    if alpha >= ALPHA_TENTATIVE:
        return f"{alpha:.2f} fair"
    return f"{alpha:.2f} LOW: discuss first"


def robustness_lines(doc: Document, names: dict[str, str]) -> list[str]:
    """`robustness_document.document` as lines for a terminal, wrapped at 100 characters.

    Renders the document only, never recomputes, so the text and `--format json` agree.
    """
    out = [
        f"{doc['tender']['reference']}: {doc['tender']['title']}: decision robustness",
        f"Quality from {doc['consensus']}."
        if doc["consensus"] == "moderated marks"
        else f"PROVISIONAL: quality from the {doc['consensus']} (no moderated marks yet).",
        "Leader: "
        + (" and ".join(_named(b, names) for b in doc["leaders"]) or "none")
        + f". {doc['standing']}",
    ]
    for section in (
        _weight_lines,
        _change_lines,
        _leave_one_out_lines,
        _reversal_lines,
        _near_tie_lines,
        _panel_lines,
        _abnormal_lines,
    ):
        out.append("")
        out += section(doc)
    return [wrapped for line in out for wrapped in _wrap(line)]


WIDTH = 100


def _named(bidder: str, names: dict[str, str]) -> str:
    name = names.get(bidder, bidder)
    return bidder if name == bidder else f"{bidder} ({name})"


def _wrap(line: str) -> list[str]:
    if len(line) <= WIDTH:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()) + 4)
    return textwrap.wrap(line, WIDTH, subsequent_indent=indent, break_on_hyphens=False)


def _weight_lines(doc: Document) -> list[str]:
    weight = doc["price_weight"]
    points = weight["crossovers"]
    out = [
        f"Price weight (set at {weight['set_at']:g}; quality weight = 100 - price weight), "
        "as it rises from 0 to 100"
    ]
    if not points:
        return [*out, "  The leader is the same at every price weight from 0 to 100."]
    out += [
        f"  at {c['price_weight']:.2f} the lead passes from {c['before']} to {c['after']}"
        for c in points
    ]
    edges = [0.0] + [c["price_weight"] for c in points] + [100.0]
    holders = [points[0]["before"]] + [c["after"] for c in points]
    for low, high, holder in zip(edges, edges[1:], holders, strict=False):
        if low <= weight["set_at"] <= high:
            out.append(
                f"  at the set weight {holder} leads, for every price weight "
                f"from {low:.2f} to {high:.2f}"
            )
    return out


def _change_lines(doc: Document) -> list[str]:
    marks = "moderated mark" if doc["consensus"] == "moderated marks" else "consensus mark"
    out = [f"Smallest change to a single {marks} that ties or changes the leader"]
    if len(doc["leaders"]) > 1:
        return [*out, f"  first place is already shared by {' and '.join(doc['leaders'])}"]
    changes = doc["mark_changes"]
    for found, label in (
        (changes["smallest_tie"], "ties first place"),
        (changes["smallest_lead_change"], "changes the leader"),
    ):
        if not found:
            out.append(f"  {label}: no single-mark change does")
            continue
        moved = abs(found[0]["to"] - found[0]["from"])
        out.append(f"  {label} ({moved:g} mark{'s' if moved != 1 else ''}):")
        for c in sorted(found, key=lambda c: abs(c["points"]))[:SHOWN]:
            out.append(
                f"    {c['bidder_id']} {c['criterion_id']} {c['from']:g} → {c['to']:g} "
                f"({c['points']:+.2f} points): first place "
                + (" and ".join(c["leaders_after"]) or "none (no bid ranked)")
            )
        if len(found) > SHOWN:
            out.append(f"    ... and {len(found) - SHOWN} more of the same size (--format json)")
    return out


SHOWN = 4


def _leave_one_out_lines(doc: Document) -> list[str]:
    if not doc["leave_one_out"]:
        return ["Evaluator leave-one-out: not available (no individual marks)."]
    moderated = doc["consensus"] == "moderated marks"
    if not moderated:
        out = ["Evaluator leave-one-out (median of the remaining evaluators' marks)"]
        same, changed = "same leader", "LEADER CHANGES"
    else:
        out = [
            "Evaluator leave-one-out (MEDIAN of the evaluators' own marks, not the moderated marks)"
        ]
        out.append(f"  {'moderated marks':<22} {_ranking(doc['totals'], list(doc['totals']))}")
        same, changed = "same leader as moderated", "LEADER DIFFERS from moderated"
    for w in doc["leave_one_out"]:
        who = "all evaluators" if w["without"] is None else f"without {w['without']}"
        if moderated:
            who = f"median, {who}"
        change = changed if w["leader_changed"] else same
        out.append(
            f"  {who:<{22 if moderated else 14}} {_ranking(w['totals'], w['order'])}  ({change})"
        )
    return out


def _ranking(totals: dict[str, float], order: list[str]) -> str:
    shown = ", ".join(f"{b} {totals[b]:.2f}" for b in order[:SHOWN])
    return shown + (" ..." if len(order) > SHOWN else "")


def _reversal_lines(doc: Document) -> list[str]:
    out = ["Rank reversal (each non-winning bid removed in turn, the rest re-scored)"]
    reversal = doc["rank_reversal"]
    removals = reversal["removals"]
    swaps = [m for m in removals if m["swaps"]]
    if reversal["independent_of_worse_bid"]:
        out.append(
            f"  price formula {reversal['price_formula']}: a bid worse than all others "
            "cannot reorder the rest"
        )
    else:
        out.append(
            f"  price formula {reversal['price_formula']}: a bid worse than all others "
            "CAN reorder the rest (rank reversal)"
        )
    if not removals:
        out.append("  nothing to remove")
    elif not swaps:
        out.append("  no swap among the remaining bids, whichever bid is removed")
    for m in swaps:
        pairs = ", ".join(f"{a} falls level with or below {b}" for a, b in m["swaps"])
        out.append(f"  without {m['removed']}: {pairs}")
    return out


def _near_tie_lines(doc: Document) -> list[str]:
    ties = doc["near_ties"]
    points = ties["points_margin"]
    out = [
        "Near-ties",
        f"  points margin ({points['margin']:g}): {', '.join(points['flagged']) or 'none'}",
    ]
    ranges = ties["evaluator_range"]
    if ranges is None:
        out.append("  evaluator ranges: not applied (off, or no individual marks)")
    else:
        shown = ", ".join(
            f"{b} {ranges['ranges'][b][0]:.1f}-{ranges['ranges'][b][1]:.1f}"
            for b in ranges["flagged"]
        )
        out.append(f"  evaluator ranges overlap: {shown or 'none'}")
    corridor = ties["corridor"]
    if corridor is None:
        out.append("  corridor: not configured")
    else:
        out.append(
            f"  corridor ({corridor['percent']:g}% below the leader): "
            f"{', '.join(corridor['candidates'])}; decided by "
            f"{corridor['decide_by'].replace('_', ' ')}: {', '.join(corridor['chosen'])}"
        )
    if doc["verdicts"]:
        out += ["", f"Verdicts ({doc['verdict_rule']})"]
        out += [f"  {v['line']}" for v in doc["verdicts"]]
    return out


def _panel_lines(doc: Document) -> list[str]:
    panel = doc["panel"]
    if not panel["leniency"]:
        return ["Panel agreement: not available (no individual marks)."]
    return [
        "Panel agreement, for the moderation meeting",
        "  leniency (mean marks above + or below - the panel's mean): "
        + ", ".join(f"{x['evaluator_id']} {x['mean_offset']:+.2f}" for x in panel["leniency"]),
        "  Krippendorff's alpha (interval): "
        + "; ".join(
            f"{a['criterion_id']} {_alpha_words(a['krippendorff_alpha'])}"
            for a in panel["agreement"]
        ),
    ]


def _abnormal_lines(doc: Document) -> list[str]:
    low = doc["abnormally_low"]
    if not low["enabled"]:
        if low["enabled_in_definition"] is False:
            return ["Abnormal prices: not screened (switched off: abnormally_low.enabled false)."]
        return [
            f"Abnormal prices: not screened under {doc['rank_reversal']['price_formula']}, "
            "where a high offer is the aim (switch on with abnormally_low.enabled true)."
        ]
    cited = f" ({low['citation']})" if low["citation"] else ""
    out = [
        f"Abnormal prices: more than {low['percent']:g}% from the {low['basis']} of the other "
        f"compliant bids{'; Scottish test' if low['scottish'] else ''}. A flagged bid needs "
        f"the bidder's explanation before it is accepted or rejected{cited}."
    ]
    if not low["flagged"]:
        out.append("  none flagged")
    for f in low["flagged"]:
        out.append(f"  {f['bidder_id']}: abnormally {f['direction']}: {f['status'].upper()}")
        out += [f"    {reason}" for reason in f["reasons"]]
        if f["explanation"]:
            out.append(f"    explanation: {f['explanation']}")
        if f["reason"]:
            out.append(f"    reason for the decision: {f['reason']}")
    return out
