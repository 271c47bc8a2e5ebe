"""A worksheet's rows and cells scanned from its XML text when every one of them is in a
plain shape spreadsheet programs write; None otherwise (then `cells` parses the sheet).

Building a tree of a returned Marking sheet (35,000 cells) and visiting each cell in
Python cost ten times a spreadsheet library's whole read. In a vetted part every '<'
opens markup (the guard refuses comments, CDATA, processing instructions and DTDs), so a
strict grammar matched over the whole text between <sheetData> and </sheetData> finds
exactly the elements, attributes and text a parser would, from the same bytes. Anything
the grammar does not cover (another attribute, spacing, an entity other than the five
named ones, a carriage return, rich text) is left to the parser, which then reads the
sheet as before. The rest of the sheet (its skeleton: columns, format, a few kilobytes)
is still parsed, with an empty <sheetData/> in place of the rows, so a damaged sheet is
refused as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN, _CLOSE = b"<sheetData>", b"</sheetData>"
_ROW = (
    r'<row r="([1-9][0-9]{0,6})"(?: spans="[0-9]{1,5}:[0-9]{1,5}")?'
    r'(?: ht="([0-9]{1,4}(?:\.[0-9]{1,8})?)")?(?: customHeight="(1)")?>'
)
_TEXT = r"[^<&\r]*(?:&(?:amp|lt|gt|quot|apos);[^<&\r]*)*"
_CELL = (
    r'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"(?: s="([0-9]{1,9})")?'
    r'(?: t="(n|s|b|e|inlineStr)")?'
    r"(?:(/)>|>(?:<v>(" + _TEXT + r")</v>|(<is>)<t(?: xml:space=\"preserve\")?>"
    r"(" + _TEXT + r")</t></is>)</c>)"
)
# A row, a cell, a row's end, or any other character (which sends the sheet to the parser)
_TOKEN = re.compile(_ROW + "|" + _CELL + r"|(</row>)|([\s\S])")
# Characters XML 1.0 does not allow: a parser refuses them, so the parser must see them
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}

# One token per row, cell or row end, in order: (row number, height, customHeight) of a
# row; (column letters, row number, style, type, '/', <v> text, '<is>', inline text) of a
# cell; '</row>' of a row's end; a character of anything else.
Token = tuple[str, str, str, str, str, str, str, str, str, str, str, str, str]
ROW, COLUMN, END, OTHER = 0, 3, 11, 12  # the first group of each kind of token


@dataclass(frozen=True)
class Scanned:
    """A sheet split into its skeleton (to parse) and its rows and cells (scanned)."""

    skeleton: bytes  # the sheet with <sheetData/> where its rows were
    tokens: list[Token]


def scan(xml: bytes) -> Scanned | None:
    """The sheet's skeleton and tokens, or None when its rows cannot be scanned at all.

    The reader still checks the tokens in order: each cell inside a row, each row ended,
    no OTHER token anywhere; any of these sends the sheet to the parser.
    """
    head, opened, rest = xml.partition(_OPEN)
    body, closed, tail = rest.partition(_CLOSE)
    if not opened or not closed:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "]]>" in text or _ILLEGAL.search(text):
        return None
    return Scanned(head + b"<sheetData/>" + tail, _TOKEN.findall(text))


def unescaped(text: str) -> str:
    """Text with the five named XML entities replaced, as a parser reads it."""
    return _ENTITY.sub(lambda m: _NAMED[m.group(1)], text) if "&" in text else text
