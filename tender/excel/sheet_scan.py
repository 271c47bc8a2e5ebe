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

import functools
import operator
import re
from dataclasses import dataclass
from itertools import chain, compress, count, repeat
from operator import itemgetter

_OPEN, _CLOSE = b"<sheetData>", b"</sheetData>"
# possessive: what follows a text is '<' or '&', which no run of it holds, so giving any of
# it back could never match; the engine then keeps no place to go back to
_TEXT = r"[^<&\r]*+(?:&(?:amp|lt|gt|quot|apos);[^<&\r]*+)*+"
_ROW_TAIL = (
    r'(?: spans="[0-9]{1,5}:[0-9]{1,5}")?(?: ht="([0-9]{1,4}(?:\.[0-9]{1,8})?)")?'
    r'(?: customHeight="(1)")?'
)
_CELL_TAIL = (
    r'(?: s="([0-9]{1,9})")?(?: t="(n|s|b|e|inlineStr)")?'
    r"(?:(/)>|>(?:<v>(" + _TEXT + r")</v>|(<is>)<t(?: xml:space=\"preserve\")?>"
    r"(" + _TEXT + r")</t></is>)</c>)"
)
_GROUPS = re.compile(r"\((?!\?)")
# A cell, a row, a row's end, or anything else: from the first character no other token
# covers to the end, in one token (which sends the sheet to the parser), so a sheet of
# text between its rows costs one token, not a token of memory per character.
# Each cell's and row's attributes and content are kept whole (its tail): cells repeat a
# few tails, so each tail is taken apart (`cell_tail`, `row_tail`) once, not once a cell.
_TOKEN = re.compile(
    r'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"(' + _GROUPS.sub("(?:", _CELL_TAIL) + ")"
    r'|<row r="([1-9][0-9]{0,6})"(' + _GROUPS.sub("(?:", _ROW_TAIL) + ")>"
    r"|(</row>)|([\s\S]+)"
)
_CELL = re.compile(_CELL_TAIL)
_ROW = re.compile(_ROW_TAIL)
# Characters XML 1.0 does not allow: a parser refuses them, so the parser must see them.
# Every other byte, to delete: what is left of a text is its control characters.
_CONTROL = bytes(range(0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20))
_NOT_CONTROL = bytes(sorted(set(range(256)) - set(_CONTROL)))
_NOT_CHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf", b"]]>")  # U+FFFE, U+FFFF, and ]]>
_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}

# One token per cell, row or row end, in order: (column letters, row number, cell tail) of
# a cell; (row number, row tail) of a row; '</row>' of a row's end; the rest of the text
# from anything else. The other places of each token are ''.
Token = tuple[str, str, str, str, str, str, str]
COLUMN, ROW, END, OTHER = 0, 3, 5, 6  # the first place of each kind of token


def cell_tail(tail: str) -> tuple[str, str, str, str, str, str]:
    """A cell's tail as (style, type, '/' if empty, <v> text, '<is>' if inline, inline
    text), '' for each part it does not have; texts as stored (see `unescaped`)."""
    match = _CELL.fullmatch(tail)
    assert match is not None  # the tail was matched by the same pattern
    return tuple(g or "" for g in match.groups())  # type: ignore[return-value]


def row_tail(tail: str) -> tuple[str | None, str | None]:
    """A row's tail as (ht, customHeight), None for each it does not have."""
    match = _ROW.fullmatch(tail)
    assert match is not None  # the tail was matched by the same pattern
    height, custom = match.groups()
    return height, custom


@dataclass(frozen=True)
class Scanned:
    """A sheet split into its skeleton (to parse) and its rows and cells (scanned)."""

    skeleton: bytes  # the sheet with <sheetData/> where its rows were
    tokens: list[Token]

    @functools.cached_property
    def rows(self) -> Placed | None:
        """The tokens placed (`placed`): worked out once, for the guard and the reader."""
        return placed(self)


@dataclass(frozen=True)
class Placed:
    """A scanned sheet's rows and cells, each cell filed under the row it is in, rows
    rising by number and cells along a row rising by column; one list per property."""

    numbers: list[int]  # each row's number
    row_tails: list[str]  # each row's tail (`row_tail`)
    counts: list[int]  # each row's number of cells
    letters: list[str]  # each cell's column letters, in sheet order
    columns: list[int]  # each cell's column from 0
    tails: list[str]  # each cell's tail (`cell_tail`)


