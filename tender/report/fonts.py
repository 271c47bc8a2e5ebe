"""Fonts for PDFs, bundled in `font_files/` and embedded so output is the same on every
machine and every name prints as written.

DejaVu Sans (Bitstream Vera extended, same Latin metrics) covers Latin with every European
accent, Greek, Cyrillic, Arabic and Hebrew; Droid Sans Fallback covers Japanese, Chinese and
Korean. Text is split into runs, each in the first font of its chain that has the
character; only a character no bundled font has is degraded (accents dropped, else '?').

A PDF draws glyphs as given, so right-to-left text is prepared here: Arabic is shaped into
its joined forms (`shape`, arabic-reshaper) before anything is measured or wrapped, and each
line, once wrapped, is put in display order (`visual`, python-bidi's Unicode bidirectional
algorithm on an LTR page). Reordering per line, not per paragraph, keeps the words of a
wrapped Arabic name on the lines where a reader expects them.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont

if TYPE_CHECKING:
    from arabic_reshaper import ArabicReshaper

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FALLBACK = "DroidSansFallback"
FONT_DIR = Path(__file__).parent / "font_files"
FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    FALLBACK: "DroidSansFallbackFull.ttf",
}
CHAINS = {REGULAR: (REGULAR, FALLBACK), BOLD: (BOLD, REGULAR, FALLBACK)}
# the blocks of right-to-left scripts (Hebrew to NKo, Samaritan to Arabic Extended,
# presentation forms, and the historic and Arabic mathematical blocks beyond the BMP)
RIGHT_TO_LEFT = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")  # letters the reshaper joins
SUBSTITUTES = {"→": "->", "Σ": "sum of ", "\u2009": " ", "\u00a0": " ", "\u202f": " "}


@cache
def register() -> None:
    """Register the bundled fonts once per process (no italics: documents use none).

    The fallback (4 MB, most of the time reading the fonts took) is read only when a
    character needs it (`_glyphs`): a report in Latin script never does."""
    _load(REGULAR)
    _load(BOLD)
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    addMapping(FALLBACK, 0, 0, FALLBACK)
    addMapping(FALLBACK, 1, 0, FALLBACK)
    addMapping(FALLBACK, 0, 1, FALLBACK)
    addMapping(FALLBACK, 1, 1, FALLBACK)


@cache
def _load(font: str) -> None:
    pdfmetrics.registerFont(TTFont(font, str(FONT_DIR / FILES[font])))


@cache
def _glyphs(font: str) -> frozenset[int]:
    register()
    _load(font)
    return frozenset(pdfmetrics.getFont(font).face.charToGlyph)


@cache
def _has(ch: str) -> bool:
    return any(ord(ch) in _glyphs(f) for f in FILES)


@cache
def _reshaper() -> ArabicReshaper:
    """Shaping that keeps every mark (harakat) and uses only the ligatures both bundled
    text fonts have, so no shaped glyph degrades to '?'. Imported here: only a document
    with Arabic in it pays for loading the shaper."""
    from arabic_reshaper import ArabicReshaper
    from arabic_reshaper.ligatures import LIGATURES

    both = _glyphs(REGULAR) & _glyphs(BOLD)
    ligatures = {
        name: all(ord(ch) in both for form in forms for ch in form)
        for name, (_match, forms) in LIGATURES
    }
    return ArabicReshaper(configuration={"delete_harakat": False, **ligatures})


def shape(text: str) -> str:
    """`text` with Arabic letters in their joined (presentation) forms, still in logical
    order: what is measured and wrapped is then what is drawn."""
    if not ARABIC.search(text):
        return text
    return str(_reshaper().reshape(text))


def visual(line: str) -> str:
    """One shaped line in the order it is drawn, left to right, brackets mirrored.

    python-bidi's Python implementation of the algorithm: its Rust one leaves '(' and ')'
    unmirrored in Arabic, so "(ذ.م.م)" would print as ")ذ.م.م(".
    """
    if not right_to_left(line):
        return line
    from bidi.algorithm import get_display

    return str(get_display(line, base_dir="L"))


def right_to_left(text: str) -> bool:
    """Whether `text` holds right-to-left script, which must be wrapped here, not by the
    layout engine, so that each line can be reordered on its own."""
    return RIGHT_TO_LEFT.search(text) is not None


@lru_cache(maxsize=1 << 16)
def printable(text: str) -> str:
    """`text` with each character no bundled font has replaced: accents dropped, else '?'.

    'Łódź', 'Zażółć', 'Ŵyŷ', Arabic and Japanese print as written; an emoji shows as '?'.
    Remembered, as `runs` are: the report and every letter measure the same names and
    headings many times over.
    """
    out = []
    for ch in text:
        if ch in SUBSTITUTES:
            out.append(SUBSTITUTES[ch])
        elif ch in "\n\t" or _has(ch):
            out.append(ch)
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
            )
            out.append(base if base and all(_has(c) for c in base) else "?")
    return "".join(out)


def runs(text: str, font: str = REGULAR) -> Iterator[tuple[str, str]]:
    """(font, text) pieces of printable `text`, each in the first font of the chain with it."""
    return iter(_runs(text, font))


@cache
def _characters(font: str) -> frozenset[str]:
    """Every character `font` has a glyph for."""
    return frozenset(map(chr, _glyphs(font)))


@lru_cache(maxsize=1 << 16)
def _runs(text: str, font: str) -> tuple[tuple[str, str], ...]:
    chain = CHAINS.get(font, (font, FALLBACK))
    text = printable(shape(text))
    if text and _characters(chain[0]).issuperset(text):  # one run: the first font has all
        return ((chain[0], text),)
    found: list[tuple[str, str]] = []
    current, piece = "", list[str]()
    for ch in text:
        chosen = next((f for f in chain if ord(ch) in _glyphs(f)), chain[0])
        if ch == " " and current:  # a space stays in the run it is in
            chosen = current
        if chosen != current and piece:
            found.append((current, "".join(piece)))
            piece = []
        current = chosen
        piece.append(ch)
    if piece:
        found.append((current, "".join(piece)))
    return tuple(found)


def escape(text: str) -> str:
    """`text` with '&', '<' and '>' as XML entities, as `xml.sax.saxutils.escape` writes
    them; that module is not used because it loads urllib.request, http.client and ssl,
    which no document needs (about 10 ms of every `tender report`)."""
    return html.escape(text, quote=False)


def markup(text: str, font: str = REGULAR) -> str:
    """Printable `text` as reportlab paragraph markup, other fonts' runs in <font> tags."""
    out = []
    for face, piece in runs(text, font):
        safe = escape(piece)
        out.append(safe if face == font else f'<font face="{face}">{safe}</font>')
    return "".join(out)


