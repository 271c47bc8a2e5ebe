"""A mark whose text is drawn in the colour of its cell's fill is not a mark anyone saw.

It also treated a font with no colour (automatic: black in Excel, while LibreOffice turns
automatic text light on a dark fill, so programs disagree) as having none, and compared
colours only for equality, so black on a black fill, or near-black on black, was read.

The reader compared a font's colour with its fill's only when both were plain RGB, and took
palette index 1 and 9 as the only white: a font and fill naming the same palette index or
the same theme colour (red on red, dark text on a dark-text fill), or a palette the
workbook redefines (its own `<indexedColors>`, which every template carries), slipped
through and the hidden number was scored.
"""

from __future__ import annotations

import re

import pytest

from tender.excel.returns import Expected
from tests.workbooks import parts, rebuild, refusals

MARKING = "xl/worksheets/sheet2.xml"
STYLES = "xl/styles.xml"


def styled(
    data: bytes,
    font: bytes,
    fill: bytes | None,
    palette: bytes | None = None,
    cell: bytes = b'<c r="F2" s="%d" t="n"><v>9</v></c>',
) -> bytes:
    """The return with `cell` (F2 by default) in a new cell format of `font`'s colour on
    `fill`'s."""

    def change_styles(xml: bytes) -> bytes:
        fonts = len(re.findall(rb"<font>", xml))
        fills = len(re.findall(rb"<fill>", xml))
        xfs = len(re.findall(rb"<xf ", xml[xml.find(b"<cellXfs") :]))
        xml = xml.replace(b"</fonts>", b"<font>" + font + b'<sz val="11"/></font></fonts>')
        if fill is not None:
            solid = b'<fill><patternFill patternType="solid">' + fill + b"</patternFill></fill>"
            xml = xml.replace(b"</fills>", solid + b"</fills>")
        xf = b'<xf numFmtId="0" fontId="%d" fillId="%d" borderId="0" xfId="0"/>' % (
            fonts,
            fills if fill is not None else 0,
        )
        xml = xml.replace(b"</cellXfs>", xf + b"</cellXfs>")
        if palette is not None:
            xml = re.sub(rb"<indexedColors>.*?</indexedColors>", palette, xml, count=1)
        style_ref[0] = xfs
        return xml

    style_ref = [0]
    entries = [(n, change_styles(c) if n == STYLES else c) for n, c in parts(data)]
    cell = cell % style_ref[0]
    ref = cell[cell.index(b'r="') : cell.index(b'"', cell.index(b'r="') + 3) + 1]
    old = re.escape(b"<c " + ref) + rb"[^>]*>.*?</c>"
    return rebuild([(n, re.sub(old, cell, c, count=1) if n == MARKING else c) for n, c in entries])


problems = refusals


def palette(white_at: int) -> bytes:
    """A palette of black but for white at `white_at`."""
    colours = [b"FFFFFFFF" if i == white_at else b"FF000000" for i in range(64)]
    return b"<indexedColors>%s</indexedColors>" % b"".join(
        b'<rgbColor rgb="%s"/>' % c for c in colours
    )


UNSEEN = {
    "same palette index": (b'<color indexed="10"/>', b'<fgColor indexed="10"/>', None),
    "palette index of the rgb fill": (b'<color indexed="2"/>', b'<fgColor rgb="FFFF0000"/>', None),
    "same theme colour": (b'<color theme="1"/>', b'<fgColor theme="1"/>', None),
    "same theme colour and tint": (
        b'<color theme="4" tint="0.5"/>',
        b'<fgColor theme="4" tint="0.5"/>',
        None,
    ),
    "white by a redefined palette": (b'<color indexed="20"/>', None, palette(20)),
    "no colour (automatic, black) on black": (b"", b'<fgColor rgb="FF000000"/>', None),
    "automatic on black": (b'<color auto="1"/>', b'<fgColor indexed="8"/>', None),
    "window text theme on black": (b'<color theme="1"/>', b'<fgColor rgb="FF000000"/>', None),
    "near black on black": (b'<color rgb="FF0A0A0A"/>', b'<fgColor rgb="FF000000"/>', None),
    "dark red on dark red": (b'<color rgb="FF800000"/>', b'<fgColor rgb="FF7A0505"/>', None),
    "rgb on a redefined palette": (
        b'<color rgb="FF000000"/>',
        b'<fgColor indexed="30"/>',
        palette(-1),
    ),
}


