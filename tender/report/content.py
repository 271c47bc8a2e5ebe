"""Evaluation + narrative → the award recommendation report as plain `Document` data.

Computed parts (recommendation, Table 1, near-tie paragraph, method, figures, appendices)
come from the Evaluation's records and display strings; narrative parts come from the
officer's file, and a part the file lacks becomes a visible "[NARRATIVE MISSING: …]"
paragraph, never invented text. The public report names bidders as `ev.public_names()`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from .. import __version__, dates, display
from ..clarifications import Outcomes, before_after, changes, leader_sentence
from ..model import REGIME_NAMES, Criterion, Tender
from ..moderation import (
    PROVISIONAL_RULE,
    differs_from_median,
    needs_discussion,
    spread_threshold,
)
from ..notes import BidRecord
from ..price import FORMULAS
from ..robustness import Robustness
from ..scoring import Evaluation
from ..sensitivity import Lines, Verdict, crossovers, price_weight_lines, smallest
from .document import (
    Block,
    Bullets,
    Chart,
    Document,
    Metadata,
    Paragraph,
    ScoreBars,
    Section,
    Table,
    WeightLines,
)
from .narrative import Narrative
from .prices import DETAIL_TITLE as PRICES_DETAIL_TITLE
from .prices import appendix_title as price_appendix_title
from .prices import price_appendix, price_detail

HIGHLIGHT_ALL_UP_TO = 7  # colours the sensitivity chart can tell apart
APPENDICES = (
    ("A", "Evaluation method"),
    ("B", "Moderated marks and weighted scores by criterion"),
    ("C", "Moderation record"),
    ("D", "Sensitivity of the result to the price weight"),
    ("E", "Inputs, fingerprints and tool version"),
)


def placeholder(key: str) -> Paragraph:
    """The visible mark of a narrative section the officer has not written."""
    return Paragraph(f"[NARRATIVE MISSING: {key}]", style="placeholder")


def not_set(field: str) -> str:
    """The visible mark of a tender-definition field the report needs but is empty."""
    return f"[NOT SET: {field}]"


class _Numbered:
    """Collects a section's blocks, numbering paragraphs '2.1', '2.2', ..."""

    def __init__(self, number: str) -> None:
        self.number = number
        self.count = 0
        self.blocks: list[Block] = []
        self.missing: list[str] = []

    def para(self, text: str, style: Any = "body") -> None:
        self.count += 1
        self.blocks.append(Paragraph(text, f"{self.number}.{self.count}", style))

    def add(self, block: Block) -> None:
        self.blocks.append(block)

    def narrative(self, narrative: Narrative, key: str, *, required: bool = True) -> None:
        found = narrative.blocks(key)
        if found is None:
            if required:
                self.count += 1
                self.blocks.append(
                    Paragraph(
                        f"[NARRATIVE MISSING: {key}]", f"{self.number}.{self.count}", "placeholder"
                    )
                )
                self.missing.append(key)
            return
        for block in found:
            if block.bullets:
                self.blocks.append(Bullets(block.bullets))
            else:
                self.para(block.text)

    def section(self, title: str, new_page: bool = False) -> Section:
        return Section(title, tuple(self.blocks), self.number, new_page)


def _rows(ev: Evaluation) -> list[BidRecord]:
    """Records ranked first (by rank), then unranked bids in file order."""
    records = ev.records()
    ranked = sorted((r for r in records if r.rank), key=lambda r: (r.rank, r.bidder_id))
    return ranked + [r for r in records if not r.rank]


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _winner(ev: Evaluation) -> BidRecord | None:
    """The record of the bid awarded the tender or lot (`Evaluation.awarded`), or None."""
    awarded = ev.awarded
    return next((r for r in ev.records() if r.bidder_id == awarded), None)


def recommendation(ev: Evaluation) -> Paragraph:
    """'To approve the appointment of <winner> as <service> provider from <date> ...'."""
    tender = ev.tender
    winner = _winner(ev)
    if winner is None:
        return _no_recommendation(ev)
    contract = tender.contract
    service = tender.tender.service or tender.tender.title
    text = f"To approve the appointment of {winner.bidder} as {service} provider"
    text += f" from {dates.long_date(contract.start)}" if contract.start else ""
    if contract.initial_years:
        years = contract.initial_years
        text += f" for an initial period of {dates.count_words(years)} year{'s' * (years != 1)}"
    if contract.extension_years:
        more = contract.extension_years
        further = (
            "one further year"
            if more == 1
            else f"a further {dates.count_words(more)} year{'s' * (more != 1)}"
        )
        text += f" (with an option to extend for up to {further})"
    text += "."
    if ev.provisional:
        text = f"PROVISIONAL (quality from the {PROVISIONAL_RULE}): {text}"
    return Paragraph(text, "1.")


def _no_recommendation(ev: Evaluation) -> Paragraph:
    """No bid is awarded: none ranked, a lot left unawarded, or first place shared."""
    first = [r for r in ev.records() if r.rank == 1]
    if ev.award is not None and first:
        reason = ev.award.reason
        return Paragraph(f"[NOT AWARDED: {reason}]", "1.", "placeholder")
    if not first:
        return Paragraph("[NO RECOMMENDATION: no bid could be ranked]", "1.", "placeholder")
    names = _join([r.bidder for r in first])
    return Paragraph(
        f"[DECISION NEEDED: {names} tie for first place and no tie-break rule separates "
        "them; the Committee is asked to decide between them]",
        "1.",
        "placeholder",
    )


def table_1(ev: Evaluation) -> Table:
    """Table 1: organisation, price score, quality weighted score, total score."""
    names = ev.public_names()
    rows = tuple(
        (
            names[r.bidder_id],
            r.display.price_score,
            r.display.quality_score,
            r.display.total_score,
        )
        for r in _rows(ev)
    )
    return Table(
        ("Organisation", "Price Score", "Quality Weighted Score", "Total Score"),
        rows,
        (0.40, 0.24, 0.18, 0.18),
        "Table 1: Scores from assessment panel.",
        numeric=(1, 2, 3),
    )


