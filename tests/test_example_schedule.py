"""The shipped schedule-of-rates example, end to end, against figures worked out by hand.

Rates (bids/office-cleaning-2026/prices.csv) × the definition's volumes a year × 3 years:
  A: 250×85 + 12×420 + 52×65.50 + 40×28 = 30816 a year → 92448
  B: 250×80 + 12×450 + 52×70 + 40×30   = 30240 a year → 90720 (lowest compliant)
  C: no rate for L3, so at the highest rate the other compliant bids offered, B's 70
     (D's 95 does not count: D fails SAFE): 22500 + 4800 + 3640 + 1000 = 31940 → 95820
  D: not ranked (failed requirement SAFE)
Price score = 50 × 90720 ÷ price; quality = 30 × Q1/10 + 20 × Q2/10 from the moderated marks
  A (8, 7) = 38; B (6, 6) = 30; C (7, 8) = 37.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from tender.cli.group import cli
from tender.workflows.evaluation import evaluate_file
from tests.conftest import copy_example

ROOT = Path(__file__).resolve().parents[1]
NAME = "office-cleaning-2026"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(NAME, tmp_path, narrative=True)


def test_the_evaluated_prices_and_scores_are_the_hand_computed_ones(example: Path) -> None:
    table = evaluate_file(example).evaluation.table.set_index("bidder_id")
    assert list(table["price_amount"]) == [
        Decimal("92448"),
        Decimal("90720"),
        Decimal("95820"),
        Decimal("87390"),
    ]
    assert table.loc["A", "price_score"] == pytest.approx(50 * 90720 / 92448)
    assert table.loc["B", "price_score"] == pytest.approx(50.0)
    assert table.loc["C", "price_score"] == pytest.approx(50 * 90720 / 95820)
    assert list(table.loc[["A", "B", "C"], "quality_score"]) == pytest.approx([38, 30, 37])
    assert table.loc["A", "total_score"] == pytest.approx(50 * 90720 / 92448 + 38)
    assert list(table.loc[["A", "C", "B", "D"], "rank"]) == [1, 2, 3, 0]
    assert "failed requirement SAFE" in table.loc["D", "exclusion_reason"]


def test_check_score_sensitivity_and_report_run_and_the_trace_is_written(
    example: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    for args in (
        ["check", str(example)],
        ["score", str(example), "--out", str(out)],
        ["sensitivity", str(example)],
        ["report", str(example), "--out", str(out), "--no-letters"],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, (args, result.output, result.stderr)
    score = runner.invoke(cli, ["score", str(example), "--out", str(out)]).output
    assert "49.1" in score
    assert "87.1" in score
    assert "47.3" in score
    assert "84.3" in score
    with (out / "evaluated-prices.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    c_l3 = next(r for r in rows if r["bidder_id"] == "C" and r["line_id"] == "L3")
    assert (c_l3["rate"], c_l3["quantity"], c_l3["extension"], c_l3["evaluated_price"]) == (
        "70",
        "156",
        "10920",
        "95820",
    )
    assert c_l3["basis"].startswith("missing: priced at the highest rate")
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    a = document["evaluated_prices"]["bids"][0]
    assert (a["bidder_id"], a["evaluated_price"]) == ("A", "92448")
    assert [line["extension"] for line in a["lines"]] == ["63750", "15120", "10218", "3360"]
    assert (out / "award-report.pdf").stat().st_size > 0


def test_the_example_issues_its_letters_and_says_which_line_was_filled_in(
    example: Path, tmp_path: Path
) -> None:
    from tender.workflows.report import report

    done = report(example, out=tmp_path / "out")
    letters = sorted(p.name for p in done.written if p.parent.name == "letters")
    assert len(letters) == 8  # A to D, PDF and DOCX: nothing refused under pa2023
    document = docx.Document(str(tmp_path / "out" / "letters" / "c-clearview-services-ltd.docx"))
    text = " ".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    # C left L3 unpriced: counted at B's 70, the highest compliant rate (see the docstring),
    # which is B's and commercially confidential: the rule and C's own price, not the figure
    assert (
        "Your evaluated price of £95,820, scored against the lowest evaluated price among the "
        "compliant tenders, £90,720: W × lowest ÷ price = 50 × £90,720 ÷ £95,820 = 47.3 out of "
        "50. Your tender left line L3 unpriced; as the tender documents state, it is priced at "
        "the highest rate offered for it by the other compliant bids, and your evaluated price of "
        "£95,820 includes it at that rate. That rate is another bidder's offer, commercially "
        "confidential, so it is not given here." in text
    )
    assert "£70" not in text
    assert "= 49.1 out of 50." in text  # the winner, A, priced every line
    assert "It left line" not in text


def test_a_rate_the_tender_states_for_a_missing_line_is_given_even_at_nothing(
    example: Path, tmp_path: Path
) -> None:
    """Under `stated` the rate is the tender's own, not a bidder's, so the letter gives it;
    at £0 too. C's L3 at 0: 250×90 + 12×400 + 52×0 + 40×25 = 28300 a year × 3 = 84900,
    now the lowest compliant price, so C's price score is 50."""
    from tender.workflows.report import report

    _replace(
        example,
        "      rule: highest_other ",
        "      rate: 0\n      rule: stated ",
    )
    done = report(example, out=tmp_path / "out")
    assert done.run.evaluation.awarded is not None
    document = docx.Document(str(tmp_path / "out" / "letters" / "c-clearview-services-ltd.docx"))
    text = " ".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert (
        "= 50 × £84,900 ÷ £84,900 = 50 out of 50. Your tender left line L3 unpriced; as the "
        "tender documents state, it is priced at the rate the tender states for a missing "
        "line (£0), and your evaluated price of £84,900 includes it at that rate." in text
    )
    assert "another bidder's offer" not in text


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_bad_prices_file_is_named_by_row_and_field_and_nothing_is_written(
    example: Path, tmp_path: Path
) -> None:
    prices = example.parent.parent / "bids" / NAME / "prices.csv"
    _replace(prices, "A,L3,65.50", "A,L3,£65.50")
    _replace(prices, "B,L2,450.00", "B,L7,450.00")
    out = tmp_path / "out"
    for command in ("check", "score"):
        result = CliRunner().invoke(
            cli, [command, str(example), "--out", str(out)][: 2 if command == "check" else 4]
        )
        assert result.exit_code == 1
        assert "Traceback" not in result.output + result.stderr
        assert (
            "bids/office-cleaning-2026/prices.csv: line 4 (bidder A, line L3), column rate: "
            "found '£65.50'; expected a rate of 0 or more" in result.stderr
        )
        assert "line 7 (bidder B, line L7): found unknown line 'L7'" in result.stderr
    assert not out.exists()


