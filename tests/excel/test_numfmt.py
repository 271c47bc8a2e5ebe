"""Number formats: a number is read only when its format shows it as stored."""

from __future__ import annotations

import pytest

from tender.excel.numfmt import describe


@pytest.mark.parametrize(
    ("code", "value", "shown"),
    [
        ("General", 4.0, "4"),
        ("General", 4.5, "4.5"),
        ("General", 0.0, "0"),
        ("@", 7.0, "7"),
        ("0", 4.0, "4"),
        ("0.00", 4.5, "4.50"),
        ("#,##0", 1234.0, "1234"),
        ("[Red]0.0", 4.5, "4.5"),
        ("0.0;-0.0", -4.5, "4.5"),
        ("0;(0)", -4.0, "4"),
        ("#,##0.00;[Red](#,##0.00)", 4.25, "4.25"),
    ],
)
def test_plain_formats_show_the_value_stored(code: str, value: float, shown: str) -> None:
    fmt = describe(code)
    assert fmt.kind == "number"
    assert fmt.shows(value) == shown


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("0", 4.5),  # shown as 5
        ("0", 4.4),  # shown as 4
        ("0.0", 4.25),  # shown as 4.3
        ("General", 4.0000000001),  # General keeps 11 characters: shown as 4
        ("General", 1e-12),  # scientific notation
    ],
)
def test_a_format_that_rounds_the_value_does_not_show_it(code: str, value: float) -> None:
    assert describe(code).shows(value) is None


@pytest.mark.parametrize(
    "code",
    [
        ";;;",  # hides everything
        '"4"',  # shows the text 4 whatever is stored
        '0" marks"',
        "[>5]0;0",  # a condition
        "0;0",  # a negative shown without its sign
        "0%",
        "0,",  # thousands
        "0.00E+00",
        "# ?/?",
        '_(* #,##0_);_(* (#,##0);_(* "-"_);_(@_)',  # accounting: 0 shown as -
        "[$£-809]0",
    ],
)
def test_formats_that_hide_or_replace_the_value_are_other(code: str) -> None:
    fmt = describe(code)
    assert fmt.kind == "other"
    assert fmt.shows(4.0) is None


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("mm-dd-yy", "date"),
        ("dd/mm/yyyy;@", "date"),
        ("[$-809]dd\\-mm\\-yyyy", "date"),
        ('d" de "mmmm', "date"),
        ("h:mm", "time"),
        ("[h]:mm:ss", "time"),
        ("m/d/yy h:mm", "datetime"),
    ],
)
def test_date_and_time_formats(code: str, kind: str) -> None:
    assert describe(code).kind == kind


def test_locale_dates_stored_by_id_alone_are_dates() -> None:
    assert describe("", 31).kind == "date"


@pytest.mark.parametrize(
    ("code", "shows_text"),
    [("General", True), ("0;0;0;@", True), (";;;", False), (';;;"4"', False)],
)
def test_a_fourth_section_other_than_at_hides_text(code: str, shows_text: bool) -> None:
    assert describe(code).shows_text is shows_text
