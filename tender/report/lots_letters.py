"""One letter per bidder of a tender with lots, covering every lot it bid for.

Each lot's part is the single-tender letter's (`letters._Letter`: the award criteria, the
bidder's marks and reasons, the awarded tender's, why it was not successful), under the
regime's required content per lot, with the outcome stated from the allocation: a lot may be
awarded to a bid that did not rank first on it, because a better-ranked bidder is awarded
other lots under the cap. The letter then says so in the allocation's terms (the cap, the
rule and the awarded bid's rank on the lot, from its opening on), keeps the regime's "most
advantageous tender" for a lot awarded to its first-ranked bid only, and compares the
bidder's figures only with the awarded tender's (never another bidder's).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .. import dates, display
from ..clarifications import Outcomes
from ..lots import LotsEvaluation
from ..notes import BidRecord
from ..scoring import Evaluation
from .document import Block, Document, Metadata, Paragraph, Section, Table, as_draft
from .letters import (
    BEST_TENDER,
    TITLES,
    Completeness,
    LetterBasis,
    _Letter,
    check_completeness,
    letter_basis,
    letter_slugs,
)
from .lots_report import _lots_words, _ordinal, award_rule_sentence, award_rule_words, lot_label

AWARDED = "the tender awarded this lot"


class _LotLetter(_Letter):
    """A bidder's part of the letter for one lot, its outcome read from the allocation."""

    def __init__(
        self,
        lots: LotsEvaluation,
        lot_id: str,
        ev: Evaluation,
        record: BidRecord,
        basis: LetterBasis,
        outcomes: Outcomes | None,
    ):
        super().__init__(ev, record, basis, outcomes)
        self.lots = lots
        self.lot_id = lot_id

    @property
    def winner_first(self) -> bool:
        """True when the lot goes to its first-ranked bid."""
        return self.winner is not None and self.winner.rank == 1

    @property
    def capped(self) -> bool:
        """True when this bid ranked above the awarded one but its bidder holds other lots."""
        mine, winner = self.record.rank, self.winner
        if mine is None or winner is None or winner.rank is None or self.is_winner:
            return False
        return mine < winner.rank

    def outcome(self) -> list[Block]:
        authority = self.tender.tender.authority
        award = self.ev.award
        mine = self.record.rank or 0
        if self.winner is None:
            reason = award.reason if award else "no single tender ranks first"
            return [Paragraph(f"This lot is not awarded: {display.sentence(reason)}")]
        if self.is_winner and self.winner_first:
            return [
                Paragraph(
                    f"{authority} intends to award this lot to you: your tender ranked first on "
                    "it, with the highest total score."
                )
            ]
        if self.is_winner:
            return [
                Paragraph(
                    f"{authority} intends to award this lot to you. Your tender ranked "
                    f"{_ordinal(mine)} on it, and the lot is awarded to it {self.by_the_rule()}"
                    f"{self.those_above('yours')}"
                )
            ]
        if self.capped:
            won = self.lots.lots_won(str(self.record.bidder_id))
            return [
                Paragraph(
                    f"Your tender ranked {_ordinal(mine)} on this lot, but {authority} intends to "
                    f"award you {_lots_words(won)}. {award_rule_sentence(self.lots)} So this "
                    f"lot is awarded to {self.winner.bidder}, whose tender ranked "
                    f"{_ordinal(self.winner.rank or 0)} on it."
                )
            ]
        if self.winner_first:
            return [
                Paragraph(
                    f"We are sorry to tell you that your tender was not successful on this lot. "
                    f"{authority} intends to award it to {display.sentence(self.winner.bidder)}"
                )
            ]
        return [
            Paragraph(
                f"We are sorry to tell you that your tender was not successful on this lot. "
                f"{authority} intends to award it to {self.winner.bidder}, whose tender ranked "
                f"{_ordinal(self.winner.rank or 0)} on it, {self.by_the_rule()}"
                f"{self.those_above('it')}"
            )
        ]

    def by_the_rule(self) -> str:
        """'by the allocation rule stated in the invitation to tender: <cap>, and <rule>.'"""
        return (
            "by the allocation rule stated in the invitation to tender: "
            f"{award_rule_words(self.lots)}."
        )

    def those_above(self, whose: str) -> str:
        """' The bidder of each tender ranked above <whose> ...': said only where each is
        awarded as many lots as the limit allows, which is why the lot does not go to it."""
        award = self.lots.tender.award
        cap = award.max_lots_per_bidder if award else None
        winner = self.winner
        if cap is None or winner is None or winner.rank is None:
            return ""
        above = [
            str(r.bidder_id)
            for r in self.basis.records.values()
            if r.rank is not None and 0 < r.rank < winner.rank
        ]
        if not above or any(len(self.lots.lots_won(b)) < cap for b in above):
            return ""
        return (
            f" The bidder of each tender ranked above {whose} on this lot is awarded as many "
            "other lots as that limit allows."
        )

    @property
    def why_not_title(self) -> str:
        """A bid that ranked above the awarded one was not unsuccessful on its merits: the
        heading says the lot is not awarded to it, as the paragraph under it explains."""
        return "Why this lot is not awarded to you" if self.capped else super().why_not_title

    def why_not(self) -> list[Block]:
        if self.capped:
            assert self.winner is not None
            return [
                Paragraph(
                    f"Your tender's total score on this lot was "
                    f"{self.record.display.total_score} out of 100; {AWARDED} scored "
                    f"{self.winner.display.total_score}. It is not awarded to you only "
                    "because of the cap on lots per bidder, as set out above."
                ),
                *self.interview(),
            ]
        blocks = super().why_not()
        if self.winner_first:
            return blocks
        best = BEST_TENDER[self.regime]
        return [
            Paragraph(b.text.replace(best, AWARDED), b.number, b.style)
            if isinstance(b, Paragraph)
            else b
            for b in blocks
        ]

    def _winner_blocks(self) -> list[Block]:
        blocks = super()._winner_blocks()
        if self.winner_first or self.winner is None:
            return blocks
        caption = f"The tender awarded this lot ({self.winner.bidder})"
        return [
            Table(b.header, b.rows, b.widths, caption, b.numeric, b.small)
            if isinstance(b, Table) and b.caption.startswith("The most advantageous")
            else b
            for b in blocks
        ]

    def lot_sections(self, number: int) -> list[Section]:
        """This lot's sections, numbered `number`.1, `number`.2, ..., titled with the lot."""
        label = lot_label(self.ev)
        body = self.sections()[1:-1]  # the criteria to why-not; the front and close are shared
        out = [Section(f"{label}: outcome", tuple(self.outcome()), str(number))]
        for i, section in enumerate(body, start=1):
            out.append(Section(f"{label}: {section.title}", section.blocks, f"{number}.{i}"))
        return out


