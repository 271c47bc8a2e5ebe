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


def test_arabic_is_joined_in_logical_order_before_it_is_measured():
    from tender.report.fonts import shape

    # sheen initial, reh final, kaf initial, teh marbuta final (Unicode presentation forms B)
    assert shape("شركة") == "\ufeb7\ufeae\ufedb\ufe94"
    assert shape("لا") == "\ufefb"  # lam-alef: a ligature both bundled fonts have
    assert shape("Bid 12") == "Bid 12"  # nothing to join: unchanged
    assert shape("شَركة")[1] == "\u064e"  # a mark (fatha) is kept, not deleted


def test_each_line_is_put_in_display_order_on_a_left_to_right_page():
    from tender.report.fonts import shape, visual

    sheen_reh_kaf_teh = "\ufeb7\ufeae\ufedb\ufe94"
    assert visual(shape("Dear شركة,")) == "Dear " + sheen_reh_kaf_teh[::-1] + ","
    # numbers inside Arabic keep their own order; the run's words are drawn right to left
    assert visual(shape("شركة 2026")) == "2026 " + sheen_reh_kaf_teh[::-1]
    # a bracket inside Arabic is mirrored, so "(ذ)" still reads as opened and closed
    assert visual(shape("شركة (ذ) م")) == "\ufee1 (\ufeab) " + sheen_reh_kaf_teh[::-1]
    assert visual("Latin only (A)") == "Latin only (A)"
