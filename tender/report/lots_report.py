"""LotsEvaluation + narrative → one award report for a procurement divided into lots.

Each lot is reported as the single-tender report reports a tender (its table of scores and
score chart, exclusions, near-tie and abnormal-price sentences, robustness verdict, method,
marks, sensitivity, prices and inputs appendices), read from the lot's own `Evaluation`;
the allocation table says who is awarded each lot and why, from `Evaluation.awarded` and
the allocation. Who is awarded a lot is never taken to be its first-ranked bid: under a
cap on lots per bidder a lot may go to its second-ranked bid.

Numbering is the report's, once, so that every reference is to one thing: tables and
figures in the body run on through the lots (Table 1 is the allocation, Table 2 the first
lot's scores, Figure 1 its chart), appendices are lettered A, B, ... Z, AA, AB, ... in lot
order, and each appendix numbers its own tables by its letter, as the single-tender
report does (Table F.1 in Appendix F). `Numbering` works the numbers out before any text
is written, so the text that refers to a table or appendix and its caption agree.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .. import dates, display
from ..lots import LotsEvaluation
from ..moderation import PROVISIONAL_RULE
from ..robustness import Robustness
from ..scoring import Evaluation
from ..sensitivity import price_weight_lines
from .build import ReportFiles, report_files
from .content import (
    _criteria_sentence,
    _header,
    _inputs,
    _marks,
    _method,
    _Numbered,
    _panel_sentence,
    _sensitivity,
    confidential_content,
    confidential_subject,
    findings,
    recommendation,
    robustness_paragraphs,
    score_chart,
    table_1,
)
from .document import Block, Bullets, Document, Metadata, Paragraph, Section, Table
from .narrative import Narrative
from .prices import appendix_title as price_appendix_title
from .prices import price_appendix
from .workers import Renderers

RULE_WORDS = {
    "best_total": "the lots are awarded so as to give the highest sum of the winning bids' "
    "total scores",
    "lot_order": "the lots are awarded in lot order, each to its highest-ranked bidder not "
    "already holding the maximum number of lots",
}


def lot_label(ev: Evaluation) -> str:
    """'Lot 1 (Offices in the north of the district)'."""
    lot = ev.tender.this_lot
    return f"Lot {lot.id} ({lot.title})" if lot else ev.tender.tender.title


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _lots_words(lot_ids: Sequence[str]) -> str:
    ids = list(lot_ids)
    if len(ids) == 1:
        return f"lot {ids[0]}"
    return "lots " + ", ".join(ids[:-1]) + " and " + ids[-1]


def award_rule_words(lots: LotsEvaluation) -> str:
    """The award rules stated in advance, the cap and the allocation rule, in words."""
    award = lots.tender.award
    rule = award.allocation if award else "lot_order"
    cap = award.max_lots_per_bidder if award else None
    capped = (
        f"no bidder may be awarded more than {cap} lot{'s' * (cap != 1)}"
        if cap is not None
        else "there is no limit on the number of lots one bidder may be awarded"
    )
    return f"{capped}, and {RULE_WORDS[rule]}"


def award_rule_sentence(lots: LotsEvaluation) -> str:
    """The award rules stated in advance, as a sentence."""
    return f"As the invitation to tender stated, {award_rule_words(lots)}."


def public_names(lots: LotsEvaluation) -> dict[str, str]:
    """One public name per bidder across the lots: a bidder awarded any lot is named as
    that lot names it; any other as its first lot names it."""
    names: dict[str, str] = {}
    for ev in lots.lots:
        for bidder, name in ev.public_names().items():
            names.setdefault(bidder, name)
    for ev in lots.lots:
        if ev.awarded is not None:
            names[ev.awarded] = ev.public_names()[ev.awarded]
    return names


def award_reason(lots: LotsEvaluation, lot_index: int, names: dict[str, str]) -> str:
    """Why lot `lot_index` goes where it does, in words the evaluation supports.

    Ranked first: says so. Ranked lower: names each better-ranked bidder, the lots it is
    awarded, and the cap and rule that decided it. Unawarded: the allocation's reason.
    """
    ev = lots.lots[lot_index]
    award = lots.allocation.awards[lot_index]
    if award.bidder_id is None or award.rank is None:
        return display.sentence(f"Not awarded: {award.reason}")
    if award.rank == 1:
        return "Ranked 1st on this lot."
    better = ev.ranked[ev.ranked["rank"] < award.rank]
    held = []
    for bidder in better["bidder_id"]:
        rank = int(better.loc[better["bidder_id"] == bidder, "rank"].iat[0])
        won = lots.lots_won(str(bidder))
        where = f"is awarded {_lots_words(won)}" if won else "is awarded no lot"
        held.append(f"{names[str(bidder)]}, ranked {_ordinal(rank)} here, {where}")
    rule = lots.tender.award.allocation if lots.tender.award else "lot_order"
    cap = lots.tender.award.max_lots_per_bidder if lots.tender.award else None
    capped = f"the cap of {cap} lot{'s' * (cap != 1)} per bidder" if cap else "the award rules"
    return (
        f"Ranked {_ordinal(award.rank)} on this lot. {'; '.join(held)}. Under {capped}, "
        f"{RULE_WORDS[rule]}, which gives this lot to the {_ordinal(award.rank)}-ranked bid."
    )


ALLOCATION_TABLE = "Table 1"
APPENDIX_PARTS = (
    "Evaluation method",
    "Moderated marks and weighted scores by criterion",
    "Sensitivity of the result to the price weight",
    "Inputs, fingerprints and tool version",
)


def appendix_letters() -> Iterator[str]:
    """A, B, ... Z, AA, AB, ... AZ, BA, ...: as many appendix letters as the lots need."""
    n = 0
    while True:
        n += 1
        letters, k = "", n
        while k:
            k, r = divmod(k - 1, 26)
            letters = chr(ord("A") + r) + letters
        yield letters


@dataclass(frozen=True)
class LotNumbers:
    """Where one lot's parts are in the report: its table of scores, its score chart, the
    sensitivity chart of its appendix, and its appendices' letters (method, marks,
    sensitivity, inputs, then prices when it has a price appendix)."""

    table: str
    figure: str
    sensitivity_figure: str
    appendices: tuple[str, ...]


def numbering(lots: LotsEvaluation) -> list[LotNumbers]:
    """Every lot's numbers, in lot order: Table 2 onwards, Figure 1 onwards (the
    sensitivity figures after the body's), appendix letters in turn."""
    letters = appendix_letters()
    count = len(lots.lots)
    out = []
    for i, ev in enumerate(lots.lots):
        parts = len(APPENDIX_PARTS) + (price_appendix_title(ev) is not None)
        out.append(
            LotNumbers(
                f"Table {i + 2}",
                f"Figure {i + 1}",
                f"Figure {count + i + 1}",
                tuple(next(letters) for _ in range(parts)),
            )
        )
    return out


