"""Marking templates: what an evaluator sees, what is locked, and what must never be there."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tender.excel import layout
from tender.excel.templates import scale_validation
from tender.inputs import load_tender
from tender.model import Scale
from tender.panel import load_key, panel_files
from tender.seal import is_sealed
from tender.workflows.templates import issue_templates

PRICES = ["12000", "12,000", "11400", "11,400", "7140", "7,140", "5540", "5,540"]


def parts(path: Path | bytes) -> dict[str, bytes]:
    """Every part of a workbook but the theme (openpyxl's fixed default, the same in every file)."""
    archive = zipfile.ZipFile(io.BytesIO(path) if isinstance(path, bytes) else path)
    return {n: archive.read(n) for n in archive.namelist() if not n.startswith("xl/theme/")}


def test_one_workbook_per_evaluator_in_the_templates_folder(panel: Any) -> None:
    folder = panel.project / "bids" / "pest-control-2016" / "templates"
    assert sorted(p.name for p in folder.iterdir()) == [
        "pest-control-2016-E1.xlsx",
        "pest-control-2016-E2.xlsx",
        "pest-control-2016-E3.xlsx",
    ]


def test_the_marking_sheet_lists_every_bidder_and_criterion(panel: Any) -> None:
    ws = openpyxl.load_workbook(panel.issued["E2"])["Marking"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == layout.MARKING_HEADER
    assert len(rows) == 1 + 6 * 4
    assert rows[1][:4] == ("A", "Goodwin Pest Management", "Q1", "Performance measurement")
    assert rows[24][:4] == ("F", "Company F", "Q4", "Potential to grow the business")
    assert rows[6][4] == "How job records are kept, audited and made available to officers."
    assert {r[5] for r in rows[1:]} == {None}


def test_marks_are_validated_locked_cells_protected_and_headers_frozen(panel: Any) -> None:
    wb = openpyxl.load_workbook(panel.issued["E1"])
    ws = wb["Marking"]
    (rule,) = ws.data_validations.dataValidation
    assert (str(rule.sqref), rule.type, rule.formula1, rule.formula2) == (
        "F2:F25",
        "whole",
        "0",
        "10",
    )
    assert rule.showErrorMessage
    assert ws.protection.sheet
    assert wb.security.lockStructure
    assert ws.freeze_panes == "A2"
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape"
    assert ws["A2"].protection.locked
    # only the issued rows' Mark and Justification cells are open and yellow, not the columns
    for row in range(2, 26):
        for column in ("F", "G"):
            assert ws[f"{column}{row}"].protection.locked is False
            assert ws[f"{column}{row}"].fill.fgColor.rgb.endswith("FFF2CC")
    for column in ("F", "G"):
        assert ws.column_dimensions[column].protection.locked is not False
        assert ws[f"{column}26"].protection.locked
        assert ws[f"{column}33"].protection.locked
        assert ws[f"{column}26"].fill.fill_type is None


def test_long_guidance_wraps_within_a_row_tall_enough_for_it(panel: Any) -> None:
    ws = openpyxl.load_workbook(panel.issued["E1"])["Marking"]
    for row in range(2, 26):
        assert ws[f"E{row}"].alignment.wrap_text
        assert ws[f"G{row}"].alignment.wrap_text
        assert ws[f"D{row}"].alignment.wrap_text
        # the reference guidance is at most two lines in column E: the row holds three
        assert ws.row_dimensions[row].height >= 45


def test_the_cover_has_the_scale_and_an_unlocked_declaration(panel: Any) -> None:
    ws = openpyxl.load_workbook(panel.issued["E3"])["Cover"]
    values = [r for r in ws.iter_rows(values_only=True)]
    assert values[4] == (
        "Evaluator",
        "E3: Kevin Metland, Technical Officer, Maidstone Borough Council",
    )
    for _key, row, label in layout.DECLARATION:
        assert ws.cell(row, 1).value == label
        assert ws.cell(row, 2).protection.locked is False
    texts = [str(v) for r in values for v in r if v is not None]
    assert "Good - meets the requirement with some added value, evidenced" in texts
    assert "a mark from 0 to 10 (whole marks)" in texts


def test_the_identity_is_very_hidden_and_sealed_with_the_tenders_key(panel: Any) -> None:
    wb = openpyxl.load_workbook(panel.issued["E2"])
    ws = wb["Identity"]
    assert ws.sheet_state == "veryHidden"
    fields = {r[0]: r[1] for r in ws.iter_rows(values_only=True)}
    assert fields["tender_reference"] == "MBC-PEST-2016"
    assert fields["evaluator_id"] == "E2"
    assert fields["issue"] == "1"
    identity = {k: fields[k] for k in layout.IDENTITY_KEYS}
    key = load_key(panel_files(panel.tender))
    assert is_sealed(key, identity, fields["hmac"])
    assert not is_sealed(key, identity | {"evaluator_id": "E1"}, fields["hmac"])


def test_the_key_stays_beside_the_bids_and_out_of_every_workbook(panel: Any) -> None:
    path = panel_files(panel.tender).key
    assert path.stat().st_mode & 0o777 == 0o600
    secret = path.read_text().strip().encode()
    for template in panel.issued.values():
        assert not any(secret in content for content in parts(template).values())


def test_no_price_reaches_a_quality_evaluator(panel: Any) -> None:
    for template in panel.issued.values():
        wb = openpyxl.load_workbook(template)
        texts = " ".join(
            str(v)
            for ws in wb.worksheets
            for r in ws.iter_rows(values_only=True)
            for v in r
            if v is not None
        )
        for content in parts(template).values():
            visible = re.sub(rb"[0-9a-f]{16,}", b"<hex>", content)  # seals: random hex digits
            for price in PRICES:
                assert price.encode() not in visible
        assert re.search(r"\b460\b", texts) is None  # E's offer; hex seals may hold the digits
        assert "£" not in texts
        assert "income" not in texts.lower()


def test_issuing_again_increments_the_issue_and_is_logged(panel: Any) -> None:
    (again,) = issue_templates(panel.tender, evaluators=["E2"])
    assert again.issue == 2
    log = (panel.project / "bids" / "pest-control-2016" / "evaluation-log.jsonl").read_text()
    assert log.count('"event": "template_issued"') == 4


def test_the_same_issue_is_the_same_bytes(panel: Any, tmp_path: Path) -> None:
    from tender.excel.templates import identity_fields, write_template
    from tender.panel import bidder_list

    rows = layout.marking_rows(panel.tender, bidder_list(panel.tender))
    member = panel.tender.panel[0]
    identity = identity_fields(panel.tender, member, 1, "t", "s")
    first = write_template(panel.tender, member, rows, identity, "seal")
    assert write_template(panel.tender, member, rows, identity, "seal") == first


def test_a_bidder_name_that_looks_like_a_formula_stays_text(panel: Any, tmp_path: Path) -> None:
    bids = panel.project / "bids" / "pest-control-2016" / "bids.csv"
    bids.write_text(bids.read_text().replace("Company C", '"=HYPERLINK(""http://x.test"",""C"")"'))
    (issued,) = issue_templates(load_tender(panel.reference), out=tmp_path, evaluators=["E1"])
    sheet = parts(issued.path)["xl/worksheets/sheet2.xml"]
    assert b"<f>" not in sheet
    cell = openpyxl.load_workbook(issued.path)["Marking"]["B10"]
    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")


def test_a_half_mark_scale_offers_a_list_of_marks() -> None:
    rule = scale_validation(Scale(minimum=0, maximum=5, step=0.5), "F2:F9")
    assert rule.type == "list"
    assert rule.formula1 == '"0,0.5,1,1.5,2,2.5,3,3.5,4,4.5,5"'


def test_a_continuous_scale_allows_decimals_in_range() -> None:
    rule = scale_validation(Scale(minimum=0, maximum=100, step=None), "F2:F9")
    assert (rule.type, rule.formula1, rule.formula2) == ("decimal", "0", "100")


def test_an_evaluator_not_on_the_panel_is_an_error(panel: Any) -> None:
    from tender.errors import TenderError

    with pytest.raises(TenderError, match=r"evaluator E9 is not on the panel \(E1, E2, E3\)"):
        issue_templates(panel.tender, evaluators=["E9"])


@settings(max_examples=15, deadline=None)
@given(st.lists(st.decimals(min_value=100, max_value=10**7, places=2), min_size=6, max_size=6))
def test_no_rendering_of_any_price_in_a_template(tmp_path_factory: Any, prices: list[Any]) -> None:
    """Whatever the bids file's prices, none of their renderings is in any part of a template."""
    root = Path(__file__).resolve().parents[2]
    project = tmp_path_factory.mktemp("prices")
    shutil.copytree(root / "criteria", project / "criteria")
    bids = project / "bids" / "pest-control-2016"
    bids.mkdir(parents=True)
    lines = ["bidder_id,bidder,annual_income_offer_gbp,bpca_member,note"]
    lines += [f"{chr(65 + i)},Bidder {chr(65 + i)},{price},yes," for i, price in enumerate(prices)]
    (bids / "bids.csv").write_text("\n".join(lines) + "\n")
    issued = issue_templates(load_tender(project / "criteria" / "pest-control-2016.yaml"))
    blob = b"".join(c for item in issued for c in parts(item.path).values())
    blob = re.sub(rb"[0-9a-f]{16,}", b"<hex>", blob)  # seals and fingerprints: random digits
    for price in prices:
        for shown in (f"{price}", f"{price:,}", f"{price:.2f}", f"{price:,.2f}", f"{int(price)}"):
            if len(shown.replace(",", "")) >= 5:  # shorter digit runs occur in any XML
                assert shown.encode() not in blob


def test_lines_needed_counts_wrapped_lines() -> None:
    from tender.excel.templates import lines_needed, row_height

    assert lines_needed("short", 50) == 1
    assert lines_needed("word " * 40, 50) == 5  # 200 characters in a 50-wide column
    assert lines_needed("one\ntwo", 50) == 2
    assert lines_needed("x" * 120, 50) == 3  # a word longer than a line is cut by Excel
    assert row_height(3) == 48
    assert row_height(1000) == 409


def test_a_marking_sheet_rendered_once_gives_each_evaluator_the_same_bytes(panel: Any) -> None:
    """The panel's templates share one rendering of the Marking sheet; each is the workbook
    a full rendering gives, whatever its cover holds (text that looks like a formula, which
    takes another style, included)."""
    from tender.excel.templates import identity_fields, marking_part, write_template
    from tender.panel import bidder_list

    tender = panel.tender
    rows = layout.marking_rows(tender, bidder_list(tender))
    odd = tender.panel[0].model_copy(update={"name": "=1+1", "role": "-", "organisation": "@x"})
    shared = marking_part(tender, rows)
    for member in [*tender.panel, odd]:
        identity = identity_fields(tender, member, 2, "t", "s")
        once = write_template(tender, member, rows, identity, "seal", [("Z", "=Z", "-")], shared)
        full = write_template(tender, member, rows, identity, "seal", [("Z", "=Z", "-")])
        assert once == full
    assert b"Goodwin Pest Management" in shared
    assert b"Kevin" not in shared
