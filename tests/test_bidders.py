"""Bidder ids and names: one rule for every reader, ids never escaped, names cleaned once."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tender.bidders import (
    ID_RULE,
    Supplier,
    all_ids_sound,
    clean_name,
    clean_names,
    id_problems,
    supplier_map,
    suppliers,
)
from tender.errors import TenderInputError
from tender.inputs import load_tender


def problems(ids: list[str]) -> list[tuple[int, str, str]]:
    return [(p.position, p.found, p.expected) for p in id_problems(pd.Series(ids), 2)]


def bulk(ids: list[object]) -> bool:
    return all_ids_sound(np.array(ids, dtype=object))


def test_the_bulk_check_passes_a_sound_list_and_refuses_each_kind_of_fault() -> None:
    assert bulk(["A", "B", "0042", "Lot-1.b_2", "x" * 40])
    assert not bulk([])
    assert not bulk(["A", "A"])  # a repeat
    assert not bulk(["A", ""])  # an empty id
    assert not bulk(["", "A"])
    assert not bulk(["A", "x" * 41])  # one byte too long
    assert not bulk(["A", "-B"])  # starts with a mark, not a letter or digit
    assert not bulk(["_A", "B"])
    assert not bulk(["A", "B C"])  # outside the alphabet
    assert not bulk(["A", "B\nC"])  # a newline inside an id
    assert not bulk(["A", "\u0412"])  # a Cyrillic look-alike of B
    assert not bulk(["A", 7])  # not text


# pieces of ids, so that lists reach the length limit, repeats and every kind of fault
ID_PIECES = st.sampled_from(["A", "a", "9", "_", ".", "-", "\n", " ", "\u0412", "\u00e9", "x" * 20])
AN_ID = st.lists(ID_PIECES, max_size=3).map("".join)


@given(st.lists(AN_ID, max_size=6))
def test_the_bulk_check_agrees_with_the_id_rule_and_the_repeat_rule(ids: list[str]) -> None:
    expected = bool(ids) and not id_problems(pd.Series(ids, dtype=object), 2)
    assert bulk(list(ids)) == expected


def test_sound_ids_have_no_problems() -> None:
    assert problems(["A", "B", "0042", "Lot-1.b_2"]) == []


@pytest.mark.parametrize(
    ("bad", "found"),
    [
        ("-B", "bidder_id '-B'"),  # once written to a CSV as '-B and refused on reading
        ("=HYPERLINK(1)", "bidder_id '=HYPERLINK(1)'"),
        ("\u0410", "bidder_id '\u0410'"),  # Cyrillic A, a look-alike of A
        ("B\x07", "bidder_id 'B\\x07'"),
        ("A B", "bidder_id 'A B'"),
        ("", "an empty bidder_id"),
    ],
)
def test_ids_outside_the_safe_alphabet_are_refused(bad: str, found: str) -> None:
    assert problems(["A", bad]) == [(1, found, ID_RULE)]


def test_a_repeated_id_names_its_first_line() -> None:
    assert problems(["A", "B", "A", "B"]) == [
        (2, "bidder_id 'A' again (first at line 2)", "each bidder once"),
        (3, "bidder_id 'B' again (first at line 3)", "each bidder once"),
    ]


def test_problems_stop_at_the_limit_for_a_million_bad_ids() -> None:
    found = id_problems(pd.Series(["-x"] * 1_000_000), 2, limit=200)
    assert len(found) == 200


def test_names_are_normalised_and_control_characters_made_visible() -> None:
    decomposed = unicodedata.normalize("NFD", "Gwasanaethau Plâu Cymru")
    assert clean_name(decomposed) == "Gwasanaethau Plâu Cymru"
    assert clean_name(" Acme\x07 Ltd ") == "Acme\ufffd Ltd"
    series = pd.Series(["Plain Ltd", " Acme\x07 Ltd", decomposed])
    assert clean_names(series).tolist() == [
        "Plain Ltd",
        "Acme\ufffd Ltd",
        "Gwasanaethau Plâu Cymru",
    ]


def bids_with(project: Path, old: str, new: str) -> None:
    bids = project / "bids" / "pest-control-2016" / "bids.csv"
    text = bids.read_text()
    assert old in text
    bids.write_text(text.replace(old, new, 1))


def test_score_refuses_an_id_it_could_never_read_back(
    project: Path, reference: Path, runner: Any
) -> None:
    from tender.cli import cli

    bids_with(project, "\nC,", "\n-C,")
    result = runner.invoke(cli, ["score", str(reference)])
    assert result.exit_code == 1
    assert (
        "bids/pest-control-2016/bids.csv: line 4 (bidder -C): found bidder_id '-C'; expected "
        + ID_RULE
    ) in result.stderr


def test_templates_refuse_the_same_ids_as_score(project: Path, reference: Path) -> None:
    from tender.panel import bidder_list

    bids_with(project, "\nB,", "\n-B,")
    with pytest.raises(TenderInputError) as caught:
        bidder_list(load_tender(reference))
    assert [str(p) for p in caught.value.problems] == [
        f"bids/pest-control-2016/bids.csv: line 3: found bidder_id '-B'; expected {ID_RULE}"
    ]


def test_a_control_character_in_a_name_does_not_refuse_every_return(
    project: Path, reference: Path
) -> None:
    # Templates wrote the cleaned name while returns were compared with the raw one.
    bids_with(project, "Company C", "Company\x07 C")
    from tests.conftest import PanelKit

    kit = PanelKit(project, reference)

    collection = kit.collect_all()
    assert collection.rejected == []
    assert sorted(collection.accepted) == ["E1", "E2", "E3"]


def supplier_rows(**columns: list[str]) -> pd.DataFrame:
    count = len(next(iter(columns.values())))
    ids = [chr(ord("A") + i) for i in range(count)]
    return pd.DataFrame({"bidder_id": ids, "bidder": [f"Bidder {i}" for i in ids], **columns})


def detail_problems(**columns: list[str]) -> list[tuple[int, str, str, str]]:
    return [
        (p.position, p.column, p.found, p.expected) for p in suppliers(supplier_rows(**columns))[1]
    ]


def test_sound_supplier_details_are_read_and_cleaned() -> None:
    frame = supplier_rows(
        legal_name=["  Goodwin Pest Management Ltd ", ""],
        address=["1 High Street\nMaidstone\r\nME14 1AA", ""],
        email=["tenders@example.co.uk", ""],
        identifier_scheme=["gb-coh", ""],
        identifier_id=["sc123456", ""],
    )
    found, problems = suppliers(frame)
    assert problems == []
    assert found[0] == Supplier(
        "A",
        "Bidder A",
        2,
        "Goodwin Pest Management Ltd",
        "1 High Street, Maidstone, ME14 1AA",
        "tenders@example.co.uk",
        "GB-COH",
        "SC123456",
    )
    assert found[0].identifier == "SC123456 (Companies House, GB-COH)"
    assert found[0].missing_for_reg31() == []
    assert found[1] == Supplier("B", "Bidder B", 3)
    assert found[1].name == "Bidder B"
    assert found[1].missing_for_reg31() == ["address", "email", "identifier_id"]


def test_a_bids_file_without_the_columns_has_suppliers_named_only() -> None:
    frame = pd.DataFrame({"bidder_id": ["A"], "bidder": ["Alpha"]})
    assert supplier_map(frame) == {"A": Supplier("A", "Alpha", 2)}


def test_names_in_any_script_and_of_300_characters_pass() -> None:
    names = ["Łódź Usługi Sp. z o.o.", "Cwmni Glanhau Llŷn Cyf", "شركة المكافحة", "株式会社害虫"]
    names.append("L" * 300)
    found, problems = suppliers(supplier_rows(legal_name=names))
    assert problems == []
    assert [s.legal_name for s in found] == names


@pytest.mark.parametrize(
    ("column", "value", "found", "expected"),
    [
        ("email", "Mr Smith", "'Mr Smith'", "one email address, such as tenders@example.co.uk"),
        ("email", "a@b", "'a@b'", "one email address, such as tenders@example.co.uk"),
        ("email", "a@b.com; c@d.com", "'a@b.com; c@d.com'", "one email address, such as "),
        ("legal_name", "x" * 501, "501 characters", "at most 500 characters"),
        ("identifier_scheme", "Companies House", "'COMPANIES HOUSE'", "an org-id.guide scheme"),
    ],
)
def test_a_detail_that_is_not_what_its_column_holds_is_refused(
    column: str, value: str, found: str, expected: str
) -> None:
    columns = {column: [value]}
    if column == "identifier_scheme":
        columns["identifier_id"] = ["01234567"]
    [problem] = detail_problems(**columns)
    assert problem[:3] == (0, column, found)
    assert problem[3].startswith(expected)


def test_a_companies_house_number_is_eight_characters() -> None:
    assert detail_problems(identifier_scheme=["GB-COH"], identifier_id=["1234567"]) == [
        (
            0,
            "identifier_id",
            "'1234567' (a spreadsheet may have dropped leading zeros)",
            "a Companies House number: eight digits, or two letters and six digits, "
            "such as 01234567 or SC123456",
        )
    ]
    assert detail_problems(identifier_scheme=["GB-CHC"], identifier_id=["1234567"]) == []


def test_a_scheme_and_its_identifier_come_together() -> None:
    assert detail_problems(identifier_scheme=["GB-COH", ""], identifier_id=["", "01234567"]) == [
        (0, "identifier_id", "nothing", "the supplier's identifier in scheme GB-COH, or no scheme"),
        (
            1,
            "identifier_scheme",
            "nothing",
            "the scheme of the identifier, such as GB-COH for a Companies House number",
        ),
    ]
    found, _ = suppliers(supplier_rows(identifier_scheme=[""], identifier_id=["01234567"]))
    assert found[0].identifier == ""  # an identifier without its scheme is not used


def test_a_refused_detail_is_reported_once_and_read_as_blank() -> None:
    rows = supplier_rows(identifier_scheme=["GB-COH"], identifier_id=["12 34"], email=["x"])
    found, problems = suppliers(rows)
    assert [(p.column, p.found) for p in problems] == [
        ("email", "'x'"),
        ("identifier_id", "'12 34'"),
    ]
    assert (found[0].email, found[0].identifier_id) == ("", "")
