"""Text bound for spreadsheets is neutralised."""

from openpyxl import Workbook

from tender import safety


def test_csv_cell_prefixes_triggers_only_on_text():
    assert safety.csv_cell("=1+1") == "'=1+1"
    assert safety.csv_cell("＝1") == "'＝1"
    assert safety.csv_cell("plain") == "plain"
    assert safety.csv_cell(-3.5) == -3.5


def test_set_text_keeps_formula_text_as_text():
    cell = Workbook().active["A1"]
    safety.set_text(cell, "=SUM(A1:A2)")
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_clean_text_replaces_control_characters():
    assert safety.clean_text("bell\x07 tab\t") == "bell\ufffd tab\t"
