"""Bidder ids and names: one rule for every reader, ids never escaped, names cleaned once."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tender.bidders import ID_RULE, clean_name, clean_names, id_problems
from tender.errors import TenderInputError
from tender.inputs import load_tender


def problems(ids: list[str]) -> list[tuple[int, str, str]]:
    return [(p.position, p.found, p.expected) for p in id_problems(pd.Series(ids), 2)]


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