def lots_check_completeness(lots: LotsEvaluation) -> Completeness:
    """Every lot's completeness check (`letters.check_completeness`), each problem and
    warning naming its lot."""
    problems, warnings = [], []
    for lot_id, ev in zip(lots.lot_ids, lots.lots, strict=True):
        found = check_completeness(ev)
        problems += found.problems
        warnings += [f"lot {lot_id}: {w}" for w in found.warnings]
    return Completeness(list(dict.fromkeys(problems)), list(dict.fromkeys(warnings)))


def lots_letter_slugs(lots: LotsEvaluation) -> dict[str, str]:
    """One file stem per bidder across the lots (a bidder id names one organisation)."""
    out: dict[str, str] = {}
    for ev in lots.lots:
        for bidder, stem in letter_slugs(ev).items():
            out.setdefault(bidder, stem)
    return out


def _results_table(parts: list[_LotLetter]) -> Table:
    rows = []
    for part in parts:
        record, winner = part.record, part.winner
        if part.is_winner:
            result = "Awarded to you"
        elif part.capped:
            result = "Not awarded to you: you are awarded another lot under the cap"
        elif winner is None:
            result = "Not awarded to anyone"
        elif part.excluded:
            result = "Not successful: not ranked (the reason is in that lot's part below)"
        else:
            result = "Not successful"
        rows.append(
            (
                lot_label(part.ev),
                _ordinal(record.rank) if record.rank else "Not ranked",
                record.display.total_score if record.rank else "Not scored",
                winner.bidder if winner else "Not awarded",
                result,
            )
        )
    return Table(
        ("Lot", "Your rank", "Your total score", "Awarded to", "Result for you"),
        tuple(rows),
        (0.3, 0.1, 0.12, 0.2, 0.28),
        "Your results on each lot you bid for.",
        numeric=(2,),
    )


def lots_letter_bases(lots: LotsEvaluation) -> dict[str, LetterBasis]:
    """Each lot's `letters.letter_basis`, worked out once for every bidder's letter."""
    return {lot_id: letter_basis(ev) for lot_id, ev in zip(lots.lot_ids, lots.lots, strict=True)}


def _parts(
    lots: LotsEvaluation,
    bidder_id: str,
    outcomes: dict[str, Outcomes | None],
    bases: dict[str, LetterBasis],
) -> Iterator[_LotLetter]:
    for lot_id, ev in zip(lots.lot_ids, lots.lots, strict=True):
        basis = bases[lot_id]
        record = basis.records.get(bidder_id)
        if record is not None:
            yield _LotLetter(lots, lot_id, ev, record, basis, outcomes.get(lot_id))


# What the letter sets out, per regime, for a procurement in lots: each lot's awarded tender
# is named as the allocation gave it, which need not be the lot's most advantageous tender.
LOTS_OPENINGS = {
    "pa2023": "This assessment summary sets out, for each lot you bid for, the award criteria, "
    "how your tender was assessed against them, with the reasons for each score, and the same "
    "for the tender awarded the lot.",
    "pcr2015": "This notice tells you of our decision to award each lot you bid for, the award "
    "criteria, your scores and those of the tender awarded the lot, and when the standstill "
    "period ends.",
    "local_rules": "This letter gives you the outcome on each lot you bid for, your scores and "
    "the reasons for them.",
}


