"""The report's financial appendix, and the bids' prices line by line for the confidential one.

A schedule of rates or a multi-part offer is shown in the public report as the tender set
it (its lines and volumes, how a price is evaluated, the missing-line rule) and each bid's
evaluated price; each bid's own rates, line by line, are commercially confidential
(`price_detail`): per bid each line's rate, quantity and extension, the basis of a line
the bid left unpriced and the working, so the committee can redo every evaluated price,
go only into the confidential appendix. An income share the recommended bid offers
beside the price scored (`price.income_share`) is stated with its terms and the
definition's scenario turnover, called an assumption, never a forecast. Money is shown
by `display.money` (half-up to pence); the evaluation keeps amounts exact.
"""

from __future__ import annotations

from decimal import Decimal

from .. import display
from ..model import ADJUSTMENT_ID, Components, Schedule, StatedIncomeShare
from ..pricing import Pricing
from ..scoring import Evaluation
from .document import Block, Paragraph, Section, Table

TITLE = "Evaluated prices"
DETAIL_TITLE = "Rates line by line"
INCOME_TITLE = "Financial: income share"
WITHHELD = (
    "Each bid's own rates, line by line, with the quantities and extensions they give and "
    "the rate counted for any line a bid left unpriced, are commercially confidential: "
    "they are set out in the confidential appendix to this report "
    "(award-report-confidential), which is not for publication."
)


def price_appendix(
    ev: Evaluation, number: str, method_at: str = "Appendix A", scores_at: str = "Table 1"
) -> list[Section]:
    """The public appendix (`number`, e.g. 'Appendix G'), or none for a single price
    column with no income share stated; it never shows a bid's rates line by line.
    `method_at` and `scores_at` are where the report sets out the price formula and the
    bids' scores, as its text refers to them."""
    blocks: list[Block] = []
    if ev.pricing is not None:
        blocks += _pricing_blocks(ev, ev.pricing, method_at, scores_at)
    share = ev.tender.price.income_share
    if share is not None:
        blocks += income_share_blocks(ev, share)
    if not blocks:
        return []
    title = TITLE if ev.pricing is not None else INCOME_TITLE
    return [Section(title, tuple(blocks), number, new_page=True)]


def appendix_title(ev: Evaluation) -> str | None:
    """The appendix's title for the list of appendices, or None when there is none."""
    if ev.pricing is not None:
        return TITLE
    return INCOME_TITLE if ev.tender.price.income_share is not None else None


def _number(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:,f}"


def _pricing_blocks(
    ev: Evaluation, pricing: Pricing, method_at: str, scores_at: str
) -> list[Block]:
    """The tender's pricing rules and each bid's evaluated price, and no bid's rates."""
    spec = pricing.model
    currency = ev.tender.tender.currency
    names = ev.public_names()
    blocks: list[Block] = [Paragraph(_method(spec, method_at))]
    if isinstance(spec, Schedule):
        blocks.append(_schedule_table(spec, currency))
    blocks.append(Paragraph(_missing_rule(spec)))
    excluded = dict(zip(ev.table["bidder_id"], ev.table["is_excluded"], strict=True))
    rows = tuple(
        (
            names.get(bidder_id, bidder_id)
            + (f" (not ranked: see {scores_at})" if excluded.get(bidder_id) else ""),
            display.money(pricing.evaluated[bid], currency),
        )
        for bid, bidder_id in enumerate(pricing.bidder_ids)
    )
    blocks.append(
        Table(
            ("Organisation", "Evaluated price"),
            rows,
            (5.0, 2.0),
            caption="The evaluated price of each bid",
            numeric=(1,),
        )
    )
    blocks.append(Paragraph(WITHHELD))
    return blocks


def price_detail(ev: Evaluation, scores_at: str = "the report's Table 1") -> list[Block]:
    """Every bid's evaluated price line by line, for the confidential appendix only: per
    bid each line's rate, quantity, extension and basis, and the working; none without a
    schedule or parts. `scores_at` is where the report shows the bids' scores."""
    pricing = ev.pricing
    if pricing is None:
        return []
    spec = pricing.model
    currency = ev.tender.tender.currency
    names = ev.public_names()
    excluded = dict(zip(ev.table["bidder_id"], ev.table["is_excluded"], strict=True))
    blocks: list[Block] = []
    for bid, bidder_id in enumerate(pricing.bidder_ids):
        label = names.get(bidder_id, bidder_id)
        unranked = f" (not ranked: see {scores_at})" if excluded.get(bidder_id) else ""
        rows = []
        for line in pricing.trace(bid):
            rate = (
                f"{_signed(line.rate)} %"
                if line.line_id == ADJUSTMENT_ID and isinstance(spec, Schedule)
                else display.money(line.rate, currency)
            )
            rows.append(
                (
                    line.line_id,
                    rate,
                    _number(line.quantity),
                    display.money(line.extension, currency),
                    f"{line.basis}; {line.note}" if line.note else line.basis,
                )
            )
        blocks.append(
            Table(
                header=("Line", "Rate", "Quantity", "Extension", "Basis"),
                rows=tuple(rows),
                widths=(1.0, 1.4, 1.2, 1.6, 3.0),
                caption=f"{label}: evaluated price "
                f"{display.money(pricing.evaluated[bid], currency)}{unranked}",
                numeric=(1, 2, 3),
                small=True,
            )
        )
        blocks.append(Paragraph(pricing.working(bid, currency), style="note"))
    return blocks