def placed(scanned: Scanned) -> Placed | None:
    """The rows and cells of a scanned sheet, or None when a token is out of place: a
    character no token covers, a cell outside a row or filed under another row's number, a
    row opened inside a row or not ended, an end outside a row, rows or cells along a row
    not rising.

    Checked in bulk, by passes in C over the tokens and their properties (`compress`,
    `map`, `itemgetter`) rather than a step of Python per token: the tokens must be a row,
    its cells and its end, then the next row, and so on.
    """
    tokens = scanned.tokens
    if not tokens:
        return Placed([], [], [], [], [], [])
    if any(map(itemgetter(OTHER), tokens)):
        return None
    opened = list(compress(count(), map(itemgetter(ROW), tokens)))  # where each row opens
    closed = list(compress(count(), map(itemgetter(END), tokens)))
    if (
        not opened
        or len(opened) != len(closed)
        or opened[0] != 0
        or closed[-1] != len(tokens) - 1
        or list(map((1).__add__, closed[:-1])) != opened[1:]  # each row opens after an end
        or not all(map(operator.lt, opened, closed))
    ):
        return None
    # every other token is a cell, inside a row
    counts = [end - start - 1 for start, end in zip(opened, closed, strict=True)]
    rows = list(map(tokens.__getitem__, opened))
    named = list(map(itemgetter(ROW), rows))
    numbers = list(map(int, named))
    cells = list(compress(tokens, map(itemgetter(COLUMN), tokens)))
    under = chain.from_iterable(map(repeat, named, counts))  # each cell's row's number
    if not all(map(str.__eq__, map(itemgetter(COLUMN + 1), cells), under)):
        return None  # a cell filed under another row
    letters = list(map(itemgetter(COLUMN), cells))
    columns = list(map(column_index, letters))
    # rows rising, and cells along each row: (row << 15) + column rises along the sheet
    # (three letters reach column 18,277, under 2 ** 15)
    keys = list(
        map(
            operator.add,
            map(operator.lshift, chain.from_iterable(map(repeat, numbers, counts)), repeat(15)),
            columns,
        )
    )
    if not all(map(operator.lt, numbers, numbers[1:])) or not all(map(operator.lt, keys, keys[1:])):
        return None
    row_tails = list(map(itemgetter(ROW + 1), rows))
    tails = list(map(itemgetter(COLUMN + 2), cells))
    return Placed(numbers, row_tails, counts, letters, columns, tails)


@functools.lru_cache(maxsize=1 << 14)
def column_index(letters: str) -> int:
    """0-based column index of spreadsheet letters (A → 0, AA → 26); cached, as every
    row repeats its columns."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def scan(xml: bytes) -> Scanned | None:
    """The sheet's skeleton and tokens, or None when its rows cannot be scanned at all.

    The reader still checks the tokens in order: each cell inside a row, each row ended,
    no OTHER token anywhere; any of these sends the sheet to the parser.
    """
    if xml.count(b"sheetData") != 2:  # another block (another namespace's, or a second)
        return None
    head, opened, rest = xml.partition(_OPEN)
    body, closed, tail = rest.partition(_CLOSE)
    if not opened or not closed:
        return None
    if not _only_characters(body):
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return Scanned(head + b"<sheetData/>" + tail, _TOKEN.findall(text))


def _only_characters(body: bytes) -> bool:
    """Whether `body` holds no control character XML forbids, no U+FFFE or U+FFFF and no
    ']]>': each found by a pass in C over the bytes (a regular expression's character class
    looks at them one at a time, several times slower), the rarer bytes by their first."""
    if body.translate(None, _NOT_CONTROL):
        return False
    if b"\xef" in body and (_NOT_CHARACTERS[0] in body or _NOT_CHARACTERS[1] in body):
        return False
    return not (b"]" in body and _NOT_CHARACTERS[2] in body)


def unescaped(text: str) -> str:
    """Text with the five named XML entities replaced, as a parser reads it."""
    return _ENTITY.sub(lambda m: _NAMED[m.group(1)], text) if "&" in text else text