def _awarded_from(parts: list[_LotLetter]) -> str:
    """Which rank each lot's awarded tender held: 'Under these rules, lot 1 goes to the
    tender ranked 2nd on it, and lot 2 goes to its most advantageous tender, ranked 1st.'
    Only a lot whose awarded tender ranked first is said to go to its most advantageous
    tender (the regime's words)."""
    by_rank: dict[int, list[str]] = {}
    unawarded = []
    for part in parts:
        if part.winner is None or part.winner.rank is None:
            unawarded.append(part.lot_id)
        else:
            by_rank.setdefault(part.winner.rank, []).append(part.lot_id)
    best = BEST_TENDER[parts[0].regime].removeprefix("the ")
    said = []
    for rank, ids in sorted(by_rank.items(), key=lambda item: (item[0] == 1, item[0])):
        many = len(ids) > 1
        goes = " each go" if many else " goes"
        to = f"the lot's {best}, ranked 1st" if many else f"its {best}, ranked 1st"
        if rank != 1:
            to = f"the tender ranked {_ordinal(rank)} on it"
        said.append(f"{_lots_words(ids)}{goes} to {to}")
    if unawarded:
        said.append(f"{_lots_words(unawarded)} {'are' if len(unawarded) > 1 else 'is'} not awarded")
    if len(said) > 1:
        said[-1] = "and " + said[-1]
    return f"Under these rules, {', '.join(said)}."


def _front(whole: _Letter) -> list[Block]:
    """The letter's header and greeting, for the whole procurement."""
    tender = whole.tender
    letters = tender.letters
    sent = dates.long_date(letters.sent) if letters.sent else "[NOT SET: letters.sent]"
    header = Table(
        (),
        (
            *whole._addressee(),
            ("Tender", f"{tender.tender.reference}: {tender.tender.title}"),
            ("From", tender.tender.authority),
            ("Date", sent),
            ("Legal basis", whole._basis()),
        ),
        (0.25, 0.75),
    )
    return [header, Paragraph(f"Dear {whole.record.bidder},")]


def lots_letter_content(
    lots: LotsEvaluation,
    bidder_id: str,
    outcomes: dict[str, Outcomes | None] | None = None,
    bases: dict[str, LetterBasis] | None = None,
) -> Document:
    """The letter (or assessment summary) to one bidder, covering every lot it bid for.

    `bases` is `lots_letter_bases(lots)`, passed in when writing every bidder's letter.
    """
    parts = list(_parts(lots, bidder_id, outcomes or {}, bases or lots_letter_bases(lots)))
    if not parts:
        raise KeyError(bidder_id)
    first = parts[0]
    tender = lots.tender
    regime = tender.tender.regime
    whole = _Letter(first.ev, first.record, first.basis)
    whole.tender = tender  # the header, opening and close speak of the whole procurement
    opening = _front(whole)
    opening += [
        Paragraph(f"Thank you for your tender for {tender.tender.title}. {LOTS_OPENINGS[regime]}"),
        Paragraph(
            f"The procurement was divided into lots, each evaluated on its own. "
            f"{award_rule_sentence(lots)} {_awarded_from(parts)} This letter covers each lot "
            "you bid for."
        ),
        _results_table(parts),
    ]
    sections = [Section(TITLES[regime], tuple(opening))]
    for n, part in enumerate(parts, start=1):
        sections += part.lot_sections(n)
    sections.append(Section("Next steps", tuple(whole._closing()), str(len(parts) + 1)))
    return Document(
        title=TITLES[regime],
        sections=tuple(sections),
        metadata=Metadata(
            title=f"{tender.tender.title}: {TITLES[regime].lower()}",
            subject=f"{tender.tender.reference}: letter to bidder {bidder_id}",
            author=tender.tender.authority,
            date=tender.letters.sent,
        ),
        footer=f"{tender.tender.reference} · Confidential: {first.record.bidder}",
    )


def render_lots_letters(
    lots: LotsEvaluation,
    folder: Path,
    *,
    listed: tuple[str, ...] = (),
    outcomes: dict[str, Outcomes | None] | None = None,
) -> dict[Path, bytes]:
    """Every bidder's letter (PDF, DOCX) in `folder`/letters, marked DRAFT with `listed`."""
    from .build import LETTERS
    from .docx import render_docx
    from .pdf import render_pdf

    files: dict[Path, bytes] = {}
    target = (folder / LETTERS).resolve()
    bases = lots_letter_bases(lots)
    for bidder_id, stem in lots_letter_slugs(lots).items():
        letter = lots_letter_content(lots, bidder_id, outcomes, bases)
        if listed:
            letter = as_draft(letter, listed)
        for suffix, render in ((".pdf", render_pdf), (".docx", render_docx)):
            path = (target / stem).with_suffix(suffix)
            if path.resolve().parent != target:  # slugs are [a-z0-9-]; never leave the folder
                raise ValueError(f"letter path {path} is outside {target}")
            files[folder / LETTERS / path.name] = render(letter)
    return files