def near_tie_paragraphs(ev: Evaluation, narrative: Narrative) -> tuple[list[str], bool]:
    """The near-tie sentences (computed), and whether the narrative outcome is needed.

    The evaluation knows which bids were close, not whether the interviews took place:
    that, and what came of them, is the officer's narrative ('Clarification').
    """
    near = [r for r in _rows(ev) if "near-tie" in r.flags]
    if len(near) < 2:
        return [], False
    names = ev.public_names()
    labels = [names[r.bidder_id] for r in near]
    totals = [Decimal(r.display.total_score) for r in near]
    gap = display.plain(max(totals) - min(totals))
    margin = f"{ev.tender.near_tie.margin:g}"
    both = "both" if len(near) == 2 else "each of them"
    shown = _join([r.display.total_score for r in near])
    close = (
        f"{_join(labels)} were very close on total score ({shown}; a difference of {gap} "
        f"point{'s' * (gap != '1')}), "
    )
    if ev.tender.near_tie.published:
        return [
            close + f"within the near-tie margin of {margin} points published in the "
            f"invitation to tender. Under that rule {both} should be interviewed by the "
            "evaluation panel to clarify points in their submissions before a recommendation "
            "is made."
        ], True
    return [
        close + f"within the evaluation panel's working margin of {margin} points. Bids this "
        "close may be interviewed to clarify points in their submissions before a "
        "recommendation is made."
    ], True


def abnormal_price_paragraphs(ev: Evaluation) -> list[str]:
    """One sentence per bid the abnormal-price screens flagged, with the decision on it.

    PCR 2015 reg 84 asks the report to record rejected abnormally low tenders; an accepted
    explanation is recorded too, so the committee sees the screen was applied.
    """
    names = ev.public_names()
    out = []
    for r in _rows(ev):
        if "abnormal-price" in r.flags:
            note = next(n for n in r.notes if n.startswith("Abnormally"))
            note = dates.long_dates(note)
            out.append(f"{names[r.bidder_id]}: {note[0].lower()}{note[1:]}")
    return out


def _panel_sentence(tender: Tender) -> str:
    people = []
    for e in tender.panel:
        parts = [p for p in (e.name, e.role, e.organisation) if p]
        if parts == [e.role]:  # a role alone is a post: "the Facilities Manager"
            parts = [f"the {e.role}"]
        people.append(", ".join(parts))
    if not people:
        return f"The quality of the tenders was evaluated by a panel. {not_set('panel')}"
    if not any("," in p for p in people):  # semicolons only where the parts have commas
        return display.sentence(f"The quality of the tenders was evaluated by {_join(people)}")
    return display.sentence(
        f"The quality of the tenders was evaluated by {_join_semicolon(people)}"
    )


