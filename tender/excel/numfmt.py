"""Number formats: what a person sees in a cell, so a value is read only as it is shown.

A cell's number format decides what Excel and LibreOffice display: `;;;` hides the value,
`"4"` shows the text 4 whatever is stored, `0` shows 4.4 as 4. A mark is what the evaluator
saw and typed, so a number is read only when its format shows it as stored (General, or
plain digits with enough decimals); a date or time format makes it a date; any other
format is refused by the reader. Pure; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Literal

# ECMA-376 Part 1, 18.8.30: the built-in formats every reader must know by id.
BUILTIN = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)",
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    48: "##0.0E+0",
    49: "@",
}
# Locale-dependent date formats (East Asian calendars) Excel stores by id alone.
BUILTIN_DATES = frozenset(range(27, 37)) | frozenset(range(50, 59))

Kind = Literal["number", "date", "time", "datetime", "other"]

_QUOTED = re.compile(r'"[^"]*"|\\.')
_BRACKET = re.compile(r"\[[^\]]*\]")
_COLOUR = re.compile(r"\[(?:black|blue|cyan|green|magenta|red|yellow)\]", re.IGNORECASE)
_LOCALE = re.compile(r"^\s*\[\$-[0-9A-Fa-f]{1,8}\]")  # a language tag, first in its section
_INVISIBLE = re.compile(r"\[(?:white|colou?r\s*\d{1,2})\]", re.IGNORECASE)
_ELAPSED = re.compile(r"\[(?:h+|m+|s+)\]", re.I)
# Plain digits with a 0 before the point, so that every value, 0 too, shows a digit.
_DIGITS = re.compile(r"^(?P<int>(?:#(?:,?#)*,?)?0(?:,?0)*)(?:\.(?P<dec>0*))?$")


@dataclass(frozen=True)
class Format:
    """A number format as it bears on reading: its kind, and decimals shown per section."""

    code: str
    kind: Kind
    decimals: tuple[int | None, ...] = ()  # per section; None: General (11 characters)
    shows_text: bool = True  # a fourth section other than `@` hides or changes text

    def shows(self, value: float) -> str | None:
        """The text a person sees for `value`, when it is the value itself; else None.

        Only for `kind == "number"`: None means the format rounds, hides or replaces it.
        """
        if self.kind != "number":
            return None
        index = 0 if value > 0 or len(self.decimals) == 1 else (1 if value < 0 else 2)
        if index >= len(self.decimals):
            index = 0  # two sections: the first serves zero as well (ECMA-376 18.8.31)
        places = self.decimals[index]
        quick = _quick(value, places)
        if quick is not None:
            return quick
        text = _general(value) if places is None else _fixed(value, places)
        if text is None or Decimal(text) != abs(Decimal(repr(value))):
            return None
        return text


def describe(code: str, builtin_id: int | None = None) -> Format:
    """Classify a format code (or a built-in id with no code of its own)."""
    if builtin_id is not None and code == "" and builtin_id in BUILTIN_DATES:
        return Format(f"built-in format {builtin_id}", "date")
    raw = _QUOTED.sub(lambda m: "\0" if len(m.group()) > 1 else "", code).split(";")
    text = _shows_text(raw)
    if len(raw) > 4 or any(_INVISIBLE.search(s) for s in raw):
        return Format(code, "other", shows_text=False)  # white or palette colours hide it
    sections = [_ELAPSED.sub("h", _COLOUR.sub("", _LOCALE.sub("", s, count=1))) for s in raw]
    sections = [s.strip() for s in sections]
    kind = _date_kind(_BRACKET.sub("", sections[0].replace("\0", "")))
    if kind is not None:
        return Format(code, kind, shows_text=text)  # literal text around a date: still a date
    if any(_BRACKET.search(s) or "\0" in s for s in sections[:3]):
        return Format(code, "other", shows_text=text)  # conditions, currency, quoted literals
    decimals = _section_decimals(sections[:3])
    if decimals is None:
        return Format(code, "other", shows_text=text)
    return Format(code, "number", decimals, shows_text=text)


def _section_decimals(sections: list[str]) -> tuple[int | None, ...] | None:
    """The decimal places each number section shows (the second is the negative one);
    None if any section is not a plain number."""
    decimals: list[int | None] = []
    for position, section in enumerate(sections):
        places = _digits(section, negative=position == 1)
        if places == -1:
            return None
        decimals.append(places)
    return tuple(decimals)


def _shows_text(sections: list[str]) -> bool:
    """Whether text in the cell is shown as typed: the text section is plain `@` or absent.

    ECMA-376 18.8.31: text uses the fourth section, or else a section holding `@`; a
    fourth section without `@` hides text, and literals or colours around `@` change it.
    """
    if len(sections) >= 4:
        return sections[3].strip() == "@"
    with_at = [s for s in sections if "@" in s]
    return all(s.strip() == "@" for s in with_at)


def _date_kind(section: str) -> Kind | None:
    letters = {c for c in section.lower() if c in "ymdhs"}
    if not letters or section.lower() == "general":
        return None
    has_date = bool(letters & {"y", "d"}) or ("m" in letters and not letters & {"h", "s"})
    has_time = bool(letters & {"h", "s"})
    if has_date and has_time:
        return "datetime"
    return "date" if has_date else "time"


def _digits(section: str, *, negative: bool) -> int | None:
    """Decimal places a plain-digits section shows; None for General; -1 for anything else."""
    if section.lower() in ("general", "@"):
        return None
    if negative:
        if section.startswith("(") and section.endswith(")"):
            section = section[1:-1].strip()
        elif section.startswith("-"):
            section = section[1:]
        else:
            return -1  # a negative shown without its sign is not the number stored
    match = _DIGITS.match(section)
    if match is None or section == "" or section.endswith(","):
        return -1  # a trailing comma divides by 1,000
    return len(match.group("dec") or "")


def _quick(value: float, places: int | None) -> str | None:
    """The common case without Decimal: a short number that fits the format as it is."""
    text = repr(abs(value))
    if "e" in text or "n" in text:
        return None  # exponent, inf or nan: the exact path decides
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    if places is None:
        shown = f"{whole}.{fraction}" if fraction else whole
        return shown if len(shown) <= 11 else None
    if len(fraction) <= places:
        return f"{whole}.{fraction.ljust(places, '0')}" if places else whole
    return None


def _fixed(value: float, places: int) -> str | None:
    quantum = Decimal(1).scaleb(-places)
    try:
        with localcontext() as context:
            context.prec = 60
            return str(abs(Decimal(repr(value))).quantize(quantum, rounding=ROUND_HALF_UP))
    except InvalidOperation:
        return None  # too large to show with these decimals


def _general(value: float) -> str | None:
    """General shows at most 11 characters: digits beyond them are rounded away."""
    number = abs(Decimal(repr(value)))
    if number == 0:
        return "0"
    if not Decimal("1e-9") <= number < Decimal("1e11"):
        return None  # shown in scientific notation
    whole = len(str(int(number)))
    places = max(0, 11 - whole - 1)
    text = str(number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    return text.rstrip("0").rstrip(".") if "." in text else text
