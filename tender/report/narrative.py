"""The officer's report narrative: a Markdown file of sections keyed by heading.

The format is deliberately small: ``## Heading`` starts a section (looked up by its slug,
e.g. "Next steps" → ``next-steps``), blank lines separate paragraphs, lines starting
``- `` are bullet points, and ``### Sub-heading`` splits a section into items (used for the
implications table, with a ``Sign-off:`` line). Text is kept as written; it is never
invented: a section the report needs but the file lacks becomes a visible placeholder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, TenderInputError
from ..inputs import display_path, project_root, read_text
from ..model import Tender

MAX_NARRATIVE_BYTES = 1 << 20
SIGN_OFF = re.compile(r"^sign-?off\s*:\s*(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    """A paragraph (`bullets` empty) or a bullet list (`text` empty)."""

    text: str = ""
    bullets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """A sub-section (``###``): its title, its blocks, and an optional sign-off."""

    title: str
    blocks: tuple[Block, ...]
    sign_off: str = ""


@dataclass(frozen=True)
class Narrative:
    """Sections by slug; `source` names the file (empty when there is none)."""

    sections: dict[str, tuple[Block, ...]] = field(default_factory=dict)
    items: dict[str, tuple[Item, ...]] = field(default_factory=dict)
    source: str = ""

    def blocks(self, key: str) -> tuple[Block, ...] | None:
        """The blocks of section `key`, or None if the file does not have it."""
        if key not in self.sections and key not in self.items:
            return None
        return self.sections.get(key, ())


def slug(heading: str) -> str:
    """'Next steps' → 'next-steps'."""
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


def narrative_path(tender: Tender) -> Path | None:
    """The narrative file the definition names, or `<stem>.narrative.md` beside it."""
    if tender.report.narrative is not None:
        return tender.resolve(tender.report.narrative)
    if tender.source is None:
        return None
    return tender.source.with_name(f"{tender.source.stem}.narrative.md")


def load_narrative(tender: Tender) -> Narrative:
    """Read the tender's narrative file; an absent default file gives an empty narrative.

    Raises:
        TenderInputError: when a named file is missing, too large or not UTF-8.
    """
    path = narrative_path(tender)
    if path is None:
        return Narrative()
    name = display_path(path, project_root(tender))
    if not path.is_file():
        if tender.report.narrative is None:
            return Narrative()
        raise TenderInputError(
            [Problem(name, "", "no such file", "the narrative file named by report.narrative")]
        )
    return parse_narrative(read_text(path, name, MAX_NARRATIVE_BYTES), name)


def parse_narrative(text: str, source: str = "") -> Narrative:
    """Split Markdown text into sections (``##``) and items (``###``)."""
    sections: dict[str, list[str]] = {}
    items: dict[str, list[tuple[str, list[str]]]] = {}
    current: list[str] | None = None
    section = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("### ") and section:
            lines: list[str] = []
            items.setdefault(section, []).append((stripped[4:].strip(), lines))
            current = lines
        elif stripped.startswith("## "):
            section = slug(stripped[3:])
            current = sections.setdefault(section, [])
        elif stripped.startswith("# "):
            section, current = "", None
        elif current is not None:
            current.append(line)
    return Narrative(
        {key: _blocks(lines) for key, lines in sections.items()},
        {key: tuple(_item(title, lines) for title, lines in found) for key, found in items.items()},
        source,
    )


def _item(title: str, lines: list[str]) -> Item:
    sign_off = ""
    kept = []
    for line in lines:
        match = SIGN_OFF.match(line.strip())
        if match:
            sign_off = match.group(1).strip()
        else:
            kept.append(line)
    return Item(title, _blocks(kept), sign_off)


def _blocks(lines: list[str]) -> tuple[Block, ...]:
    """Paragraphs (consecutive lines joined) and bullet lists."""
    out: list[Block] = []
    paragraph: list[str] = []
    bullets: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append(Block(text=" ".join(paragraph)))
            paragraph.clear()
        if bullets:
            out.append(Block(bullets=tuple(bullets)))
            bullets.clear()

    for line in lines:
        stripped = line.strip()
        if not stripped:
            flush()
        elif stripped.startswith(("- ", "* ")):
            if paragraph:
                flush()
            bullets.append(stripped[2:].strip())
        elif bullets and line[:1].isspace():
            bullets[-1] += " " + stripped
        else:
            if bullets:
                flush()
            paragraph.append(stripped)
    flush()
    return tuple(out)
