"""Fonts for PDFs: Bitstream Vera, shipped inside reportlab, embedded so output is the same
on every machine; text is reduced to the characters the font has.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

import reportlab
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "Vera"
BOLD = "Vera-Bold"
ITALIC = "Vera-Italic"
BOLD_ITALIC = "Vera-BoldItalic"
FONT_DIR = Path(reportlab.__file__).parent / "fonts"
FILES = {REGULAR: "Vera.ttf", BOLD: "VeraBd.ttf", ITALIC: "VeraIt.ttf", BOLD_ITALIC: "VeraBI.ttf"}
SUBSTITUTES = {"→": "->", "Σ": "sum of ", "\u2009": " ", "\u00a0": " ", "\u202f": " "}


@cache
def register() -> None:
    """Register the Vera family once per process."""
    for name, file in FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD_ITALIC)


@cache
def _glyphs() -> frozenset[int]:
    register()
    font = pdfmetrics.getFont(REGULAR)
    return frozenset(font.face.charToGlyph)


def printable(text: str) -> str:
    """`text` with each character the font lacks replaced: accents dropped, else '?'.

    'Łódź' shows as 'Łódz' (the font has Ł and ó but not ź); '漢' shows as '?'.
    """
    glyphs = _glyphs()
    out = []
    for ch in text:
        if ord(ch) in glyphs or ch in "\n\t":
            out.append(ch)
        elif ch in SUBSTITUTES:
            out.append(SUBSTITUTES[ch])
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
            )
            out.append(base if base and all(ord(c) in glyphs for c in base) else "?")
    return "".join(out)


def fit(text: str, width: float, size: float = 7.5, font: str = REGULAR) -> str:
    """`text` shortened in the middle ('Northern and… Limited S08') to fit in `width` points.

    Cutting in the middle keeps the end of a name, which often tells similar names apart.
    """
    text = printable(text)
    if stringWidth(text, font, size) <= width:
        return text
    head, tail = len(text) // 2, len(text) // 2
    while head > 0 and tail > 0:
        candidate = text[:head].rstrip() + "…" + text[len(text) - tail :].lstrip()
        if stringWidth(candidate, font, size) <= width:
            return candidate
        if head >= tail:
            head -= 1
        else:
            tail -= 1
    return "…"