@pytest.mark.parametrize("how", list(UNSEEN))
def test_a_mark_in_the_colour_of_its_fill_is_refused(
    filled: bytes, expected: Expected, how: str
) -> None:
    font, fill, colours = UNSEEN[how]
    found = problems(styled(filled, font, fill, colours), expected)
    assert any(m.startswith("E1.xlsx: Marking!F2") and "nobody can see" in m for m in found), found


JUSTIFICATION = b'<c r="G2" s="%d" t="inlineStr"><is><t>Strong evidence in 3.2.</t></is></c>'


@pytest.mark.parametrize(
    "how", ["same palette index", "near black on black", "white by a redefined palette"]
)
def test_a_justification_in_the_colour_of_its_fill_is_refused(
    filled: bytes, expected: Expected, how: str
) -> None:
    font, fill, colours = UNSEEN[how]
    found = problems(styled(filled, font, fill, colours, JUSTIFICATION), expected)
    assert any(m.startswith("E1.xlsx: Marking!G2") and "nobody can see" in m for m in found), found


def test_a_justification_in_a_colour_that_stands_out_is_read(
    filled: bytes, expected: Expected
) -> None:
    font, fill, colours = (b'<color rgb="FF000000"/>', b'<fgColor rgb="FF808080"/>', None)
    assert problems(styled(filled, font, fill, colours, JUSTIFICATION), expected) == []


SEEN = {
    "black on the template's fill": (b'<color theme="1"/>', b'<fgColor rgb="FFFFF2CC"/>', None),
    "red index on no fill": (b'<color indexed="10"/>', None, None),
    "black on mid grey": (b'<color rgb="FF000000"/>', b'<fgColor rgb="FF808080"/>', None),
    "no colour on the template's fill": (b"", b'<fgColor rgb="FFFFF2CC"/>', None),
    "yellow on navy": (b'<color rgb="FFFFC000"/>', b'<fgColor rgb="FF000080"/>', None),
    "other theme colours": (b'<color theme="1"/>', b'<fgColor theme="4" tint="0.5"/>', None),
    "same theme, other tint": (b'<color theme="4"/>', b'<fgColor theme="4" tint="0.8"/>', None),
    "index 1 made black by the palette": (b'<color indexed="1"/>', None, palette(-1)),
}


@pytest.mark.parametrize("how", list(SEEN))
def test_a_mark_in_a_colour_that_stands_out_is_read(
    filled: bytes, expected: Expected, how: str
) -> None:
    font, fill, colours = SEEN[how]
    assert problems(styled(filled, font, fill, colours), expected) == []


def test_a_mark_repeated_by_fill_alignment_is_refused(filled: bytes, expected: Expected) -> None:
    """Excel's Fill alignment repeats the content across the cell: a 4 is shown as 4444."""

    def aligned(xml: bytes) -> bytes:
        return xml.replace(b"<protection locked=\"0\" hidden=\"0\"/></xf>", b"<alignment "
            b"horizontal=\"fill\"/><protection locked=\"0\" hidden=\"0\"/></xf>", 1)  # fmt: skip

    data = rebuild([(n, aligned(c) if n == STYLES else c) for n, c in parts(filled)])
    assert b'fill"/>' in dict(parts(data))[STYLES]
    found = problems(data, expected)
    assert any(m.startswith("E1.xlsx: Marking!F2: ") and "Fill" in m for m in found), found
