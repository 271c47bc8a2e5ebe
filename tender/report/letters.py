"""Bidder letters per legal regime, and the completeness check that gates them.

- Procurement Act 2023: an assessment summary for every assessed tender (s.50), with the
  content of the Procurement Regulations 2024 reg 31; standstill of eight working days from
  the contract award notice (s.51).
- Public Contracts Regulations 2015: the reg 86 notice; standstill end per reg 87.
- Local rules (below threshold, concessions): a plain debrief letter.

A letter shows its own bidder's figures and the winner's, never another bidder's. Each is
a `Document`, so the PDF and DOCX renderers lay it out exactly as they do the report.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from .. import dates, display
from ..bidders import REG31_ITEMS, Supplier
from ..clarifications import Outcomes
from ..errors import Problem
from ..feedback import feedback_leak
from ..inputs import display_path, project_root
from ..model import REGIME_NAMES, BudgetRelative, Criterion, Tender
from ..notes import BidRecord
from ..price import FORMULAS, parameters
from ..pricing import HIGHEST_OTHER, STATED
from ..scoring import Evaluation
from .document import Block, Bullets, Document, Metadata, Paragraph, Section, Table

STOP_WORDS = frozenset(
    re.findall(
        r"\w+",
        "a an and are as at be but by for from has have in is it its of on or not no only so "
        "that the their there this to very was were which with",
    )
)
GENERIC_WORDS = frozenset(
    re.findall(
        r"\w+",
        "mark marks marked score scored scoring response responses bid bids tender tenderer "
        "submission criterion criteria requirement requirements question answer overall "
        "good poor weak fair average adequate acceptable satisfactory strong excellent",
    )
)
WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(10)] + [f"lpt{i}" for i in range(10)]
)
MAX_SLUG = 60

TITLES = {
    "pa2023": "Assessment summary",
    "pcr2015": "Notice of the decision to award the contract",
    "local_rules": "Outcome of your tender",
}


# A letter to an excluded bid whose evaluation carries no recorded reason (one not made by
# the workflow that read its bids): shown visibly, and the completeness check refuses it.
NO_EXCLUSION_REASON = "[NOT SET: why bid {} was not ranked]"

# What each regime calls the tender that wins: PA 2023 s.19 "most advantageous tender";
# PCR 2015 reg 67 (and most contract procedure rules) "most economically advantageous".
BEST_TENDER = {
    "pa2023": "the most advantageous tender",
    "pcr2015": "the most economically advantageous tender",
    "local_rules": "the most economically advantageous tender",
}


@dataclass(frozen=True)
class Completeness:
    """What the completeness check found: `problems` refuse issue; `warnings` do not."""

    problems: list[Problem]
    warnings: list[str]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in STOP_WORDS}


def restates_descriptor(rationale: str, tender: Tender, criterion: Criterion) -> bool:
    """True when an explanation uses only the scale's descriptor words and the criterion's
    title: it says what the mark means, not why this tender earned it (Woods Building
    Services v Milton Keynes Council [2015] EWHC 2011 (TCC))."""
    vocabulary = set(GENERIC_WORDS) | _words(criterion.title)
    for descriptor in tender.quality.scale.descriptors.values():
        vocabulary |= _words(descriptor)
    return _words(rationale) <= vocabulary


def _rationales(ev: Evaluation) -> dict[tuple[str, str], str]:
    """The feedback written for each bidder × criterion: what a letter may quote.

    Never the panel's internal rationale, which may name evaluators or other bids.
    """
    if ev.rationales is None or "feedback" not in ev.rationales:
        return {}
    frame = ev.rationales
    return {
        (str(b), str(c)): str(t).strip()
        for b, c, t in zip(
            frame["bidder_id"], frame["criterion_id"], frame["feedback"], strict=True
        )
    }


def check_completeness(ev: Evaluation) -> Completeness:
    """Refuse letters while any mark lacks an explanation or a date the letter needs.

    Warn where an explanation only restates the scale descriptor.
    """
    tender = ev.tender
    root = project_root(tender)
    definition = display_path(tender.source, root) if tender.source else tender.tender.reference
    moderated = (
        display_path(tender.resolve(tender.data.moderated), root)
        if tender.data.moderated
        else "moderated marks"
    )
    problems: list[Problem] = []
    warnings: list[str] = []
    if tender.letters.sent is None:
        problems.append(
            Problem(definition, "letters.sent", "nothing", "the date the letters are sent")
        )
    if ev.provisional:
        problems.append(
            Problem(
                moderated,
                "",
                "no moderated marks (quality is PROVISIONAL)",
                "the panel's agreed marks, each with a rationale that the letters can quote",
            )
        )
        return Completeness(problems, warnings)
    problems += _outcome_problems(ev, definition)
    problems += _unexplained_exclusions(ev, definition)
    _check_feedback(ev, moderated, problems, warnings)
    return Completeness(problems, warnings)


def _outcome_problems(ev: Evaluation, definition: str) -> list[Problem]:
    """A single first-ranked bid, and what the regime requires the letters to state."""
    tender = ev.tender
    problems: list[Problem] = []
    first = ev.table.loc[ev.table["rank"] == 1, "bidder_id"]
    if ev.awarded is None:
        problems.append(
            Problem(
                definition,
                "ranking",
                f"{len(first)} bids ranked first" if len(first) else "no bid that can be ranked",
                "a single first-ranked bid (letters state the outcome; resolve the tie first)",
            )
        )
    if tender.tender.regime == "pa2023":
        if tender.letters.criteria_at is None:
            problems.append(
                Problem(
                    definition,
                    "letters.criteria_at",
                    "nothing",
                    "where the award criteria and assessment methodology can be read in full, "
                    "such as 'the invitation to tender, part 3' (Procurement Regulations 2024 "
                    "reg 31(2)(d)(ii): the letter gives a summary)",
                )
            )
        problems += _missing_supplier_details(ev)
    return problems


def _unexplained_exclusions(ev: Evaluation, definition: str) -> list[Problem]:
    """Every excluded bid whose letter could not say why: its evaluation carries no reason."""
    table = ev.table
    excluded = table.loc[table["is_excluded"].astype(bool), "bidder_id"].astype(str)
    return [
        Problem(
            definition,
            f"bidder {bidder}",
            "an excluded bid with no reason recorded in the tender's published rules",
            "the evaluation made from the tender's files (workflows.evaluation.evaluate_file), "
            "which records why each excluded bid was not ranked, for its letter",
        )
        for bidder in excluded
        if bidder not in ev.exclusions
    ]


def _check_feedback(
    ev: Evaluation, moderated: str, problems: list[Problem], warnings: list[str]
) -> None:
    """Every moderated mark explained, naming no one else; a restated descriptor a warning."""
    tender = ev.tender
    rationale = _rationales(ev)
    names = dict(zip(map(str, ev.table["bidder_id"]), map(str, ev.table["bidder"]), strict=True))
    leaves = tender.quality.leaves()
    for i, bidder in enumerate(ev.table["bidder_id"]):
        for j, leaf in enumerate(leaves):
            if np.isnan(ev.consensus[i, j]):
                continue
            text = rationale.get((str(bidder), leaf.id), "")
            where = f"bidder {bidder}, criterion {leaf.id}"
            leak = feedback_leak(text, str(bidder), tender.panel_ids(), names)
            if not text:
                problems.append(
                    Problem(
                        moderated,
                        where,
                        f"a moderated mark of {ev.consensus[i, j]:g} with no feedback",
                        "feedback to the bidder explaining the mark by reference to its "
                        "tender (the moderation workbook's 'Feedback to the bidder' column)",
                    )
                )
            elif leak is not None:
                problems.append(
                    Problem(
                        moderated,
                        where,
                        f"feedback naming {leak}",
                        "feedback about this bid only, naming no evaluator or other bidder",
                    )
                )
            elif restates_descriptor(text, tender, leaf):
                warnings.append(
                    f"{moderated}: {where}: the feedback {text!r} only restates the scale "
                    "descriptor; say what in the tender earned the mark"
                )


def supplier(ev: Evaluation, bidder_id: str) -> Supplier:
    """The bid's supplier as the bids file names it; only its name when no details were read."""
    found = ev.suppliers.get(bidder_id)
    if found is not None:
        return found
    position = list(map(str, ev.table["bidder_id"])).index(bidder_id)
    return Supplier(bidder_id, str(ev.table["bidder"].iat[position]), position + 2)