def _join_semicolon(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return "; ".join(items[:-1]) + "; and " + items[-1]


def _criteria_sentence(tender: Tender) -> str:
    parts = [f"{c.title.lower()} ({c.weight:g}%)" for c in tender.quality.criteria]
    return display.sentence(f"Quality measured {_join(parts)}")


def method_sentences(tender: Tender) -> list[str]:
    """The scoring method in words, as used in section 2 and Appendix A."""
    w = tender.weights
    formula = FORMULAS[tender.price.formula.name]
    scale = tender.quality.scale
    return [
        f"Price was worth {w.price:g}% of the total score and quality {w.quality:g}%. "
        f"{tender.price.criterion} was scored as {formula.equation} (W = {w.price:g}), so the "
        f"{'highest' if formula.better == 'higher' else 'lowest'} "
        f"{'offer' if formula.better == 'higher' else 'price'} scored the full {w.price:g}; "
        f"a bid that could not be scored on price scored 0 with the reason stated.",
        f"Each quality criterion was marked from {scale.minimum:g} to {scale.maximum:g}; its "
        f"weighted score is its weight × the agreed mark ÷ {scale.maximum:g}. The total score "
        "is the price score plus the quality weighted score. Scores are shown rounded half-up "
        "to one decimal place; a total shown is the sum of the scores shown.",
    ]


def _header(tender: Tender) -> Table:
    r = tender.report
    answer = {True: "Yes", False: "No", None: not_set("report.final_decision_at_meeting")}
    rows = (
        ("Committee", r.committee or not_set("report.committee")),
        (
            "Date",
            dates.long_date(r.meeting_date) if r.meeting_date else not_set("report.meeting_date"),
        ),
        (
            "Is the final decision on the recommendations in this report to be made at this "
            "meeting?",
            answer[r.final_decision_at_meeting],
        ),
        ("Final Decision-Maker", r.decision_maker or not_set("report.decision_maker")),
        ("Lead Head of Service", r.lead_head_of_service or not_set("report.lead_head_of_service")),
        ("Lead Officer and Report Author", r.lead_officer or not_set("report.lead_officer")),
        ("Classification", r.classification),
        ("Wards affected", r.wards or not_set("report.wards")),
    )
    return Table((), rows, (0.42, 0.58))


def _front(ev: Evaluation, narrative: Narrative) -> Section:
    tender = ev.tender
    blocks: list[Block] = [_header(tender)]
    if ev.provisional:
        blocks.append(
            Paragraph(
                f"PROVISIONAL: quality scores are the {PROVISIONAL_RULE}; the panel has not "
                "yet agreed moderated marks. Do not take a decision on this report.",
                style="banner",
            )
        )
    blocks.append(
        Paragraph("This report makes the following recommendations to this Committee:", "")
    )
    blocks.append(recommendation(ev))
    priorities = narrative.blocks("priorities")
    if priorities is not None:
        blocks.append(Paragraph("This report relates to the following corporate priorities:"))
        for block in priorities:
            blocks.append(Bullets(block.bullets) if block.bullets else Paragraph(block.text))
    if tender.report.timetable:
        blocks.append(
            Table(
                ("Timetable: meeting", "Date"),
                tuple((m.body, dates.long_date(m.held)) for m in tender.report.timetable),
                (0.65, 0.35),
            )
        )
    return Section(tender.tender.title, tuple(blocks))


def _purpose(ev: Evaluation, narrative: Narrative) -> _Numbered:
    s = _Numbered("1")
    s.narrative(narrative, "purpose")
    tender = ev.tender
    records = ev.records()
    winner = _winner(ev)
    text = _bids_evaluated(
        records, f"on price ({tender.weights.price:g}%) and quality ({tender.weights.quality:g}%)"
    )
    if winner is not None:
        text += (
            f" {ev.public_names()[winner.bidder_id]} achieved the highest total score, "
            f"{winner.display.total_score} out of 100."
        )
    s.para(text)
    return s


def _bids_evaluated(records: list[BidRecord], weights: str) -> str:
    """'Six bids were evaluated on …', or, when some were not ranked (a failed pass/fail
    requirement, say), 'Four bids were received; three were ranked on …, and one was not
    ranked': a bid left out before scoring was not weighed on price and quality."""

    def bids(n: int, verb: str) -> str:
        return f"{dates.count_words(n)} bid{'s' * (n != 1)} {'were' if n != 1 else 'was'} {verb}"

    ranked = sum(1 for r in records if r.rank)
    if ranked == len(records):
        return f"{bids(ranked, 'evaluated').capitalize()} {weights}."
    unranked = len(records) - ranked
    return (
        f"{bids(len(records), 'received').capitalize()}; {dates.count_words(ranked)} "
        f"{'were' if ranked != 1 else 'was'} ranked {weights}, and "
        f"{dates.count_words(unranked)} {'were' if unranked != 1 else 'was'} not ranked "
        "(Table 1)."
    )


def findings(s: _Numbered, ev: Evaluation, narrative: Narrative) -> None:
    """What Table 1 leaves to words: each bid not ranked and why, the near-tie paragraphs
    (with the narrative's clarification section when interviews were held), and the
    abnormal-price paragraphs. The single-tender report and each lot's section say them
    the same way."""
    names = ev.public_names()
    for r in ev.records():
        if "excluded" in r.flags:
            reason = ev.table.loc[ev.table["bidder_id"] == r.bidder_id, "exclusion_reason"]
            s.para(display.sentence(f"{names[r.bidder_id]} was not ranked: {reason.iat[0]}"))
    sentences, needs_outcome = near_tie_paragraphs(ev, narrative)
    for sentence in sentences:
        s.para(sentence)
    if needs_outcome:
        s.narrative(narrative, "clarification")
    for sentence in abnormal_price_paragraphs(ev):
        s.para(sentence)


def _background(ev: Evaluation, narrative: Narrative) -> _Numbered:
    tender = ev.tender
    s = _Numbered("2")
    s.narrative(narrative, "background")
    s.para(_panel_sentence(tender))
    s.narrative(narrative, "quality", required=False)
    s.para(_criteria_sentence(tender))
    if tender.requirements:
        needs = _join([r.description for r in tender.requirements])
        s.para(
            display.sentence(
                f"Every bid also had to meet the following pass/fail requirements: {needs}"
            )
        )
    for sentence in method_sentences(tender):
        s.para(sentence)
    s.para("The outcomes of the assessment are set out in Table 1 below.")
    s.add(table_1(ev))
    findings(s, ev, narrative)
    s.narrative(narrative, "recommended-bidder", required=False)
    s.add(
        score_chart(ev, "Figure 1: Price score and quality weighted score of each bid (Table 1).")
    )
    return s


def score_chart(ev: Evaluation, caption: str) -> Chart:
    """The score bars of every ranked bid, with Table 1's figures as its table."""
    return Chart(
        caption,
        score_bars(ev),
        Table(
            ("Organisation", "Price Score", "Quality Weighted Score"),
            tuple(row[:3] for row in table_1(ev).rows),
            (0.5, 0.25, 0.25),
            numeric=(1, 2),
        ),
    )


def score_bars(ev: Evaluation) -> ScoreBars:
    """Chart data for Figure 1, read from the Evaluation (ranked bids, best first)."""
    names = ev.public_names()
    rows = [r for r in _rows(ev) if r.rank]
    return ScoreBars(
        tuple(names[r.bidder_id] for r in rows),
        tuple(float(r.price_score or 0.0) for r in rows),
        tuple(float(r.quality_score or 0.0) for r in rows),
        ev.tender.weights.price + ev.tender.weights.quality,
    )


def weight_lines(ev: Evaluation, lines: Lines) -> WeightLines:
    """Chart data for the sensitivity figure, from the price-weight lines the robustness
    analyses drew (`robustness.Robustness.lines`)."""
    names = ev.public_names()
    changes = crossovers(lines)
    labels = tuple(names[i] for i in lines.bidder_ids)
    leaders = {names[c.before] for c in changes} | {names[c.after] for c in changes}
    ranked = [names[r.bidder_id] for r in _rows(ev) if r.rank][:2]
    few = len(labels) <= HIGHLIGHT_ALL_UP_TO
    highlight = tuple(label for label in labels if few or label in leaders or label in ranked)
    return WeightLines(
        labels,
        tuple(float(v) for v in lines.intercept),
        tuple(float(v) for v in lines.slope),
        float(ev.tender.weights.price),
        tuple((c.price_weight, names[c.before], names[c.after]) for c in changes),
        highlight,
    )


def _preferred(
    ev: Evaluation, narrative: Narrative, robustness: Robustness | None = None
) -> _Numbered:
    s = _Numbered("4")
    winner = _winner(ev)
    if winner is not None:
        names = ev.public_names()
        text = (
            f"{names[winner.bidder_id]} achieved the highest total score in the evaluation, "
            f"{winner.display.total_score}"
        )
        second = [r for r in _rows(ev) if r.rank == 2]
        if second:
            gap = Decimal(winner.display.total_score) - Decimal(second[0].display.total_score)
            text += f", {display.plain(gap)} points ahead of the next bid"
        s.para(text + ".")
    s.narrative(narrative, "preferred-option")
    s.narrative(narrative, "financial")
    if robustness is not None and winner is not None:
        s.add(Paragraph("How robust the recommendation is", style="heading"))
        for text in robustness_paragraphs(ev, robustness):
            s.para(text)
    return s


def _next_steps(ev: Evaluation, narrative: Narrative) -> _Numbered:
    s = _Numbered("6")
    s.narrative(narrative, "next-steps")
    letters = ev.tender.letters
    regime = ev.tender.tender.regime
    if letters.illustrative:  # an example's dates: the letters bear them, the report does not
        return s
    if regime == "pcr2015" and letters.sent:
        end = dates.pcr2015_standstill_end(letters.sent)
        s.para(
            f"Award decision notices (PCR 2015 reg 86) are to be sent electronically on "
            f"{dates.long_date(letters.sent)}; the standstill period (reg 87) ends at midnight "
            f"at the end of {dates.long_date(end)}, and the contract will not be entered into "
            "before then."
        )
    elif regime == "pa2023" and letters.award_notice:
        end = dates.pa2023_standstill_end(letters.award_notice)
        s.para(
            "Assessment summaries (Procurement Act 2023 s.50) are to be sent to every bidder "
            "before the contract award notice is published on "
            f"{dates.long_date(letters.award_notice)}; the standstill period (s.51) ends at "
            f"midnight at the end of {dates.long_date(end)}."
        )
    elif regime == "local_rules" and letters.sent:
        s.para(
            f"Every bidder will receive a debrief letter with its scores on "
            f"{dates.long_date(letters.sent)}."
        )
    return s


def _implications(narrative: Narrative) -> tuple[list[Block], list[str]]:
    items = narrative.items.get("implications")
    if not items:
        return [placeholder("implications")], ["implications"]
    rows = []
    for item in items:
        body = "\n\n".join(
            b.text if b.text else "\n\n".join(f"• {x}" for x in b.bullets) for b in item.blocks
        )
        rows.append((item.title, body, item.sign_off or "[NARRATIVE MISSING: sign-off]"))
    return [Table(("Issue", "Implications", "Sign-off"), tuple(rows), (0.22, 0.53, 0.25))], []


def _background_papers(narrative: Narrative) -> _Numbered:
    """Section 9, as committee reports end: the papers relied on, or "None"."""
    s = _Numbered("9")
    if narrative.blocks("background-papers") is None:
        s.add(Paragraph("None."))
    else:
        s.narrative(narrative, "background-papers")
    return s


def _simple(number: str, narrative: Narrative, key: str) -> _Numbered:
    s = _Numbered(number)
    s.narrative(narrative, key)
    return s


def report_content(
    ev: Evaluation,
    narrative: Narrative,
    clarified: tuple[Evaluation, Outcomes] | None = None,
    robustness: Robustness | None = None,
) -> Document:
    """The award recommendation report, in the shape of a council committee report.

    `clarified` (the evaluation as moderated, and the outcomes that revised it) adds
    Appendix F: the revised marks and the result before and after. `robustness` (the
    results of `robustness.analyse` on `ev`) adds the plain-words robustness paragraphs to
    section 4 and draws Appendix D's chart; they are read from it, never recomputed here
    (without it, for a caller that ran no analyses, the chart's lines are drawn here).
    """
    listed = [*APPENDICES, *([("F", CLARIFIED)] if clarified else [])]
    priced = price_appendix_title(ev)
    if priced is not None:
        listed.append((chr(ord(listed[-1][0]) + 1), priced))
    tender = ev.tender
    parts = [
        ("PURPOSE OF REPORT AND EXECUTIVE SUMMARY", _purpose(ev, narrative)),
        ("INTRODUCTION AND BACKGROUND", _background(ev, narrative)),
        ("AVAILABLE OPTIONS", _simple("3", narrative, "options")),
        (
            "PREFERRED OPTION AND REASONS FOR RECOMMENDATIONS",
            _preferred(ev, narrative, robustness),
        ),
        (
            "CONSULTATION RESULTS AND PREVIOUS COMMITTEE FEEDBACK",
            _simple("5", narrative, "consultation"),
        ),
        (
            "NEXT STEPS: COMMUNICATION AND IMPLEMENTATION OF THE DECISION",
            _next_steps(ev, narrative),
        ),
    ]
    sections = [_front(ev, narrative)]
    missing: list[str] = []
    for title, numbered in parts:
        sections.append(numbered.section(title, new_page=numbered.number == "1"))
        missing += numbered.missing
    blocks, lacking = _implications(narrative)
    missing += lacking
    sections.append(Section("CROSS-CUTTING ISSUES AND IMPLICATIONS", tuple(blocks), "7"))
    sections.append(
        Section(
            "REPORT APPENDICES",
            (
                Paragraph(
                    "The following appendices are published with this report and form part of it:"
                ),
                Bullets(tuple(f"Appendix {letter}: {title}" for letter, title in listed)),
            ),
            "8",
            keep_with_next=True,  # with the background papers: never a page of one line
        )
    )
    sections.append(_background_papers(narrative).section("BACKGROUND PAPERS"))
    sections += appendices(ev, robustness.lines if robustness else price_weight_lines(ev))
    if clarified is not None:
        sections.append(clarification_section(clarified[0], ev, clarified[1]))
    if priced is not None:
        sections += price_appendix(ev, f"Appendix {listed[-1][0]}")
    classification = tender.report.classification
    return Document(
        title=tender.tender.title,
        sections=tuple(sections),
        metadata=Metadata(
            title=f"{tender.tender.title}: award recommendation",
            subject=f"{tender.tender.reference}: award recommendation report",
            author=tender.tender.authority,
            date=tender.report.meeting_date,
            keywords=f"{tender.tender.reference}, award recommendation",
        ),
        footer=f"{tender.tender.reference} · {tender.tender.title} · {classification}",
        missing=tuple(missing),
    )


def appendices(ev: Evaluation, lines: Lines) -> list[Section]:
    """Appendices A-E: method, marks, moderation record, sensitivity (drawn from `lines`,
    the robustness analyses' price-weight lines), inputs."""
    return [
        Section("Evaluation method", tuple(_method(ev)), "Appendix A", new_page=True),
        Section(APPENDICES[1][1], tuple(_marks(ev)), "Appendix B", new_page=True),
        Section(APPENDICES[2][1], tuple(_moderation_pointer(ev)), "Appendix C"),
        Section(APPENDICES[3][1], tuple(_sensitivity(ev, lines)), "Appendix D", new_page=True),
        Section(APPENDICES[4][1], tuple(_inputs(ev)), "Appendix E"),
    ]


EXEMPT = (
    "for a council, exempt information under paragraph 3 of Part 1 of Schedule 12A to the "
    "Local Government Act 1972: 'Information relating to the financial or business affairs "
    "of any particular person'"
)
CONFIDENTIAL = (
    f"CONFIDENTIAL: the evaluation panel's internal record, not for publication ({EXEMPT})."
)
PRICES_CONFIDENTIAL = (
    "CONFIDENTIAL: each bid's rates line by line, commercially sensitive and not for "
    f"publication ({EXEMPT})."
)


def _moderation_pointer(ev: Evaluation) -> list[Block]:
    """What the public report says of the moderation record, which it does not print."""
    if ev.provisional:
        return list(_moderation(ev))
    return [
        Paragraph(
            "Each evaluator's marks, the spread between them and the panel's internal "
            "rationale for every agreed mark are the panel's record. They are set out in the "
            "confidential appendix to this report (award-report-confidential), which is not "
            "for publication. Bidders receive the panel's feedback on their own tender."
        )
    ]


CLARIFIED = "Clarification: marks revised, and the result before and after"


def clarification_section(before: Evaluation, after: Evaluation, outcomes: Outcomes) -> Section:
    """The marks the clarification interviews revised, and the result before and after.

    The panel's reasons stay in the confidential appendix; this shows what changed.
    """
    names = after.public_names()
    titles = {leaf.id: leaf.title for leaf in after.tender.quality.leaves()}
    revised = tuple(
        (
            names[c.bidder_id],
            f"{c.criterion_id} {titles.get(c.criterion_id, '')}".strip(),
            display.mark(c.from_mark),
            display.mark(c.to_mark),
            dates.long_date(c.interview_date),
        )
        for c in changes(before, outcomes)
    )
    rows = tuple(
        (
            names[r.bidder_id],
            _shown(r.total_before),
            _shown(r.total_after),
            "–" if r.rank_before is None else str(r.rank_before),
            "–" if r.rank_after is None else str(r.rank_after),
        )
        for r in before_after(before, after)
    )
    blocks: tuple[Block, ...] = (
        Paragraph(leader_sentence(before, after, len(outcomes.revisions))),
        Table(
            ("Organisation", "Criterion", "Mark before", "Mark after", "Interview"),
            revised,
            (0.3, 0.3, 0.12, 0.12, 0.16),
            "Table F.1: Moderated marks revised after clarification.",
            numeric=(2, 3),
        ),
        Table(
            ("Organisation", "Total before", "Total after", "Rank before", "Rank after"),
            rows,
            (0.4, 0.15, 0.15, 0.15, 0.15),
            "Table F.2: Total scores and ranks before and after the revisions.",
            numeric=(1, 2, 3, 4),
        ),
    )
    return Section(CLARIFIED, blocks, "Appendix F", new_page=True)


def _shown(value: float | None) -> str:
    return "–" if value is None else display.score(value)


def confidential_subject(reference: str, priced: bool) -> str:
    """The confidential appendix's document subject: what it holds."""
    what = "moderation record" + (" and rates line by line" if priced else "")
    return f"{reference}: {what} (not for publication)"


def confidential_content(
    ev: Evaluation, table: str = "Table C.1", scores_at: str = "the report's Table 1"
) -> Document:
    """The moderation record (its table numbered `table`) and, under a schedule or parts,
    every bid's rates line by line: what the public report withholds, marked not for
    publication on every page. `scores_at` is where the report shows the bids' scores."""
    tender = ev.tender
    sections = [
        Section(
            f"Confidential appendix: {APPENDICES[2][1]}",
            (Paragraph(CONFIDENTIAL, style="banner"), *_moderation(ev, table)),
        )
    ]
    detail = price_detail(ev, scores_at)
    if detail:
        sections.append(
            Section(
                f"Confidential appendix: {PRICES_DETAIL_TITLE}",
                (Paragraph(PRICES_CONFIDENTIAL, style="banner"), *detail),
                new_page=True,
            )
        )
    return Document(
        title=f"{tender.tender.title}: confidential appendix",
        sections=tuple(sections),
        metadata=Metadata(
            title=f"{tender.tender.title}: confidential appendix",
            subject=confidential_subject(tender.tender.reference, bool(detail)),
            author=tender.tender.authority,
            date=tender.report.meeting_date,
            keywords=f"{tender.tender.reference}, confidential",
        ),
        footer=f"{tender.tender.reference} · Confidential: not for publication",
    )


def _criterion_rows(
    criteria: list[Criterion], depth: int, scale_max: float
) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for c in criteria:
        indent = "    " * depth
        how = (
            "the sum of its sub-criteria"
            if c.sub_criteria
            else f"weight × mark ÷ {scale_max:g}"
            + (f"; a mark below {c.minimum_mark:g} excludes the bid" if c.minimum_mark else "")
        )
        guidance = f"\n\n{c.guidance}" if c.guidance else ""
        rows.append((f"{indent}{c.id}", f"{c.title}{guidance}", f"{c.weight:g}", how))
        rows += _criterion_rows(c.sub_criteria, depth + 1, scale_max)
    return rows


def price_formula_prose(tender: Tender) -> str:
    """How the price formula turns an offer into a score, in words a committee reads."""
    spec = tender.price.formula
    w = f"{tender.weights.price:g}"
    name = spec.name
    if name == "lowest_price":
        return (
            f"the lowest price scored the full {w}; every other price scored {w} multiplied by "
            "the lowest price and divided by its own, so a price twice the lowest scored half."
        )
    if name == "linear_deduction":
        k = getattr(spec, "k", 1.0)
        zero = f"{1 + 1 / k:g}" if k else "no"
        return (
            f"the lowest price scored the full {w}; every other price lost marks in a straight "
            f"line with its difference from the lowest (k = {k:g}), reaching 0 at {zero} times "
            "the lowest price."
        )
    if name == "interpolation":
        return (
            f"the lowest price scored the full {w} and the highest price 0; a price between "
            "them scored in proportion to where it fell between the two. Had every price been "
            f"the same, every bid would have scored {w}."
        )
    if name == "budget_relative":
        budget = getattr(spec, "budget", "")
        return (
            f"the lowest price scored the full {w} and a price at or above the budget of "
            f"{budget} scored 0; a price between them scored in proportion to where it fell "
            "between the two."
        )
    if name == "highest_offer":
        return (
            f"the highest offer scored the full {w}; every other offer scored {w} multiplied by "
            "the offer and divided by the highest offer, so an offer of half the highest scored "
            f"half. Had no bidder offered anything, every bid would have scored {w}."
        )
    if name == "log":
        a = f"{getattr(spec, 'zero_at_multiple', 2.0):g}"
        return (
            f"the lowest price scored the full {w} and a price {a} times the lowest scored 0; "
            "a price between lost marks in proportion to the logarithm of its ratio to the "
            "lowest, so a new lowest bid moves every other score by the same amount and "
            "cannot change their order."
        )
    return FORMULAS[name].equation + "."


def _method(ev: Evaluation, letter: str = "A") -> list[Block]:
    """Appendix `letter`: the method, its tables numbered `letter`.1 and `letter`.2."""
    tender = ev.tender
    scale = tender.quality.scale
    blocks: list[Block] = [
        Paragraph(f"Legal regime: {REGIME_NAMES[tender.tender.regime]}."),
        *[Paragraph(text) for text in method_sentences(tender)],
        _criteria_table(tender, letter),
        Paragraph(f"Price formula: {price_formula_prose(tender)}"),
    ]
    if scale.descriptors:
        blocks.append(
            Table(
                ("Mark", "Descriptor"),
                tuple((f"{m:g}", d) for m, d in sorted(scale.descriptors.items())),
                (0.12, 0.88),
                f"Table {letter}.2: Marking scale.",
                numeric=(0,),
            )
        )
    blocks.append(Paragraph(f"Marks allowed: {scale.describe()}."))
    return blocks + _method_rules(ev)


def _criteria_table(tender: Tender, letter: str = "A") -> Table:
    """Table `letter`.1: price and each quality criterion, its weight and how it is scored."""
    formula = FORMULAS[tender.price.formula.name]
    params = tender.price.formula.model_dump(mode="json", exclude={"name"})
    equation = formula.equation + (
        " (" + ", ".join(f"{k} = {v}" for k, v in params.items()) + ")" if params else ""
    )
    rows: list[tuple[str, ...]] = [
        ("Price", tender.price.criterion, f"{tender.weights.price:g}", equation)
    ]
    rows += _criterion_rows(tender.quality.criteria, 0, tender.quality.scale.maximum)
    return Table(
        ("Criterion", "What was assessed", "Weight", "How it is scored"),
        tuple(rows),
        (0.12, 0.46, 0.1, 0.32),
        f"Table {letter}.1: Award criteria and weights.",
        numeric=(2,),
    )


def _method_rules(ev: Evaluation) -> list[Block]:
    """Thresholds, pass/fail requirements, near-ties and tie-breaks, and the consensus rule."""
    tender = ev.tender
    thresholds = []
    if tender.quality.minimum_score is not None:
        thresholds.append(
            f"a bid scoring below {tender.quality.minimum_score:g} on quality is not ranked"
        )
    thresholds += [
        f"a mark below {c.minimum_mark:g} on {c.id} excludes the bid"
        for c in tender.quality.leaves()
        if c.minimum_mark is not None
    ]
    blocks: list[Block] = [
        Paragraph(
            "Quality thresholds: " + ("; ".join(thresholds) + "." if thresholds else "none set.")
        )
    ]
    for requirement in tender.requirements:
        blocks.append(
            Paragraph(
                f"Pass/fail requirement {requirement.id}: {requirement.description} "
                f"(a bid failing it is not ranked)."
            )
        )
    rules = tender.ranking.tie_break
    blocks.append(
        Paragraph(
            f"Near-ties: bids within {tender.near_tie.margin:g} points of the leader are "
            "recommended for a clarification interview before award. Equal totals: "
            + (
                "ordered by " + ", then ".join(r.replace("_", " ") for r in rules) + "."
                if rules
                else "no tie-break rule was stated, so tied bids share a rank for the "
                "decision-maker to resolve."
            )
        )
    )
    blocks.append(
        Paragraph(
            "Consensus: "
            + (
                f"PROVISIONAL, the {PROVISIONAL_RULE} (no moderated marks yet)."
                if ev.provisional
                else "the marks the panel agreed at moderation, each with its rationale."
            )
        )
    )
    return blocks


def _marks(ev: Evaluation, letter: str = "B") -> list[Block]:
    """Appendix `letter`: each bid's mark and weighted score on each criterion."""
    tender = ev.tender
    leaves = tender.quality.leaves()
    names = ev.public_names()
    index = {b: i for i, b in enumerate(ev.table["bidder_id"])}
    rows = []
    for r in _rows(ev):
        i = index[r.bidder_id]
        cells = [names[r.bidder_id]]
        for j, leaf in enumerate(leaves):
            mark = ev.consensus[i, j]
            score = ev.criterion_scores[leaf.id][i]
            cells.append("–" if np.isnan(mark) else f"{mark:g} ({display.score(score)})")
        cells.append(r.display.quality_score)
        rows.append(tuple(cells))
    count = len(leaves)
    name_width = 0.3 if count <= 6 else 0.2
    rest = (1 - name_width) / (count + 1)
    header = ("Organisation", *[f"{c.id} ({c.weight:g})" for c in leaves], "Quality weighted score")
    agreed = "provisional" if ev.provisional else "moderated"
    return [
        Paragraph(
            f"Each cell shows the {agreed} mark out of {tender.quality.scale.maximum:g} and, in "
            "brackets, the weighted score it gives (criterion weight in the column heading). "
            + "; ".join(f"{c.id}: {c.title}" for c in leaves)
            + "."
        ),
        Table(
            header,
            tuple(rows),
            (name_width, *([rest] * (count + 1))),
            f"Table {letter}.1: Marks and weighted scores by criterion.",
            numeric=tuple(range(1, count + 2)),
            small=count > 6,
        ),
    ]


def _moderation(ev: Evaluation, table: str = "Table C.1") -> list[Block]:
    tender = ev.tender
    if ev.provisional:
        return [
            Paragraph(
                f"No moderated marks exist yet: quality is PROVISIONAL, the {PROVISIONAL_RULE}."
            )
        ]
    if ev.individual is None or not ev.individual.size:
        return [
            Paragraph(
                "Evaluators' individual marks were not supplied, so the agreed marks cannot be "
                "compared with them here."
            )
        ]
    flag = spread_threshold(tender)
    median, spread = ev.median, ev.spread
    assert median is not None  # the individual marks are there, checked above
    assert spread is not None
    differs = differs_from_median(ev.consensus, median)
    differs |= needs_discussion(spread, flag) & ~np.isnan(ev.consensus)
    leaves = tender.quality.leaves()
    names = ev.public_names()
    rationale = _rationale_lookup(ev)
    rows = []
    panel = tender.panel_ids()
    for i, j in zip(*np.nonzero(differs), strict=True):
        bidder = str(ev.table["bidder_id"].iat[i])
        marks = ", ".join(
            f"{e} {ev.individual[i, j, k]:g}"
            for k, e in enumerate(panel)
            if not np.isnan(ev.individual[i, j, k])
        )
        rows.append(
            (
                names[bidder],
                leaves[j].id,
                marks,
                f"{median[i, j]:g}",
                f"{ev.consensus[i, j]:g}",
                rationale.get((bidder, leaves[j].id), "") or "[NO RATIONALE RECORDED]",
            )
        )
    intro = Paragraph(
        "Marks where the agreed mark differs from the median of the evaluators' marks, or "
        f"where the evaluators' marks spread by {flag:g} or more, with the panel's rationale. "
        "Evaluators' individual marks are kept unchanged."
    )
    if not rows:
        return [intro, Paragraph("None: every agreed mark equals the evaluators' median.")]
    return [
        intro,
        Table(
            ("Organisation", "Criterion", "Evaluators' marks", "Median", "Agreed", "Rationale"),
            tuple(rows),
            (0.17, 0.1, 0.17, 0.09, 0.09, 0.38),
            f"{table}: Moderation record.",
            numeric=(3, 4),
            small=True,
        ),
    ]


def _rationale_lookup(ev: Evaluation) -> dict[tuple[str, str], str]:
    if ev.rationales is None:
        return {}
    frame = ev.rationales
    return {
        (str(b), str(c)): str(t)
        for b, c, t in zip(
            frame["bidder_id"], frame["criterion_id"], frame["rationale"], strict=True
        )
    }


def _sensitivity(ev: Evaluation, lines: Lines, figure: str = "Figure 2") -> list[Block]:
    """The price-weight appendix; its chart's caption starts with `figure`."""
    data = weight_lines(ev, lines)
    blocks: list[Block] = [
        Paragraph(
            "Each line shows a bid's total score if the price weight were changed (the quality "
            "weight being 100 minus the price weight), with every mark and price held as "
            f"evaluated. The dashed line marks the weight used, {data.current:g}."
        ),
        Chart(f"{figure}: Total score against the price weight.", data, _leader_ranges(data)),
    ]
    if not data.crossovers:
        if data.labels:
            blocks.append(
                Paragraph(
                    "The same bid leads at every price weight from 0 to 100: the result does "
                    "not depend on the choice of weights."
                )
            )
        return blocks
    points = [
        f"at a price weight of {display.score(w)} the lead passes from {before} to {after}"
        for w, before, after in data.crossovers
    ]
    nearest = min(data.crossovers, key=lambda c: abs(c[0] - data.current))
    blocks.append(Paragraph(display.sentence("Leader changes: " + "; ".join(points))))
    blocks.append(
        Paragraph(
            f"The nearest change of leader to the weight used is at {display.score(nearest[0])}, "
            f"{display.score(abs(nearest[0] - data.current))} points "
            f"{'below' if nearest[0] < data.current else 'above'} it."
        )
    )
    return blocks


def _leader_ranges(data: WeightLines) -> Table | None:
    """The leader over each range of price weight: the figure's message as a table."""
    if not data.labels:
        return None
    rows = []
    start = 0.0
    leader = data.crossovers[0][1] if data.crossovers else _leader_at_zero(data)
    for w, _before, after in data.crossovers:
        rows.append((f"{display.score(start)} to {display.score(w)}", leader))
        start, leader = w, after
    rows.append((f"{display.score(start)} to 100", leader))
    return Table(("Price weight", "Leading bid"), tuple(rows), (0.3, 0.7))


def _leader_at_zero(data: WeightLines) -> str:
    best = max(range(len(data.labels)), key=lambda i: (data.intercept[i], data.slope[i]))
    return data.labels[best]


def _inputs(ev: Evaluation, letter: str = "E") -> list[Block]:
    """Appendix `letter`: every input file's fingerprint and the tool's version."""
    rows = tuple((path, digest) for path, digest in sorted(ev.fingerprints.items())) or (
        ("none: the evaluation was made from data in memory, not from files", ""),
    )
    return [
        Paragraph(
            "The figures in this report were produced from exactly these files; anyone can "
            "check a file against its SHA-256 fingerprint."
            + (f" {ev.tender.data.provenance}" if ev.tender.data.provenance else "")
        ),
        Table(("Input", "SHA-256"), rows, (0.36, 0.64), f"Table {letter}.1: Inputs.", small=True),
        Paragraph(f"Produced by tender {__version__}."),
    ]


def robustness_paragraphs(ev: Evaluation, r: Robustness) -> list[str]:
    """The robustness analysis in plain words: verdict, smallest change, crossovers, and why
    the weights stand. Read from `robustness.analyse`'s results; nothing is recomputed."""
    names = ev.public_names()
    tender = ev.tender
    titles = {c.id: c.title for c in tender.quality.leaves()}
    out = [_verdict_words(ev, r, names)]
    out.append(_change_words(r, names, titles))
    out.append(_crossover_words(ev, r, names))
    out.append(
        f"The weights (price {tender.weights.price:g}, quality {tender.weights.quality:g}) were "
        "fixed by the invitation to tender; they cannot be changed once tenders have been "
        "received. These figures show how close the decision is, not another way of making it."
    )
    return out


def _verdict_words(ev: Evaluation, r: Robustness, names: dict[str, str]) -> str:
    margin = f"{ev.tender.near_tie.margin:g}"
    if not r.verdicts:
        return (
            f"Verdict: ROBUST. No other bid is within the near-tie margin of {margin} points of "
            "the recommended bid." + _one_step_caveat(ev, r)
        )
    totals = {str(row.bidder_id): row for row in _rows(ev)}
    step = ev.tender.quality.scale.step
    evaluator = any(w.evaluator_id is not None and w.leader_changed for w in r.without)
    out = []
    for v in r.verdicts:
        gap = Decimal(totals[v.leader].display.total_score) - Decimal(
            totals[v.other].display.total_score
        )
        lead = f"{names[v.leader]} leads {names[v.other]} by {display.plain(gap)} points"
        out.append(_pair_verdict(v, lead, step, evaluator))
    word = "ROBUST" if all(v.robust for v in r.verdicts) else "FRAGILE"
    return f"Verdict: {word}. " + "; ".join(out) + "."


def _pair_verdict(v: Verdict, lead: str, step: float | None, evaluator: bool) -> str:
    """Why one pair is robust or fragile: one mark step, or one evaluator set aside."""
    if v.robust:
        return f"{lead}, and no change of one mark step would tie or reverse them"
    why = []
    one_step = [c for c in v.changes if step is not None and c.marks_moved <= step + 1e-9]
    if one_step:
        effect = (
            "reverse them"
            if any(c.outcome == "lead" for c in one_step)
            else "tie them (reversing them takes more)"
        )
        why.append(f"a change of one mark step on a single criterion would {effect}")
    if evaluator:
        why.append("setting aside one evaluator's marks would change the leader")
    return f"{lead}; " + " and ".join(why or ["their totals are level"])


def _one_step_caveat(ev: Evaluation, r: Robustness) -> str:
    """Outside the near-tie margin a lead can still turn on one mark: say so, so that
    "ROBUST" is not read as more than the near-tie rules say."""
    step = ev.tender.quality.scale.step
    if step is None:
        return ""
    for outcome, effect in (("lead", "change the leader"), ("tie", "tie first place")):
        if any(c.marks_moved <= step + 1e-9 for c in smallest(r.changes, outcome)):
            return (
                " Even so, a change of one mark step on a single criterion would "
                f"{effect} (next paragraph)."
            )
    return ""


def _change_words(r: Robustness, names: dict[str, str], titles: dict[str, str]) -> str:
    parts = []
    for outcome, verb in (("tie", "would tie first place"), ("lead", "would change the leader")):
        least = smallest(r.changes, outcome)
        if not least:
            continue
        moved = least[0].marks_moved
        shown = " or ".join(
            f"{c.criterion_id} {titles.get(c.criterion_id, '')} for {names[c.bidder_id]} from "
            f"{c.from_mark:g} to {c.to_mark:g}"
            for c in least[:2]
        )
        more = ", among others" if len(least) > 2 else ""
        marks = f"{moved:g} mark{'s' if moved != 1 else ''}"
        parts.append(f"moving one moderated mark by {marks} ({shown}{more}) {verb}")
    if not parts:
        return (
            "No change of a single moderated mark, to any other mark on the scale, would tie "
            "or change first place."
        )
    return "The smallest change that would alter the recommendation: " + "; ".join(parts) + "."


def _crossover_words(ev: Evaluation, r: Robustness, names: dict[str, str]) -> str:
    set_at = ev.tender.weights.price
    if not r.crossovers:
        return (
            "The same bid leads at every price weight from 0 to 100: the choice of weights "
            "does not decide the result."
        )
    points = [
        f"at {display.score(c.price_weight)} the lead passes from {names[c.before]} to "
        f"{names[c.after]}"
        for c in r.crossovers
    ]
    nearest = min(r.crossovers, key=lambda c: abs(c.price_weight - set_at))
    return (
        display.sentence(
            "If the price weight had been different (quality taking the rest of the 100): "
            + "; ".join(points)
        )
        + f" The nearest of these, {display.score(nearest.price_weight)}, is "
        f"{display.score(abs(nearest.price_weight - set_at))} points "
        f"{'below' if nearest.price_weight < set_at else 'above'} the weight used, {set_at:g}."
    )