def _signed(value: Decimal | None) -> str:
    if value is None:
        return "–"
    return f"{value:f}" if value < 0 else f"+{value:f}"


def _method(spec: Schedule | Components, method_at: str) -> str:
    if isinstance(spec, Schedule) and spec.basis == "rates":
        years = f"{spec.years} year{'s' if spec.years != 1 else ''}"
        lines = "the one line" if len(spec.lines) == 1 else f"the {len(spec.lines)} lines"
        return (
            f"Each bid priced {lines} of the schedule of rates. Its "
            f"evaluated price is the sum over the lines of the rate offered × the tender's "
            f"indicative volume a year × {years}; that price is then scored by the formula "
            f"in {method_at}."
        )
    if isinstance(spec, Schedule):
        return (
            "Each bid offered one percentage adjustment on the published schedule of rates. "
            "Its evaluated price is the published schedule's total (rate × volume a year × "
            f"{spec.years} years, summed) × (1 + the adjustment ÷ 100): an adjustment of "
            "−5.0 % on a total T gives T × 0.95."
        )
    if spec.expression == "sum":
        return "Each bid priced the parts below; its evaluated price is their sum."
    if spec.expression == "income_share":
        assert spec.scenario is not None
        return (
            "Each bid offered a guaranteed income, a share (%) and the turnover above which "
            "the share is paid. Its evaluated income is the guarantee + the share × max(0, "
            f"the assumed turnover of {display.money(spec.scenario.turnover)} a year − its "
            f"threshold). The turnover is an assumption, not a forecast: "
            f"{spec.scenario.assumption}"
        )
    return (
        "Each bid priced a purchase price and a running cost a year. Its evaluated price is "
        "the whole-life cost: the purchase price + the running cost ÷ (1 + r)^t summed over "
        f"years t = 1 to {spec.years}, discounted at r = {spec.discount_rate:f} %."
    )


def _schedule_table(spec: Schedule, currency: str) -> Table:
    published = spec.basis == "adjustment"
    header = ("Line", "Description", "Unit", "Volume a year") + (
        ("Published rate",) if published else ()
    )
    rows = tuple(
        (line.id, line.description, line.unit, _number(line.volume))
        + ((display.money(line.published_rate, currency),) if published else ())
        for line in spec.lines
    )
    widths = (1.0, 3.6, 1.2, 1.4) + ((1.4,) if published else ())
    return Table(header, rows, widths, caption="The schedule of rates", numeric=(3, 4))


def _missing_rule(spec: Schedule | Components) -> str:
    rule = spec.missing_line
    if rule.rule == "non_compliant":
        return "A bid that left a line unpriced is non-compliant, as the tender states."
    if rule.rule == "highest_other":
        return (
            "A line a bid left unpriced is priced, as the tender states, at the highest rate "
            "offered for it by the other bids passing every pass/fail requirement."
        )
    return f"A line a bid left unpriced is priced, as the tender states, at {rule.rate:f}."


def income_share_blocks(ev: Evaluation, share: StatedIncomeShare) -> list[Block]:
    """The recommended bid's income share as the committee report states it, worked at
    the definition's scenario turnover, which is called an assumption."""
    currency = ev.tender.tender.currency
    names = ev.public_names()
    label = names.get(share.bidder_id, share.bidder_id)
    turnover = share.scenario.turnover
    over = max(Decimal(0), turnover - share.threshold)
    extra = share.share_percent / 100 * over
    total = share.guarantee + extra

    def money(value: Decimal) -> str:
        return display.money(value, currency)

    return [
        Paragraph(
            f"{label} offered a guaranteed income of {money(share.guarantee)} a "
            f"year and {share.share_percent:f}% of gross income over "
            f"{money(share.threshold)} a year. The price score uses the guaranteed "
            "income only."
        ),
        Paragraph(
            f"Assumption, not a forecast: a gross income of {money(turnover)} a "
            f"year ({share.scenario.assumption}). At that turnover the share adds "
            f"{money(extra)} (= {share.share_percent:f}% × max(0, "
            f"{money(turnover)} − {money(share.threshold)})): "
            f"{money(total)} a year in all."
        ),
    ]
