"""Text in the bundled fonts: every name prints as written, whatever its script."""

from __future__ import annotations

import pytest

from tender.report.fonts import FALLBACK, REGULAR, break_token, markup, printable, register, runs


@pytest.mark.parametrize(
    "name",
    [
        "Łódź Przędzalnia",
        "Zażółć gęślą jaźń Sp. z o.o.",
        "Gwasanaethau Glanhau Ŵyŷ Cyf",
        "شركة الخليج للخدمات",
        "株式会社東京サービス",
    ],
)
def test_names_in_any_script_print_as_written(name):
    assert printable(name) == name


def test_printable_keeps_what_the_fonts_have_and_degrades_the_rest():
    assert printable("£12,000 – W × offer ÷ highest") == "£12,000 – W × offer ÷ highest"
    assert printable("a → b") == "a -> b"
    assert printable("\U00013000") == "?"  # no bundled font has Egyptian hieroglyphs


def test_japanese_is_set_in_the_fallback_font():
    register()
    assert list(runs("Tokyo 株式会社")) == [(REGULAR, "Tokyo "), (FALLBACK, "株式会社")]
    assert markup("A & 株") == f'A &amp; <font face="{FALLBACK}">株</font>'


def test_long_tokens_break_where_a_reader_expects():
    register()
    path = "bids/pest-control-2016/abnormal-price-decisions.csv"
    assert break_token(path, 200, 8.5) == [
        "bids/pest-control-2016/",
        "abnormal-price-decisions.csv",
    ]
    sha = "1b85e0195ed416fed134aed8a2bc176e50e1edbbd63619263abf5cc1a43337d1"
    assert break_token(sha, 250, 8.5) == [sha[:32], sha[32:]]
