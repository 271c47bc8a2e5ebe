"""The report's financial appendix: every evaluated price line by line, and an income share.

A schedule of rates or a multi-part offer is shown as the bids priced it: per bid each
line's rate, quantity and extension, and the basis of a line the bid left unpriced, so a
reader can redo every evaluated price. An income share the recommended bid offers beside
the price scored (`price.income_share`) is stated with its terms and the definition's
scenario turnover, called an assumption, never a forecast. Amounts are rounded half-up to
pence only here, for display; the evaluation keeps them exact.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .. import display
from ..model import ADJUSTMENT_ID, Components, Schedule, StatedIncomeShare
from ..pricing import Pricing
from ..scoring import Evaluation
from .document import Block, Paragraph, Section, Table

TITLE = "Evaluated prices"
INCOME_TITLE = "Financial: income share"


def price_appendix(
    ev: Evaluation, number: str, method_at: str = "Appendix A", scores_at: str = "Table 1"
) -> list[Section]:
    """The appendix (`number`, e.g. 'Appendix G'), or none for a single price column
    with no income share stated. `method_at` and `scores_at` are where the report sets
    out the price formula and the bids' scores, as its text refers to them."""
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


def amount(value: Decimal | None, currency: str) -> str:
    """Money for display, rounded half-up to pence (whole amounts without pence)."""
    if value is None:
        return "–"
    if value != value.to_integral_value():
        value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return display.money(value, currency)


def _number(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:,f}"


def _pricing_blocks(
    ev: Evaluation, pricing: Pricing, method_at: str, scores_at: str
) -> list[Block]:
    spec = pricing.model
    currency = ev.tender.tender.currency
    names = ev.public_names()
    blocks: list[Block] = [Paragraph(_method(spec, method_at))]
    if isinstance(spec, Schedule):
        blocks.append(_schedule_table(spec, currency))
    blocks.append(Paragraph(_missing_rule(spec)))
    excluded = dict(zip(ev.table["bidder_id"], ev.table["is_excluded"], strict=True))
    for bid, bidder_id in enumerate(pricing.bidder_ids):
        label = names.get(bidder_id, bidder_id)
        unranked = f" (not ranked: see {scores_at})" if excluded.get(bidder_id) else ""
        rows = []
        for line in pricing.trace(bid):
            rate = (
                f"{_signed(line.rate)} %"
                if line.line_id == ADJUSTMENT_ID and isinstance(spec, Schedule)
                else amount(line.rate, currency)
            )
            rows.append(
                (
                    line.line_id,
                    rate,
                    _number(line.quantity),
                    amount(line.extension, currency),
                    f"{line.basis}; {line.note}" if line.note else line.basis,
                )
            )
        blocks.append(
            Table(
                header=("Line", "Rate", "Quantity", "Extension", "Basis"),
                rows=tuple(rows),
                widths=(1.0, 1.4, 1.2, 1.6, 3.0),
                caption=f"{label}: evaluated price {amount(pricing.evaluated[bid], currency)}"
                + unranked,
                numeric=(1, 2, 3),
                small=True,
            )
        )
        blocks.append(Paragraph(pricing.working(bid), style="note"))
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
        + ((amount(line.published_rate, currency),) if published else ())
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
    return [
        Paragraph(
            f"{label} offered a guaranteed income of {amount(share.guarantee, currency)} a "
            f"year and {share.share_percent:f}% of gross income over "
            f"{amount(share.threshold, currency)} a year. The price score uses the guaranteed "
            "income only."
        ),
        Paragraph(
            f"Assumption, not a forecast: a gross income of {amount(turnover, currency)} a "
            f"year ({share.scenario.assumption}). At that turnover the share adds "
            f"{amount(extra, currency)} (= {share.share_percent:f}% × max(0, "
            f"{amount(turnover, currency)} − {amount(share.threshold, currency)})): "
            f"{amount(total, currency)} a year in all."
        ),
    ]
