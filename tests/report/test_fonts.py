"""Text reduced to the embedded font's characters."""

from __future__ import annotations

from tender.report.fonts import printable


def test_printable_keeps_what_the_font_has_and_degrades_the_rest():
    assert printable("£12,000 – W × offer ÷ highest") == "£12,000 – W × offer ÷ highest"
    assert printable("Łódź") == "Łódz"  # Ł and ó are in the font; ź is not
    assert printable("Przędzalnia") == "Przedzalnia"
    assert printable("a → b") == "a -> b"
    assert printable("漢") == "?"
