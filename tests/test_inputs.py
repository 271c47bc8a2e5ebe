"""Reading definitions and CSV files: hostile YAML, YAML 1.1 coercions, CSV dialects."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tender.errors import TenderInputError
from tender.inputs import load_inputs, load_tender, read_bids, read_csv_text

TINY = Path(__file__).parent / "data" / "tiny" / "criteria" / "tiny.yaml"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(TenderInputError) as caught:
        load_tender(path)
    return [str(p) for p in caught.value.problems]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def tiny_with(tmp_path: Path, old: str, new: str) -> Path:
    text = TINY.read_text(encoding="utf-8")
    assert old in text
    return write(tmp_path, text.replace(old, new, 1))


def test_python_tags_are_refused(tmp_path):
    found = problems_of(write(tmp_path, "a: !!python/object/apply:os.getpid []\n"))
    assert len(found) == 1
    assert found[0].startswith("t.yaml: line 1, column 4: found could not determine a constructor")


def test_alias_bomb_is_refused_before_expansion(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    found = problems_of(write(tmp_path, bomb))
    assert found == [
        "t.yaml: line 2, column 8: found an alias (*name); "
        "expected YAML without anchors and aliases (&name, *name)"
    ]


def test_oversized_definition_is_refused(tmp_path):
    path = write(tmp_path, "# " + "x" * (1 << 20) + "\n")
    assert "bytes; expected at most 1,048,576 bytes" in problems_of(path)[0]


def test_yaml_11_coercions_are_errors_not_silent(tmp_path):
    path = tiny_with(tmp_path, "reference: TINY-1", "reference: NO")
    assert problems_of(path) == [
        "t.yaml: tender.reference (line 4): found 'False' (bool); expected a valid string"
    ]


def test_misspelt_key_is_named(tmp_path):
    path = tiny_with(tmp_path, "near_tie:\n  margin: 6", "near_tie:\n  margn: 6")
    assert problems_of(path) == [
        "t.yaml: near_tie.margn (line 30): found unknown field 'margn'; "
        "expected only the fields this section defines (check the spelling)"
    ]


def test_sub_criteria_must_add_up(tmp_path):
    path = tiny_with(
        tmp_path,
        "{id: T1b, title: Equipment, weight: 10}",
        "{id: T1b, title: Equipment, weight: 5}",
    )
    found = problems_of(path)
    assert found[0] == (
        "t.yaml: quality.criteria[0] (line 20): found sub-criteria weights totalling 25; "
        "expected the weight of T1, 30"
    )


def test_unknown_formula_lists_the_known_ones(tmp_path):
    path = tiny_with(tmp_path, "name: lowest_price", "name: cheapest")
    found = problems_of(path)
    assert found[0].startswith("t.yaml: price.formula (line 14): found 'cheapest'; expected one of")
    assert "'lowest_price'" in found[0]


def test_every_problem_is_reported_at_once(tmp_path):
    text = TINY.read_text(encoding="utf-8")
    text = text.replace("maximum: 5", "maximum: -5").replace("margin: 6", "margin: -1")
    assert len(problems_of(write(tmp_path, text))) == 2


def test_data_paths_resolve_against_the_definition():
    tender = load_tender(TINY)
    assert tender.resolve(tender.data.bids) == (TINY.parent.parent / "bids/tiny/bids.csv")
    assert tender.slug == "tiny"


def test_csv_values_are_never_guessed(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("bidder_id,bidder\n007,NA\n", encoding="utf-8")
    frame = read_csv_text(path, "x.csv")
    assert frame.to_dict("records") == [{"bidder_id": "007", "bidder": "NA"}]


def test_csv_not_utf8_is_named(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("bidder_id,bidder\nA,Caf\xe9 Ltd\n".encode("cp1252"))
    with pytest.raises(TenderInputError) as caught:
        read_csv_text(path, "x.csv")
    assert str(caught.value) == (
        "x.csv: found text that is not UTF-8 (Excel's 'CSV' saves Windows-1252); "
        "expected a file saved as 'CSV UTF-8'"
    )


def test_csv_with_semicolons_is_named(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("bidder_id;bidder\nA;B\n", encoding="utf-8")
    with pytest.raises(TenderInputError, match="found columns separated by ';'"):
        read_csv_text(path, "x.csv")


def test_bids_keep_money_as_decimal():
    from decimal import Decimal

    bids = read_bids(load_tender(TINY))
    assert bids.loc[0, "price_amount"] == Decimal("100")
    assert bids.loc[3, "price_amount"] is None
    assert bids["price"].isna().tolist() == [False, False, False, True, False]


def test_fingerprints_cover_every_input():
    inputs = load_inputs(load_tender(TINY))
    assert sorted(inputs.fingerprints) == [
        "bids/tiny/bids.csv",
        "bids/tiny/marks.csv",
        "bids/tiny/moderated.csv",
        "criteria/tiny.yaml",
    ]
    assert all(len(h) == 64 for h in inputs.fingerprints.values())


def test_missing_bids_file_is_named(tmp_path):
    path = tiny_with(tmp_path, "bids: ../bids/tiny/bids.csv", "bids: nowhere.csv")
    with pytest.raises(TenderInputError) as caught:
        load_inputs(load_tender(path))
    assert "nowhere.csv: found no such file; expected a CSV file" in str(caught.value)


def test_a_key_given_twice_is_refused(tmp_path):
    path = tiny_with(tmp_path, "near_tie:\n  margin: 6", "near_tie:\n  margin: 6\n  margin: 1")
    assert problems_of(path) == [
        "t.yaml: line 31, column 3: found the key 'margin' a second time; "
        "expected each key once in its section"
    ]


def test_negative_price_is_named_as_such(tmp_path):
    import shutil

    shutil.copytree(TINY.parents[1], tmp_path / "tiny")
    bids = tmp_path / "tiny" / "bids" / "tiny" / "bids.csv"
    bids.write_text(
        bids.read_text(encoding="utf-8").replace(
            "X,Xylo Grounds Ltd,100", "X,Xylo Grounds Ltd,-100"
        ),
        encoding="utf-8",
    )
    with pytest.raises(TenderInputError) as caught:
        read_bids(load_tender(tmp_path / "tiny" / "criteria" / "tiny.yaml"))
    assert str(caught.value).startswith(
        "bids/tiny/bids.csv: line 2 (bidder X), column price_gbp: found a negative value; "
    )


def test_a_date_that_does_not_exist_is_named_by_field_and_line(tmp_path):
    regime = "  regime: pcr2015\n"
    path = tiny_with(tmp_path, regime, regime + "contract:\n  start: 2016-02-30\n")
    assert problems_of(path) == [
        "t.yaml: contract.start (line 9): found the date '2016-02-30' (day is out of range "
        "for month); expected a date that exists, written YYYY-MM-DD"
    ]


def test_a_five_thousand_digit_integer_is_refused_unread(tmp_path):
    path = tiny_with(tmp_path, "  price: 40\n", f"  price: {'9' * 5000}\n")
    assert problems_of(path) == [
        "t.yaml: weights.price (line 9): found an integer of 5,000 digits; "
        "expected a number of at most 100 digits"
    ]


@pytest.mark.parametrize("opening", ["[", "{a: ", "- "])
def test_deep_nesting_is_refused_without_recursion(tmp_path, opening):
    if opening == "- ":
        text = "- " * 3000 + "1\n"
    else:
        text = "x: " + opening * 10_000 + "1" + ("]" if opening == "[" else "}") * 10_000 + "\n"
    (found,) = problems_of(write(tmp_path, text))
    assert "found more than 50 levels of nesting; expected at most 50 levels" in found


def test_an_anchor_without_an_alias_is_refused(tmp_path):
    path = tiny_with(tmp_path, "  price: 40\n", "  price: &p 40\n")
    assert problems_of(path) == [
        "t.yaml: weights.price (line 9): found an anchor (&p); "
        "expected YAML without anchors and aliases (&name, *name)"
    ]


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("!!float abc", "found 'abc' (could not convert string to float: 'abc')"),
        ("!!timestamp soon", "found the date 'soon'"),
        ("!!int twelve", "found 'twelve' (invalid literal"),
    ],
)
def test_a_value_its_tag_cannot_read_is_a_located_problem(tmp_path, value, found):
    (problem,) = problems_of(tiny_with(tmp_path, "  price: 40\n", f"  price: {value}\n"))
    assert problem.startswith(f"t.yaml: weights.price (line 9): {found}")


def test_an_unhashable_key_is_a_yaml_problem(tmp_path):
    (problem,) = problems_of(write(tmp_path, "? [1, 2]\n: x\n"))
    assert problem == "t.yaml: line 1, column 3: found unhashable key; expected valid YAML"


def _csv(tmp_path, text):
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _csv_problems(path):
    with pytest.raises(TenderInputError) as caught:
        read_csv_text(path, "x.csv")
    return [str(p) for p in caught.value.problems]


def test_a_csv_cut_short_in_its_last_row_is_refused(tmp_path):
    path = _csv(tmp_path, "a,b,c\n1,2,3\n4,")
    assert _csv_problems(path) == [
        "x.csv: line 3 (the last): found a row of 2 fields; "
        "expected 3 fields, as in the header (was the file cut short?)"
    ]
    assert len(read_csv_text(_csv(tmp_path, 'a,b,c\n1,2,"x\ny"\n'), "x.csv")) == 1


def test_nul_characters_and_giant_fields_are_refused(tmp_path):
    path = _csv(tmp_path, "a,b\n1,\x00\n2," + "x" * 40_000 + "\n")
    assert _csv_problems(path) == [
        "x.csv: line 2, column b: found a NUL character (binary or damaged data); "
        "expected text of at most 32,767 characters, without NUL",
        "x.csv: line 3, column b: found a field of 40,000 characters; "
        "expected text of at most 32,767 characters, without NUL",
    ]


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_folder_or_fifo_where_a_csv_should_be_is_named(tmp_path, kind):
    import os

    path = tmp_path / "x.csv"
    if kind == "folder":
        path.mkdir()
    elif hasattr(os, "mkfifo"):
        os.mkfifo(path)
    else:  # pragma: no cover
        pytest.skip("POSIX only")
    found = "a folder" if kind == "folder" else "a FIFO (named pipe)"
    assert _csv_problems(path) == [f"x.csv: found {found}; expected a CSV file"]


def test_rows_one_field_longer_than_the_header_are_refused_not_shifted(tmp_path):
    # pandas once took the first column for an index here: the ids became the names.
    from pathlib import Path

    import pytest

    from tender.errors import TenderInputError
    from tender.inputs import read_csv_text

    path = Path(tmp_path) / "bids.csv"
    path.write_text("bidder_id,bidder,price\nA,Alpha,1,000\nB,Beta,2,000\n")
    with pytest.raises(TenderInputError) as caught:
        read_csv_text(path, "bids.csv")
    assert str(caught.value) == (
        "bids.csv: found rows with more fields than the header (an unquoted comma, as in "
        "1,000?); expected one field per column: no thousands separator, and quotes around "
        "text that holds a comma"
    )


def test_supplier_details_are_checked_where_they_are_read(tmp_path):
    import shutil

    shutil.copytree(TINY.parents[1], tmp_path / "tiny")
    bids = tmp_path / "tiny" / "bids" / "tiny" / "bids.csv"
    lines = bids.read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",legal_name,address,email,identifier_scheme,identifier_id"]
    details = 'Xylo Grounds Limited,"1 Mill Lane\nXton",x@xylo.example,GB-COH,1234567'
    rows.append(f"{lines[1]},{details}")
    rows += [line + ",,,by phone,," for line in lines[2:]]
    bids.write_text("\n".join(rows) + "\n", encoding="utf-8")
    tender = load_tender(tmp_path / "tiny" / "criteria" / "tiny.yaml")
    with pytest.raises(TenderInputError) as caught:
        load_inputs(tender)
    messages = [str(p) for p in caught.value.problems]
    assert messages[0] == (
        "bids/tiny/bids.csv: line 2 (bidder X), column identifier_id: found '1234567' (a "
        "spreadsheet may have dropped leading zeros); expected a Companies House number: eight "
        "digits, or two letters and six digits, such as 01234567 or SC123456"
    )
    assert messages[1] == (
        "bids/tiny/bids.csv: line 3 (bidder Y), column email: found 'by phone'; expected one "
        "email address, such as tenders@example.co.uk"
    )
    assert len(messages) == 1 + len(lines) - 2  # every bad detail, every row, at once
    frame = load_inputs(tender, defer_price_problems=True).bids
    assert frame.loc[0, "address"] == "1 Mill Lane, Xton"
    assert frame.loc[0, "identifier_id"] == ""  # refused, so read as not given


LOTS_EXAMPLE = Path(__file__).resolve().parents[1] / "criteria" / "cleaning-lots-2026.yaml"


def lots_problems(tmp_path: Path, old: str, new: str) -> list[tuple[str, str, str]]:
    from tender.errors import TenderInputError
    from tender.inputs import load_tender

    text = LOTS_EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "criteria").mkdir()
    definition = tmp_path / "criteria" / "lots.yaml"
    definition.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(TenderInputError) as caught:
        load_tender(definition)
    return [(p.where, p.found, p.expected) for p in caught.value.problems]


def test_a_lots_field_problem_names_the_lot_the_field_and_its_line(tmp_path: Path) -> None:
    line = LOTS_EXAMPLE.read_text(encoding="utf-8").splitlines().index("      quality: 30") + 1
    assert lots_problems(tmp_path, "      quality: 30\n", "      quality: 3o\n") == [
        (f"lots[2].weights.quality (line {line})", "'3o' (str)", "a valid number")
    ]


def test_a_lot_that_is_no_whole_tender_is_named_with_what_was_found(tmp_path: Path) -> None:
    line = LOTS_EXAMPLE.read_text(encoding="utf-8").splitlines().index('  - id: "3"') + 1
    assert lots_problems(tmp_path, "          weight: 30\n", "          weight: 20\n") == [
        (
            f"lots[2] (line {line})",
            "lot 3: quality criteria weights totalling 20",
            "the quality weight, 30",
        )
    ]


def test_a_misspelt_key_in_a_lot_is_named_under_its_lot(tmp_path: Path) -> None:
    # the line of the misspelt section's first key, as for any unknown section
    line = LOTS_EXAMPLE.read_text(encoding="utf-8").splitlines().index("      price: 70") + 1
    assert lots_problems(
        tmp_path, "    weights:\n      price: 70", "    wieghts:\n      price: 70"
    ) == [
        (
            f"lots[2].wieghts (line {line})",
            "unknown field 'wieghts'",
            "only the fields this section defines (check the spelling)",
        )
    ]


def test_a_lots_bad_estimated_value_is_named_with_its_field_and_line(tmp_path: Path) -> None:
    lines = LOTS_EXAMPLE.read_text(encoding="utf-8").splitlines()
    line = lines.index("    estimated_value: 56000") + 1
    assert lots_problems(
        tmp_path, "    estimated_value: 56000\n", "    estimated_value: -56000\n"
    ) == [
        (
            f"lots[1].estimated_value (line {line})",
            "'-56000' (int)",
            "greater than or equal to 0",
        )
    ]


def test_a_lots_estimated_value_that_is_no_number_is_named(tmp_path: Path) -> None:
    lines = LOTS_EXAMPLE.read_text(encoding="utf-8").splitlines()
    line = lines.index("    estimated_value: 16000") + 1
    assert lots_problems(
        tmp_path, "    estimated_value: 16000\n", "    estimated_value: about 16k\n"
    ) == [(f"lots[2].estimated_value (line {line})", "'about 16k' (str)", "a valid decimal")]


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(
        st.lists(
            st.one_of(
                st.text(alphabet="ab,\x00 ", max_size=6),
                st.builds(lambda n: "x" * n, st.sampled_from([10, 20_000, 32_767, 32_768])),
            ),
            min_size=2,
            max_size=2,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_a_small_table_checked_at_once_finds_what_the_cell_by_cell_check_finds(cells):
    import pandas as pd

    from tender import inputs

    frame = pd.DataFrame(cells, columns=["a", "b"], dtype=str)
    at_once = [str(p) for p in inputs._damaged_cells(frame, "x.csv")]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(inputs, "SMALL_TABLE_CELLS", 0)
        cell_by_cell = [str(p) for p in inputs._damaged_cells(frame, "x.csv")]
    assert at_once == cell_by_cell


def test_a_yaml_syntax_error_is_located_and_said_as_one(tmp_path):
    assert problems_of(write(tmp_path, "a: b: c\n")) == [
        "t.yaml: line 1, column 5: found a syntax error (mapping values are not allowed in "
        "this context); expected valid YAML"
    ]
    (found,) = problems_of(write(tmp_path, "x: [1, 2\n"))
    assert found.startswith("t.yaml: line 2, column 1: found a syntax error (")


def test_definitions_read_through_libyaml_are_the_data_pyyaml_reads():
    """libyaml scans and parses (PyYAML's composer and constructors do the rest, checks
    included): every bundled definition reads as PyYAML's own SafeLoader reads it."""
    import yaml

    from tender import inputs

    if yaml.__with_libyaml__:
        assert yaml.cyaml.CParser in inputs._SafeNoAliasLoader.__mro__
    root = Path(__file__).resolve().parents[1]
    for path in sorted((root / "criteria").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        _, data = inputs._parse_yaml(text, path.name)
        assert data == yaml.load(text, Loader=yaml.SafeLoader), path.name