@lru_cache(maxsize=1 << 16)
def width(text: str, font: str = REGULAR, size: float = 7.5) -> float:
    """The printed width of `text` in points, each run in its own font. Remembered: a
    table's column widths and its cells' line breaks measure the same words again, and
    so does every letter."""
    return float(sum(stringWidth(piece, face, size) for face, piece in runs(text, font)))


def fit(text: str, room: float, size: float = 7.5, font: str = REGULAR) -> str:
    """`text` shortened in the middle ('Northern and… Limited S08') to fit in `room` points.

    Cutting in the middle keeps the end of a name, which often tells similar names apart.
    """
    text = printable(shape(text))
    if width(text, font, size) <= room:
        return text
    head, tail = len(text) // 2, len(text) // 2
    while head > 0 and tail > 0:
        candidate = text[:head].rstrip() + "…" + text[len(text) - tail :].lstrip()
        if width(candidate, font, size) <= room:
            return candidate
        if head >= tail:
            head -= 1
        else:
            tail -= 1
    return "…"


def wrap(text: str, room: float, size: float = 7.5, font: str = REGULAR) -> list[str]:
    """`text` in lines of at most `room` points, broken between words; a word too long for
    a line is broken after '/', '-', '_' or '.', else between characters."""
    lines: list[str] = []
    line = ""
    for word in printable(shape(text)).split():
        candidate = f"{line} {word}" if line else word
        if width(candidate, font, size) <= room:
            line = candidate
            continue
        if line:
            lines.append(line)
        pieces = break_token(word, room, size, font)
        lines += pieces[:-1]
        line = pieces[-1]
    if line or not lines:
        lines.append(line)
    return lines


# where a long token breaks, best first: a path between folders, then between words
BREAK_AFTER = ("/\\", "-_", ".,;:)")


def break_token(token: str, room: float, size: float, font: str = REGULAR) -> list[str]:
    """One token too wide for `room` in pieces that fit: broken after '/', else after '-'
    or '_', else after '.', where that keeps at least a third of a line; else between
    characters in pieces of equal length (a hash in halves; Japanese between any two)."""
    if width(token, font, size) <= room:
        return [token]

    def fits(end: int, start: int = 0) -> bool:
        return width(token[start:end], font, size) <= room

    cut = max((end for end in range(1, len(token)) if fits(end)), default=1)
    for marks in BREAK_AFTER:
        sensible = max((i + 1 for i in range(cut) if token[i] in marks), default=0)
        if sensible and width(token[:sensible], font, size) >= room / 3:
            return [token[:sensible], *break_token(token[sensible:], room, size, font)]
    count = -(-len(token) // max(cut, 1))
    while True:  # equal pieces; one more piece if a piece of wide characters does not fit
        length = -(-len(token) // count)
        pieces = [token[i : i + length] for i in range(0, len(token), length)]
        if all(width(p, font, size) <= room for p in pieces) or length == 1:
            return pieces
        count += 1


def draw(canvas: object, x: float, y: float, text: str, font: str, size: float) -> None:
    """Draw one line of `text` at (x, y) on a reportlab canvas, each run in its own font."""
    for face, piece in runs(visual(shape(text)), font):
        canvas.setFont(face, size)  # type: ignore[attr-defined]
        canvas.drawString(x, y, piece)  # type: ignore[attr-defined]
        x += stringWidth(piece, face, size)
