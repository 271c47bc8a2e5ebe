"""What a bidder may read: feedback that names no evaluator and no other bidder.

The panel's rationale is its internal record ("E3 had missed appendix 4", "as E2 noted",
"B's plan was better"); only the feedback written for the bidder reaches a letter or a
public report. This is the one rule that says when feedback gives away what it must not,
used by `moderate` (naming the cell) and by the letters' completeness check. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping


def feedback_leak(
    text: str,
    bidder_id: str,
    panel_ids: Iterable[str],
    bidders: Mapping[str, str],
) -> str | None:
    """Why `text`, feedback to `bidder_id`, may not be sent; None when it may.

    It may not name a panel member's id (as a word: E2), another bidder's name, or another
    bidder by its id in words such as "bidder B", "company B" or "B's".
    """
    for evaluator in panel_ids:
        if re.search(rf"(?<![\w-]){re.escape(evaluator)}(?![\w-]|\.\d)", text):
            return f"the evaluator id {evaluator}"
    folded = text.casefold()
    for other, name in bidders.items():
        if other == bidder_id:
            continue
        if len(name) >= 4 and name.casefold() in folded:
            return f"another bidder's name ({name})"
        word = re.escape(other)
        named = rf"(?i:\b(?:bidder|company|tender|bid|tenderer))\s+{word}\b|\b{word}'s\b"
        if re.search(named, text):
            return f"another bidder ({other})"
    return None