def _missing_supplier_details(ev: Evaluation) -> list[Problem]:
    """Every reg 31(2)(b)-(c) item missing from the bids file, bid by bid: each refuses."""
    tender = ev.tender
    bids = display_path(tender.resolve(tender.data.bids), project_root(tender))
    problems = []
    for bidder_id in map(str, ev.table["bidder_id"]):
        details = supplier(ev, bidder_id)
        problems += [
            Problem(
                bids,
                f"line {details.line} (bidder {bidder_id}), column {column}",
                "nothing",
                f"{REG31_ITEMS[column]}, which the assessment summary must give",
            )
            for column in details.missing_for_reg31()
        ]
    return problems


# The words of a price formula's equation, each replaced by its figure in a tender's working.
EQUATION_TERMS = re.compile(
    r"\bhighest offer\b|\boffer\b|\bprice\b|\blowest\b|\bhighest\b|\bbudget\b|\bW\b|\bk\b|\bA\b"
)


def _amount(row: Any) -> Decimal:
    """A bid's price as read (Decimal), or its float's shortest decimal form."""
    value = row.get("price_amount") if hasattr(row, "get") else None
    return value if isinstance(value, Decimal) else Decimal(repr(float(row["price"])))


@dataclass(frozen=True)
class LetterBasis:
    """What every letter reads of the whole evaluation, worked out once per run.

    Each letter names only its own bid and the winner, but finding them, the feedback and
    the price anchors means a pass over every bid: done per letter, 200 letters cost
    200 passes over 200 bids.
    """

    records: dict[str, BidRecord]
    winner: BidRecord | None
    rationale: dict[tuple[str, str], str]
    index: dict[str, int]
    amounts: tuple[Decimal, Decimal] | None  # lowest and highest compliant price scored