def _span(first: str, last: str, word: str) -> str:
    """'Table 2' or 'Tables 2 to 4'."""
    if first == last:
        return first
    return f"{word}s {first.split()[-1]} to {last.split()[-1]}"


def allocation_table(lots: LotsEvaluation) -> Table:
    """Table 1: each lot, who is awarded it, its rank and total there, and why."""
    names = public_names(lots)
    rows = []
    for i, (ev, award) in enumerate(zip(lots.lots, lots.allocation.awards, strict=True)):
        shown = ev.records()
        total = next((r.display.total_score for r in shown if r.bidder_id == ev.awarded), "–")
        rows.append(
            (
                lot_label(ev),
                names[ev.awarded] if ev.awarded else "Not awarded",
                _ordinal(award.rank) if award.rank and ev.awarded else "–",
                total,
                award_reason(lots, i, names),
            )
        )
    return Table(
        ("Lot", "Awarded to", "Rank in the lot", "Total Score", "Reason"),
        tuple(rows),
        (0.22, 0.18, 0.1, 0.1, 0.4),
        f"{ALLOCATION_TABLE}: Award of the lots under the published award rules.",
        numeric=(3,),
    )


def _recommendations(lots: LotsEvaluation) -> list[Block]:
    out: list[Block] = []
    for i, ev in enumerate(lots.lots, start=1):
        p = recommendation(ev)
        out.append(Paragraph(f"{lot_label(ev)}: {p.text}", f"{i}.", p.style))
    return out


def _front(lots: LotsEvaluation) -> Section:
    tender = lots.tender
    blocks: list[Block] = [_header(tender)]
    if lots.provisional:
        blocks.append(
            Paragraph(
                f"PROVISIONAL: quality scores of at least one lot are the {PROVISIONAL_RULE}; "
                "the panel has not yet agreed moderated marks. Do not take a decision on this "
                "report.",
                style="banner",
            )
        )
    blocks.append(
        Paragraph("This report makes the following recommendations to this Committee:", "")
    )
    blocks += _recommendations(lots)
    return Section(tender.tender.title, tuple(blocks))


def _purpose(lots: LotsEvaluation, narrative: Narrative) -> _Numbered:
    s = _Numbered("1")
    s.narrative(narrative, "purpose")
    count = len(lots.lots)
    s.para(
        f"The procurement was divided into {dates.count_words(count)} lot{'s' * (count != 1)}, "
        "each evaluated on its own, as a tender is, with its own bids, marks and ranking "
        "(sections 3 onwards). " + award_rule_sentence(lots)
    )
    s.para(f"Who is awarded each lot, and why, is set out in {ALLOCATION_TABLE}.")
    s.add(allocation_table(lots))
    return s


