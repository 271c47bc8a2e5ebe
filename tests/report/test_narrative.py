"""Reading the officer's narrative file."""

from __future__ import annotations

import pytest

from tender.errors import TenderInputError
from tender.inputs import load_tender
from tender.report.narrative import Block, Item, load_narrative, parse_narrative, slug

TEXT = """# Title is ignored

## Next steps

First paragraph
continues here.

- one
- two
  wrapped

Last paragraph.

## Implications

### Risk management

Risks are low.

Sign-off: Head of Service

### Staffing

None.
"""


def test_slug():
    assert slug("Next steps") == "next-steps"
    assert slug("  Preferred option & reasons ") == "preferred-option-reasons"


def test_sections_paragraphs_and_bullets():
    narrative = parse_narrative(TEXT, "n.md")
    assert narrative.blocks("next-steps") == (
        Block(text="First paragraph continues here."),
        Block(bullets=("one", "two wrapped")),
        Block(text="Last paragraph."),
    )
    assert narrative.blocks("background") is None
    assert narrative.source == "n.md"


def test_items_carry_their_sign_off():
    narrative = parse_narrative(TEXT)
    assert narrative.items["implications"] == (
        Item("Risk management", (Block(text="Risks are low."),), "Head of Service"),
        Item("Staffing", (Block(text="None."),), ""),
    )


def test_reference_narrative_has_every_section(reference):
    narrative = load_narrative(load_tender(reference))
    for key in (
        "purpose",
        "background",
        "clarification",
        "options",
        "preferred-option",
        "financial",
        "consultation",
        "next-steps",
    ):
        assert narrative.blocks(key), key
    assert len(narrative.items["implications"]) == 10


def test_a_named_narrative_that_is_missing_is_an_error(reference):
    (reference.parent / "pest-control-2016.narrative.md").unlink()
    with pytest.raises(TenderInputError) as caught:
        load_narrative(load_tender(reference))
    assert str(caught.value) == (
        "criteria/pest-control-2016.narrative.md: found no such file; expected the narrative "
        "file named by report.narrative"
    )


def test_narrative_that_is_not_utf8_is_an_error(reference):
    (reference.parent / "pest-control-2016.narrative.md").write_bytes(b"## Purpose\n\n\xff\n")
    with pytest.raises(TenderInputError, match="not UTF-8"):
        load_narrative(load_tender(reference))