def test_a_price_column_beside_a_schedule_is_refused(example: Path) -> None:
    bids = example.parent.parent / "bids" / NAME / "bids.csv"
    header, *rows = bids.read_text(encoding="utf-8").splitlines()
    bids.write_text("\n".join([f"{header},price", *(f"{r},1" for r in rows)]) + "\n")
    result = CliRunner().invoke(cli, ["check", str(example)])
    assert result.exit_code == 1
    assert "bids.csv: header: found a price column 'price' beside a price model schedule" in (
        result.stderr
    )


def test_a_missing_prices_file_is_an_error_naming_it(example: Path) -> None:
    (example.parent.parent / "bids" / NAME / "prices.csv").unlink()
    result = CliRunner().invoke(cli, ["score", str(example)])
    assert result.exit_code == 1
    assert "bids/office-cleaning-2026/prices.csv: found no such file" in result.stderr


def test_a_schedule_needs_a_prices_file_in_the_definition(example: Path) -> None:
    _replace(example, "  prices: ../bids/office-cleaning-2026/prices.csv\n", "")
    result = CliRunner().invoke(cli, ["check", str(example)])
    assert result.exit_code == 1
    assert "price model schedule and no data.prices" in result.stderr


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b"", "No columns to parse from file"),
        (b"bidder_id,line_id,rate\nA,L1,8\x005\n", "a NUL character"),
        (b"bidder_id,line_id,rate\nA,L1,\xa385\n", "text that is not UTF-8"),
        (b"bidder_id;line_id;rate\nA;L1;85\n", "columns separated by ';'"),
        (b"bidder_id,line_id,rate\nA,L1,1,000\n", "rows with more fields than the header"),
        (b"bidder_id,line_id,rate\nA,L1,85\nB,L1\n", "a row of 2 fields"),
        (b"bidder_id,line_id,rate\nA,L1,1e400\n", "found '1e400'"),
        (b"bidder_id,line_id,rate\nA,L1,NaN\n", "found 'NaN'"),
        (b"bidder_id,line_id,rate\nA,L1,1234567890123.5\n", "found '1234567890123.5'"),
        (b"bidder_id,line_id\nA,L1\n", "columns bidder_id, line_id, rate (missing: rate)"),
    ],
)
def test_a_damaged_prices_file_is_refused_naming_it(
    example: Path, content: bytes, found: str
) -> None:
    (example.parent.parent / "bids" / NAME / "prices.csv").write_bytes(content)
    for command in ("check", "score", "sensitivity", "report"):
        result = CliRunner().invoke(cli, [command, str(example)])
        assert result.exit_code == 1, (command, result.output)
        assert "Traceback" not in result.output + result.stderr
        assert "bids/office-cleaning-2026/prices.csv" in result.stderr
        assert found in result.stderr, result.stderr
    assert not (example.parent.parent / "reports").exists()


def test_a_folder_where_the_prices_file_should_be_is_refused(example: Path) -> None:
    prices = example.parent.parent / "bids" / NAME / "prices.csv"
    prices.unlink()
    prices.mkdir()
    result = CliRunner().invoke(cli, ["score", str(example)])
    assert result.exit_code == 1
    assert "prices.csv: found a folder" in result.stderr


def test_the_write_gate_protects_the_prices_file(example: Path) -> None:
    from tender.inputs import load_tender
    from tender.panel import protected_files

    prices = example.parent.parent / "bids" / NAME / "prices.csv"
    assert prices.resolve() in [p.resolve() for p in protected_files(load_tender(example))]


def test_a_decision_in_the_bids_file_stands_beside_a_missing_lines_rule(example: Path) -> None:
    """A bid the bids file excludes by a recorded decision stays excluded under a schedule:
    the prices' own reasons (here none for A) are added to it, never written over it."""
    bids = example.parents[1] / "bids" / NAME / "bids.csv"
    with bids.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["excluded_by_decision"] = "withdrawn by the bidder" if row["bidder_id"] == "A" else ""
    with bids.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    table = evaluate_file(example).evaluation.table.set_index("bidder_id")
    assert table.loc["A", "rank"] == 0
    assert "withdrawn by the bidder" in table.loc["A", "exclusion_reason"]
    # C's missing line is priced by the highest-other rule, so C is still ranked
    assert list(table.loc[["C", "B"], "rank"]) == [1, 2]