def _background(
    lots: LotsEvaluation, narrative: Narrative, numbers: Sequence[LotNumbers]
) -> _Numbered:
    s = _Numbered("2")
    s.narrative(narrative, "background")
    s.para(_panel_sentence(lots.tender))
    s.narrative(narrative, "quality", required=False)
    tables = _span(numbers[0].table, numbers[-1].table, "Table")
    figures = _span(numbers[0].figure, numbers[-1].figure, "Figure")
    s.para(
        "Each lot's criteria, weights and results are set out in its own section, with its "
        f"scores ({tables}) and a chart of them ({figures})."
    )
    return s


def _lot_section(
    number: str,
    ev: Evaluation,
    narrative: Narrative,
    robustness: Robustness | None,
    numbers: LotNumbers,
) -> _Numbered:
    s = _Numbered(number)
    tender = ev.tender
    s.para(
        f"{dates.count_words(len(ev.table)).capitalize()} bid{'s' * (len(ev.table) != 1)} "
        f"{'were' if len(ev.table) != 1 else 'was'} evaluated on price "
        f"({tender.weights.price:g}%) and quality ({tender.weights.quality:g}%). "
        + _criteria_sentence(tender)
    )
    if tender.requirements:
        needs = ", ".join(r.description for r in tender.requirements)
        s.para(f"Every bid also had to meet the following pass/fail requirements: {needs}.")
    label = lot_label(ev)
    s.para(f"The outcomes of the assessment are set out in {numbers.table} below.")
    s.add(replace(table_1(ev), caption=f"{numbers.table}: {label}: Scores from assessment panel."))
    findings(s, ev, narrative)
    s.add(
        score_chart(
            ev,
            f"{numbers.figure}: {label}: Price score and quality weighted score of each bid "
            f"({numbers.table}).",
        )
    )
    if robustness is not None and ev.leader is not None:
        s.add(Paragraph("How robust the lot's ranking is", style="heading"))
        for text in _robustness_words(ev, robustness):
            s.para(text)
    return s


def _robustness_words(ev: Evaluation, robustness: Robustness) -> list[str]:
    """The lot's robustness paragraphs. They test the lot's first place; when the lot is
    awarded to another bid (the allocation's cap), they say so rather than call the
    first-ranked bid the recommended one."""
    texts = robustness_paragraphs(ev, robustness)
    leader = ev.leader
    if leader is None or ev.awarded == str(leader.bidder_id):
        return texts
    name = ev.public_names()[str(leader.bidder_id)]
    first = f"the first-ranked bid, {name}"
    texts = [
        t.replace("the recommended bid.", display.sentence(first))
        .replace("the recommended bid", first)
        .replace("alter the recommendation", "alter the lot's first place")
        for t in texts
    ]
    note = (
        f"These figures test the lot's ranking. {name}, ranked first, is not awarded this "
        f"lot ({ALLOCATION_TABLE}), so they concern its first place, not the bid recommended "
        "for the lot."
    )
    return [note, *texts]


def _lot_appendices(
    ev: Evaluation, numbers: LotNumbers, robustness: Robustness | None
) -> tuple[list[Section], list[str]]:
    """A lot's appendices (method, marks, sensitivity, inputs, prices) and their titles,
    lettered as `numbers` says; each numbers its tables by its own letter."""
    label = lot_label(ev)
    method, marks, weights, inputs, *prices = numbers.appendices
    parts: list[tuple[str, str, list[Block], bool]] = [
        (method, APPENDIX_PARTS[0], _method(ev, method), True),
        (marks, APPENDIX_PARTS[1], _marks(ev, marks), True),
        (
            weights,
            APPENDIX_PARTS[2],
            _sensitivity(
                ev,
                robustness.lines if robustness else price_weight_lines(ev),
                f"{numbers.sensitivity_figure}: {label}",
            ),
            True,
        ),
        (inputs, APPENDIX_PARTS[3], _inputs(ev, inputs), False),
    ]
    sections, titles = [], []
    for letter, title, blocks, new_page in parts:
        sections.append(Section(f"{label}: {title}", tuple(blocks), f"Appendix {letter}", new_page))
        titles.append(f"Appendix {letter}: {label}: {title}")
    priced = price_appendix_title(ev)
    if priced is not None and prices:
        letter = prices[0]
        for found in price_appendix(ev, f"Appendix {letter}", f"Appendix {method}", numbers.table):
            sections.append(replace(found, title=f"{label}: {found.title}"))
        titles.append(f"Appendix {letter}: {label}: {priced}")
    return sections, titles