def letter_basis(ev: Evaluation) -> LetterBasis:
    """The records, winner, feedback, table positions and price anchors every letter reads."""
    records = ev.records()
    by_id = {str(r.bidder_id): r for r in records}
    return LetterBasis(
        records=by_id,
        winner=by_id.get(ev.awarded) if ev.awarded is not None else None,
        rationale=_rationales(ev),
        index={str(b): i for i, b in enumerate(ev.table["bidder_id"])},
        amounts=_price_anchors(ev),
    )


def _price_anchors(ev: Evaluation) -> tuple[Decimal, Decimal] | None:
    """The lowest and highest price among the compliant bids scored, if any."""
    table = ev.table
    scored = table[~table["is_excluded"].astype(bool) & table["price"].notna()]
    amounts = [_amount(row) for _, row in scored.iterrows()]
    return (min(amounts), max(amounts)) if amounts else None


def price_working(
    ev: Evaluation, bidder_id: str, own: bool = True, basis: LetterBasis | None = None
) -> str:
    """The price score explained by reference to the tender: the bid's price or offer, the
    anchor it was scored against (taken over the compliant bids scored), the formula with
    the figures put in, and the score (Procurement Regulations 2024 reg 31(2)(e)(i)(aa)).

    The anchor is a figure, never a name: the letter does not say whose bid set it.
    """
    tender = ev.tender
    spec = tender.price.formula
    formula = FORMULAS[spec.name]
    currency = tender.tender.currency
    word = "offer" if formula.better == "higher" else "price"
    if ev.pricing is not None:  # a schedule or parts: the price scored is worked out
        word = f"evaluated {word}"
    table = ev.table
    if basis is None:
        lowest, highest = _anchors_or_fail(_price_anchors(ev))
        row = table.loc[table["bidder_id"] == bidder_id].iloc[0]
    else:
        lowest, highest = _anchors_or_fail(basis.amounts)
        row = table.iloc[basis.index[bidder_id]]
    amount = _amount(row)
    figures = {
        "W": f"{tender.weights.price:g}",
        "price": display.money(amount, currency),
        "offer": display.money(amount, currency),
        "lowest": display.money(lowest, currency),
        "highest": display.money(highest, currency),
        "highest offer": display.money(highest, currency),
    }
    given = parameters(spec)
    if isinstance(spec, BudgetRelative):
        figures["budget"] = display.money(Decimal(str(spec.budget)), currency)
    if "k" in given:
        figures["k"] = f"{given['k']:g}"
    if "zero_at_multiple" in given:
        figures["A"] = f"{given['zero_at_multiple']:g}"
    used = set(EQUATION_TERMS.findall(formula.equation))
    anchors = []
    if "lowest" in used:
        anchors.append(f"the lowest {word} among the compliant tenders, {figures['lowest']}")
    if used & {"highest", "highest offer"}:
        anchors.append(f"the highest {word} among the compliant tenders, {figures['highest']}")
    if "budget" in used:
        anchors.append(f"the budget of {figures['budget']}")
    working = EQUATION_TERMS.sub(lambda m: figures.get(m.group(0), m.group(0)), formula.equation)
    score = display.score(float(row["price_score"]))
    whose = "Your" if own else "Its"
    return (
        f"{whose} {word} of {display.money(amount, currency)}, scored against "
        f"{' and '.join(anchors) or 'the formula'}: {formula.equation} = {working} = {score} "
        f"out of {tender.weights.price:g}." + _unpriced_lines(ev, bidder_id, own)
    )