def lots_report_content(
    lots: LotsEvaluation,
    narrative: Narrative,
    robustness: Sequence[Robustness | None] = (),
) -> Document:
    """The award report for every lot at once; `robustness` is each lot's, in lot order."""
    tender = lots.tender
    found = list(robustness) or [None] * len(lots.lots)
    numbers = numbering(lots)
    numbered = [
        ("PURPOSE OF REPORT AND EXECUTIVE SUMMARY", _purpose(lots, narrative)),
        ("INTRODUCTION AND BACKGROUND", _background(lots, narrative, numbers)),
    ]
    for i, (ev, r, at) in enumerate(zip(lots.lots, found, numbers, strict=True)):
        numbered.append((lot_label(ev).upper(), _lot_section(str(3 + i), ev, narrative, r, at)))
    n = 3 + len(lots.lots)
    for key, title in (
        ("options", "AVAILABLE OPTIONS"),
        ("preferred-option", "PREFERRED OPTION AND REASONS FOR RECOMMENDATIONS"),
        ("consultation", "CONSULTATION RESULTS AND PREVIOUS COMMITTEE FEEDBACK"),
        ("next-steps", "NEXT STEPS: COMMUNICATION AND IMPLEMENTATION OF THE DECISION"),
    ):
        s = _Numbered(str(n))
        s.narrative(narrative, key)
        numbered.append((title, s))
        n += 1
    sections = [_front(lots)]
    missing: list[str] = []
    for title, s in numbered:
        sections.append(s.section(title, new_page=s.number == "1"))
        missing += s.missing
    appendices: list[Section] = []
    titles: list[str] = []
    for ev, lot_numbers, r in zip(lots.lots, numbers, found, strict=True):
        more, named = _lot_appendices(ev, lot_numbers, r)
        appendices += more
        titles += named
    sections.append(
        Section(
            "REPORT APPENDICES",
            (
                Paragraph(
                    "The following appendices are published with this report and form part of it:"
                ),
                Bullets(tuple(titles)),
            ),
            str(n),
        )
    )
    sections += appendices
    return Document(
        title=tender.tender.title,
        sections=tuple(sections),
        metadata=Metadata(
            title=f"{tender.tender.title}: award recommendation",
            subject=f"{tender.tender.reference}: award recommendation report",
            author=tender.tender.authority,
            date=tender.report.meeting_date,
            keywords=f"{tender.tender.reference}, award recommendation, lots",
        ),
        footer=f"{tender.tender.reference} · {tender.tender.title} · "
        f"{tender.report.classification}",
        missing=tuple(dict.fromkeys(missing)),
    )


def lots_confidential_content(lots: LotsEvaluation) -> Document:
    """Every lot's moderation record (and rates line by line under a schedule or parts),
    each titled with its lot, not for publication; the lots' moderation tables numbered
    on, Table 1 for the first lot's."""
    tender = lots.tender
    numbers = numbering(lots)
    sections = [
        replace(
            section,
            title=f"{lot_label(ev)}: {section.title}",
            new_page=section.new_page or (i > 0 and j == 0),
        )
        for i, ev in enumerate(lots.lots)
        for j, section in enumerate(
            confidential_content(
                ev, f"Table {i + 1}: {lot_label(ev)}", f"the report's {numbers[i].table}"
            ).sections
        )
    ]
    priced = any(ev.pricing is not None for ev in lots.lots)
    return Document(
        title=f"{tender.tender.title}: confidential appendix",
        sections=tuple(sections),
        metadata=Metadata(
            title=f"{tender.tender.title}: confidential appendix",
            subject=confidential_subject(tender.tender.reference, priced),
            author=tender.tender.authority,
            date=tender.report.meeting_date,
            keywords=f"{tender.tender.reference}, confidential",
        ),
        footer=f"{tender.tender.reference} · Confidential: not for publication",
    )


def render_lots_report(
    lots: LotsEvaluation,
    narrative: Narrative,
    folder: Path,
    *,
    open_items: Sequence[str] = (),
    robustness: Sequence[Robustness | None] = (),
    renderers: Renderers | None = None,
) -> ReportFiles:
    """The lots' award report and its confidential appendix (PDF, DOCX, HTML), in memory,
    and a warning for each narrative section the report shows as a placeholder, rendered
    with `renderers` when the command started them (`workers.start_renderers`).

    While any lot's evaluation says a step is open (`open_items`, each naming its lot), both
    are marked DRAFT on every page with the items on the first.
    """
    doc = lots_report_content(lots, narrative, robustness)
    confidential = lots_confidential_content(lots)
    return report_files(folder, doc, confidential, narrative, tuple(open_items), renderers)