def _unpriced_lines(ev: Evaluation, bidder_id: str, own: bool) -> str:
    """The lines of a schedule the bid left unpriced and how the tender's missing-line rule
    counts them: the evaluated price is not the bid's own sum without them.

    A rate the tender states is the tender's own and is given. The highest rate another
    compliant bid offered is that bidder's, commercially confidential, and is never given:
    the sentence states the rule and the evaluated price that includes it (the panel finds
    the figure in the confidential appendix)."""
    pricing = ev.pricing
    if pricing is None or bidder_id not in pricing.bidder_ids:
        return ""
    bid = pricing.bidder_ids.index(bidder_id)
    filled = [t for t in pricing.trace(bid) if t.basis in (HIGHEST_OTHER, STATED)]
    if not filled:
        return ""
    currency = ev.tender.tender.currency
    whose, its = ("Your tender", "your") if own else ("It", "its")
    ids = [t.line_id for t in filled]
    one = len(ids) == 1
    named = f"line {ids[0]}" if one else f"lines {', '.join(ids[:-1])} and {ids[-1]}"
    rule = filled[0].basis.removeprefix("missing: ")  # one rule for every line
    if filled[0].basis == STATED:
        rule += f" ({display.money(filled[0].rate, currency)})"
    price = display.money(pricing.evaluated[bid], currency)
    out = (
        f" {whose} left {named} unpriced; as the tender documents state, "
        f"{'it is' if one else 'each is'} {rule}, and {its} evaluated price of {price} "
        f"includes {'it at that rate' if one else 'them at those rates'}."
    )
    if own and filled[0].basis == HIGHEST_OTHER:
        out += (
            " That rate is another bidder's offer, commercially confidential, so it is not "
            "given here."
            if one
            else " Those rates are other bidders' offers, commercially confidential, so they "
            "are not given here."
        )
    return out


def _anchors_or_fail(amounts: tuple[Decimal, Decimal] | None) -> tuple[Decimal, Decimal]:
    """The anchors, which a price working cannot be written without."""
    if amounts is None:
        raise ValueError("no compliant price was scored: there is no anchor to explain")
    return amounts


def letter_slug(bidder_id: str, bidder: str) -> str:
    """A safe file stem from a bidder's id and name: ASCII letters, digits and hyphens."""
    ascii_text = (
        unicodedata.normalize("NFKD", f"{bidder_id} {bidder}").encode("ascii", "ignore").decode()
    )
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:MAX_SLUG].strip("-")
    if not stem:
        stem = "bidder"
    if stem in WINDOWS_RESERVED:
        stem = f"bidder-{stem}"
    return stem


def letter_slugs(ev: Evaluation) -> dict[str, str]:
    """File stems for every bid, unique even where two slugify alike."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for bidder_id, bidder in zip(ev.table["bidder_id"], ev.table["bidder"], strict=True):
        stem = letter_slug(str(bidder_id), str(bidder))
        candidate, n = stem, 1
        while candidate in used:
            n += 1
            candidate = f"{stem}-{n}"
        used.add(candidate)
        out[str(bidder_id)] = candidate
    return out


class _Letter:
    """Builds one bidder's letter from the Evaluation's records."""

    def __init__(
        self,
        ev: Evaluation,
        record: BidRecord,
        basis: LetterBasis,
        outcomes: Outcomes | None = None,
    ):
        self.ev = ev
        self.basis = basis
        self.outcomes = outcomes
        self.tender = ev.tender
        self.record = record
        self.winner = basis.winner
        self.rationale = basis.rationale
        self.index = basis.index
        self.regime = self.tender.tender.regime

    @property
    def is_winner(self) -> bool:
        return self.winner is not None and self.winner.bidder_id == self.record.bidder_id

    @property
    def excluded(self) -> bool:
        """True when this bid was excluded from ranking (a pass/fail requirement, a quality
        minimum, an unpriced line, a decision)."""
        return "excluded" in self.record.flags

    def not_ranked_because(self) -> str:
        """Why this bid was not ranked, in the words of the tender's published rules as the
        evaluation recorded them (`Evaluation.exclusions`), never the panel's own text."""
        return self.ev.exclusions.get(
            self.record.bidder_id, NO_EXCLUSION_REASON.format(self.record.bidder_id)
        )

    def criteria_table(self) -> Table:
        tender = self.tender
        formula = FORMULAS[tender.price.formula.name]
        scale = tender.quality.scale
        rows = [
            (
                tender.price.criterion,
                f"{tender.weights.price:g}%",
                f"{formula.equation} (W = {tender.weights.price:g})",
                f"0 to {tender.weights.price:g}",
            )
        ]

        def walk(criteria: list[Criterion], depth: int) -> None:
            for c in criteria:
                how = (
                    "sum of its sub-criteria"
                    if c.sub_criteria
                    else f"mark {scale.minimum:g}-{scale.maximum:g} × weight ÷ {scale.maximum:g}"
                )
                rows.append(
                    (
                        f"{'    ' * depth}{c.id} {c.title}",
                        f"{c.weight:g}%",
                        how,
                        f"0 to {c.weight:g}",
                    )
                )
                walk(c.sub_criteria, depth + 1)

        walk(tender.quality.criteria, 0)
        return Table(
            ("Criterion", "Relative importance", "How it was assessed", "Scores available"),
            tuple(rows),
            (0.36, 0.14, 0.32, 0.18),
        )

    def criteria_at(self) -> list[Block]:
        """Where the full criteria are (reg 31(2)(d)(ii)); under pa2023 shown even when unset."""
        where = self.tender.letters.criteria_at
        if where is None:
            if self.regime != "pa2023":
                return []
            return [Paragraph("[NOT SET: letters.criteria_at]", style="placeholder")]
        return [
            Paragraph(
                "This is a summary: the award criteria and the assessment methodology are set "
                f"out in full in {display.sentence(where)}"
            )
        ]

    def scores_table(self, record: BidRecord, caption: str, explain: bool = True) -> Table:
        """One bid's marks, scores and explanations, criterion by criterion."""
        i = self.index[record.bidder_id]
        leaves = {c.id: j for j, c in enumerate(self.tender.quality.leaves())}
        unscored = "Not scored" if "excluded" in record.flags else None
        rows = [
            (
                self.tender.price.criterion,
                "",
                unscored or display.score(record.price_score),  # the reason: the explanation
                self._price_reason(record, own=record is self.record) if explain else "",
            )
        ]

        def walk(criteria: list[Criterion], depth: int) -> None:
            for c in criteria:
                name = f"{'    ' * depth}{c.id} {c.title}"
                score = display.score(self.ev.criterion_scores[c.id][i])
                if c.sub_criteria:
                    rows.append((name, "", score, "sub-total of the sub-criteria below"))
                    walk(c.sub_criteria, depth + 1)
                    continue
                mark = self.ev.consensus[i, leaves[c.id]]
                why = self.rationale.get((record.bidder_id, c.id), "") if explain else ""
                if record is not self.record:
                    why = self._quoted(record, why)
                rows.append((name, "–" if np.isnan(mark) else f"{mark:g}", score, why))

        walk(self.tender.quality.criteria, 0)
        rows.append(("Quality weighted score", "", record.display.quality_score, ""))
        rows.append(("Total score", "", unscored or record.display.total_score, ""))
        if not explain:
            return Table(
                ("Criterion", "Mark", "Score"),
                tuple(row[:3] for row in rows),
                (0.6, 0.15, 0.25),
                caption,
                numeric=(1, 2),
            )
        header = ("Criterion", "Mark", "Score", "Explanation")
        return Table(header, tuple(rows), (0.3, 0.08, 0.1, 0.52), caption, numeric=(1, 2))

    @staticmethod
    def _quoted(record: BidRecord, feedback: str) -> str:
        """Another bid's feedback, quoted as written to its bidder: it speaks to that bidder
        ("Your tender ..."), so unquoted in this letter it would read as about this one."""
        return f"The panel's feedback to {record.bidder}: “{feedback}”" if feedback else ""

    def _price_reason(self, record: BidRecord, own: bool = True) -> str:
        if "unscored-price" in record.flags:
            return f"Scored 0: {display.sentence(self.tender.price.unscored_reason)}"
        if "excluded" in record.flags:
            return "Not scored: your tender was not ranked, for the reason given above."
        return price_working(self.ev, record.bidder_id, own, self.basis)

    def outcome(self) -> list[Block]:
        winner = self.winner
        authority = self.tender.tender.authority
        if winner is None:
            return [
                Paragraph(
                    "[DECISION NEEDED: no single tender ranks first; letters cannot state an "
                    "outcome until the decision-maker has resolved the tie]",
                    style="placeholder",
                )
            ]
        if self.is_winner:
            return [
                Paragraph(
                    f"{authority} intends to award the contract to you: your tender was "
                    f"{BEST_TENDER[self.regime]}, with the highest total score."
                )
            ]
        text = (
            f"We are sorry to tell you that your tender was not successful. {authority} "
            f"intends to award the contract to {display.sentence(winner.bidder)}"
        )
        return [Paragraph(text)]

    def why_not(self) -> list[Block]:
        record, winner = self.record, self.winner
        if self.excluded:
            return [
                Paragraph(
                    "Your tender was not ranked because it "
                    + display.sentence(self.not_ranked_because())
                )
            ]
        if winner is None or self.is_winner:
            return self.interview()
        mine = Decimal(record.display.total_score)
        theirs = Decimal(winner.display.total_score)
        blocks: list[Block] = [
            Paragraph(
                f"Your tender's total score was {record.display.total_score} out of 100; "
                f"{BEST_TENDER[self.regime]} scored {winner.display.total_score}, "
                f"{display.plain(theirs - mine)} points more."
            )
        ]
        ahead = self._criteria_won_by_winner()
        if ahead:
            blocks.append(
                Paragraph(
                    "The successful tender scored more than yours on: " + "; ".join(ahead) + "."
                )
            )
        behind = self._criteria_led(winner_ahead=False)
        if behind:
            blocks.append(
                Paragraph(
                    "Your tender scored more than the successful tender on: "
                    + "; ".join(behind)
                    + "."
                )
            )
        if "near-tie" in record.flags:
            margin = f"{self.tender.near_tie.margin:g}"
            blocks.append(
                Paragraph(
                    "Your tender's total was within the near-tie margin of "
                    f"{margin} points published in the invitation to tender, the closeness at "
                    "which the tender's rules call for clarification before a decision."
                    if self.tender.near_tie.published
                    else "Your tender's total was within the evaluation panel's working "
                    f"margin of {margin} points of {BEST_TENDER[self.regime]}."
                )
            )
        return blocks + self.interview()

    def interview(self) -> list[Block]:
        """The bidder's clarification interviews as the outcomes file records them, and what
        they changed; what was discussed stays in the panel's record."""
        if self.outcomes is None:
            return []
        bidder = self.record.bidder_id
        held = sorted({i.on for i in self.outcomes.interviews if i.bidder_id == bidder})
        if not held:
            return []
        titles = {c.id: f"{c.id} {c.title}" for c in self.tender.quality.leaves()}
        revised = [
            f"{titles.get(r.criterion_id, r.criterion_id)} to {display.mark(r.to_mark)}"
            for r in self.outcomes.revisions
            if r.bidder_id == bidder
        ]
        when = " and ".join(dates.long_date(d) for d in held)
        result = (
            "as a result the panel revised your mark for " + "; ".join(revised)
            if revised
            else "none of your marks was revised as a result"
        )
        plural = "s" if len(held) > 1 else ""
        return [
            Paragraph(
                f"The evaluation panel held a clarification interview{plural} with you on "
                f"{when}; {result}."
            )
        ]

    def _criteria_won_by_winner(self) -> list[str]:
        return self._criteria_led(winner_ahead=True)

    def _criteria_led(self, *, winner_ahead: bool) -> list[str]:
        """Criteria where the winner scored more than this bid ('(60 against your 57)'), or,
        reversed, less ('(your 6 against its 4.8)')."""
        assert self.winner is not None
        i, w = self.index[self.record.bidder_id], self.index[self.winner.bidder_id]
        out = []

        def compared(name: str, theirs: float, mine: float) -> None:
            if winner_ahead and theirs > mine:
                out.append(f"{name} ({display.score(theirs)} against your {display.score(mine)})")
            elif not winner_ahead and mine > theirs:
                out.append(
                    f"{name} (your {display.score(mine)} against its {display.score(theirs)})"
                )

        compared(
            self.tender.price.criterion,
            self.winner.price_score or 0.0,
            self.record.price_score or 0.0,
        )
        for c in self.tender.quality.leaves():
            scores = self.ev.criterion_scores[c.id]
            compared(f"{c.id} {c.title}", float(scores[w]), float(scores[i]))
        return out

    def advantages(self) -> list[Block]:
        """PCR 2015 reg 86(2)(b): characteristics and relative advantages of the winner.

        Derived from the scores: price, and each criterion where the successful tender
        scored more than this one, with the feedback written for the successful tender.
        """
        assert self.winner is not None
        record, winner = self.record, self.winner
        if "excluded" in record.flags:
            return []  # nothing to compare: why_not says why the tender was not ranked
        i, w = self.index[record.bidder_id], self.index[winner.bidder_id]
        items = []
        if (winner.price_score or 0.0) > (record.price_score or 0.0):
            word = (
                "offer" if FORMULAS[self.tender.price.formula.name].better == "higher" else "price"
            )
            amount = display.money(_amount(self.ev.table.iloc[w]), self.tender.tender.currency)
            items.append(
                f"{self.tender.price.criterion}: its {word} of {amount} scored "
                f"{winner.display.price_score} against your "
                f"{record.display.price_score}."
            )
        for c in self.tender.quality.leaves():
            scores = self.ev.criterion_scores[c.id]
            if scores[w] > scores[i]:
                why = self._quoted(winner, self.rationale.get((winner.bidder_id, c.id), ""))
                items.append(
                    f"{c.id} {c.title}: it scored {display.score(scores[w])} against your "
                    f"{display.score(scores[i])}. {why}".strip()
                )
        if not items:
            return [
                Paragraph(
                    "The successful tender did not score more than yours on price or on any "
                    "quality criterion; its advantage lay in the total."
                )
            ]
        return [
            Paragraph(
                "Characteristics and relative advantages of the successful tender, "
                "where it scored more than yours:"
            ),
            Bullets(tuple(items)),
        ]

    def standstill(self) -> list[Block]:
        letters = self.tender.letters
        if self.regime == "pcr2015" and letters.sent:
            end = dates.pcr2015_standstill_end(letters.sent)
            return [
                Paragraph(
                    f"Standstill: this notice is sent electronically on "
                    f"{dates.long_date(letters.sent)}. Under regulation 87 of the Public Contracts "
                    f"Regulations 2015 the standstill period ends at midnight at the end of "
                    f"{dates.long_date(end)}; the contract will not be entered into before then."
                )
            ]
        if self.regime == "pa2023":
            if letters.award_notice:
                end = dates.pa2023_standstill_end(letters.award_notice)
                return [
                    Paragraph(
                        "Standstill: the contract award notice is to be published on "
                        f"{dates.long_date(letters.award_notice)}. The standstill period of eight "
                        "working days (Procurement Act 2023 s.51) ends at midnight at the end of "
                        f"{dates.long_date(end)}; the contract will not be entered into "
                        "before then."
                    )
                ]
            return [
                Paragraph(
                    "Standstill: a standstill period of eight working days (Procurement Act 2023 "
                    "s.51) will begin on the day the contract award notice is published."
                )
            ]
        return []

    def sections(self) -> list[Section]:
        tender = self.tender
        record = self.record
        letters = tender.letters
        sent = dates.long_date(letters.sent) if letters.sent else "[NOT SET: letters.sent]"
        header = Table(
            (),
            (
                *self._addressee(),
                ("Tender", f"{tender.tender.reference}: {tender.tender.title}"),
                ("From", tender.tender.authority),
                ("Date", sent),
                ("Legal basis", self._basis()),
            ),
            (0.25, 0.75),
        )
        front: list[Block] = [
            header,
            Paragraph(f"Dear {record.bidder},"),
            Paragraph(self._opening()),
            *self.outcome(),
        ]
        out = [Section(TITLES[self.regime], tuple(front))]
        out.append(Section("The award criteria", (self.criteria_table(), *self.criteria_at()), "1"))
        out.append(Section("Your tender", tuple(self.own_blocks()), "2"))
        number = 3
        if self.winner is not None and not self.is_winner:
            out.append(Section("The successful tender", tuple(self._winner_blocks()), str(number)))
            number += 1
        reasons = self.why_not()
        if reasons:
            out.append(Section(self.why_not_title, tuple(reasons), str(number)))
            number += 1
        out.append(Section("Next steps", tuple(self._closing()), str(number)))
        return out

    def own_blocks(self) -> list[Block]:
        """The bid's marks, scores and reasons; for an excluded bid first why it was not
        scored, and its marks only where it was marked (never a table of blanks)."""
        caption = "Your marks, scores and the reasons for them"
        if not self.excluded:
            return [self.scores_table(self.record, caption)]
        unmarked = np.isnan(self.ev.consensus[self.index[self.record.bidder_id]])
        because = display.sentence(self.not_ranked_because())
        if unmarked.any():  # never marked, or only in part: no table of blanks
            marked = "marked or " if unmarked.all() else ""
            return [
                Paragraph(
                    f"Your tender was not {marked}scored against these criteria, because it "
                    + because
                )
            ]
        return [
            Paragraph(
                "Your tender was marked against the quality criteria, as below, but it was "
                f"given no price score, total score or rank, because it {because}"
            ),
            self.scores_table(self.record, caption),
        ]

    @property
    def why_not_title(self) -> str:
        """The heading of the part that says why the bid was not awarded the contract."""
        return "Why your tender was not successful"

    def _winner_blocks(self) -> list[Block]:
        """The winner's scores as the regime requires: with reasons, or with its advantages."""
        assert self.winner is not None
        if self.regime == "pa2023":
            return [
                self.scores_table(
                    self.winner, f"The most advantageous tender ({self.winner.bidder})"
                )
            ]
        blocks: list[Block] = [
            self.scores_table(
                self.winner,
                f"The successful tender ({self.winner.bidder})",
                explain=False,
            )
        ]
        if self.regime == "pcr2015":
            blocks += self.advantages()
        return blocks

    def _closing(self) -> list[Block]:
        """Standstill, whom to contact, and the signature."""
        letters = self.tender.letters
        closing: list[Block] = [*self.standstill()]
        if letters.contact:
            closing.append(
                Paragraph(
                    "If you have any questions about this letter, please contact "
                    f"{display.sentence(letters.contact)}"
                )
            )
        closing += [
            Paragraph("Yours faithfully,"),
            Paragraph(
                letters.signatory or "[NOT SET: letters.signatory]",
                style="body" if letters.signatory else "placeholder",
            ),
        ]
        if letters.signatory_role:
            closing.append(Paragraph(letters.signatory_role))
        return closing

    def _addressee(self) -> list[tuple[str, str]]:
        """To, address, email and identifier; a missing item never guessed.

        The identifier row is shown under `pa2023` (reg 31(2)(c) requires it) or when given.
        """
        details = supplier(self.ev, self.record.bidder_id)
        name = details.name
        if details.legal_name and details.legal_name != details.bidder:
            name = f"{details.legal_name} (trading as {details.bidder})"
        rows = [("To", name)]
        # Under pa2023 a missing contact is shown as not set (and the letter is refused until
        # it is given); elsewhere the law does not ask for it, so an unknown one is left out
        # rather than printed as a gap in a letter that is sent.
        for label, value, column in (
            ("Address", details.address, "address"),
            ("Email", details.email, "email"),
        ):
            if value:
                rows.append((label, value))
            elif self.regime == "pa2023":
                rows.append((label, f"[NOT SET: {column} in the bids file]"))
        if details.identifier or self.regime == "pa2023":
            rows.append(
                (
                    "Unique identifier",
                    details.identifier
                    or "[NOT SET: identifier_scheme and identifier_id in the bids file]",
                )
            )
        rows.append(("Our reference for your bid", details.bidder_id))
        return rows

    def _basis(self) -> str:
        return {
            "pa2023": "Procurement Act 2023 s.50; Procurement Regulations 2024 reg 31",
            "pcr2015": "Public Contracts Regulations 2015 regs 86 and 87",
            "local_rules": f"{REGIME_NAMES['local_rules'].capitalize()}",
        }[self.regime]

    def _opening(self) -> str:
        title = self.tender.tender.title
        if self.regime == "pa2023":
            return (
                f"Thank you for your tender for {title}. This assessment summary sets out the "
                "award criteria, how your tender was assessed against them, with the reasons "
                "for each score, and the same for the most advantageous tender."
            )
        if self.regime == "pcr2015":
            return (
                f"Thank you for your tender for {title}. This notice tells you of our decision "
                "to award the contract, the award criteria, your scores and those of the "
                "successful tender, and when the standstill period ends."
            )
        return (
            f"Thank you for your tender for {title}. This letter gives you the outcome, your "
            "scores and the reasons for them."
        )


def letter_content(
    ev: Evaluation,
    bidder_id: str,
    outcomes: Outcomes | None = None,
    basis: LetterBasis | None = None,
) -> Document:
    """The letter (or assessment summary) for one bidder; `outcomes`: its interviews, if any.

    `basis` is `letter_basis(ev)`, passed in when writing many letters so it is worked
    out once for all of them.
    """
    basis = basis or letter_basis(ev)
    record = basis.records[bidder_id]
    letter = _Letter(ev, record, basis, outcomes)
    tender = ev.tender
    return Document(
        title=TITLES[tender.tender.regime],
        sections=tuple(letter.sections()),
        metadata=Metadata(
            title=f"{tender.tender.title}: {TITLES[tender.tender.regime].lower()}",
            subject=f"{tender.tender.reference}: letter to bidder {bidder_id}",
            author=tender.tender.authority,
            date=tender.letters.sent,
        ),
        footer=f"{tender.tender.reference} · Confidential: {record.bidder}",
    )
