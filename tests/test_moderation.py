"""Provisional consensus and spreads."""

import numpy as np

from tender.moderation import default_spread_flag, median_marks, spreads


def test_median_ignores_missing_evaluators():
    cube = np.array([[[4.0, 5.0, 9.0], [3.0, np.nan, 5.0]]])
    assert median_marks(cube).tolist() == [[5.0, 4.0]]
    assert spreads(cube).tolist() == [[5.0, 2.0]]


def test_default_spread_flags():
    assert default_spread_flag(0, 10) == 3
    assert default_spread_flag(0, 5) == 2
    assert default_spread_flag(0, 4) == 1


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402


@given(arrays(np.float64, (4, 2, 3), elements=st.integers(0, 10).map(float)))
def test_panel_of_three_median_matches_numpy(cube):
    assert np.array_equal(median_marks(cube), np.median(cube, axis=-1))


# One rule, one verdict: the same borderline mark gets the same answer from collect (a
# returned workbook), moderate (the moderation workbook) and score (the marks file).

import io  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from tender.moderation import TOLERANCE, differs_from_median, needs_discussion  # noqa: E402


def test_a_spread_exactly_at_the_threshold_needs_discussion_and_just_below_does_not():
    assert needs_discussion([3.0, 2.999, 0.1 + 0.2, np.nan], 3).tolist() == [
        True,
        False,
        False,
        False,
    ]
    assert needs_discussion([0.1 + 0.2], 0.3).tolist() == [True]  # 0.30000000000000004


def test_differing_from_the_median_uses_the_one_tolerance():
    assert differs_from_median(
        [5.0, 5.0 + TOLERANCE / 2, 6.0, np.nan, 4.0], [5, 5, 5, 5, np.nan]
    ).tolist() == [
        False,
        False,
        True,
        False,
        True,
    ]


@pytest.mark.parametrize(("mark", "shown"), [(4.0000000001, "4.0000000001"), (4.5, "4.5")])
def test_a_borderline_mark_is_refused_alike_by_collect_moderate_and_score(
    panel: Any, mark: float, shown: str
) -> None:
    import openpyxl

    from tender.errors import TenderInputError
    from tender.workflows.collect import collect
    from tender.workflows.evaluation import evaluate_file
    from tender.workflows.moderate import ingest_moderation

    scale = "a mark from 0 to 10 (whole marks)"

    def borderline(wb: Any) -> None:
        wb["Marking"]["F2"] = mark
        wb["Marking"]["F2"].number_format = "0.0000000000"  # shows every digit stored

    panel.fill("E1", edit=borderline)
    collection = collect(panel.tender, panel.returned)
    (refused,) = collection.rejected
    assert [str(p) for p in refused.problems] == [
        f"E1.xlsx: Marking!F2: found {shown}; expected {scale}"
    ]

    collection = panel.collect_all()
    assert collection.moderation_path is not None
    wb = openpyxl.load_workbook(collection.moderation_path)
    ws = wb["Moderation"]
    column = next(c.column_letter for c in ws[1] if c.value == "Consensus mark")
    rationale = next(c.column_letter for c in ws[1] if c.value == "Rationale")
    ws[f"{column}2"] = mark
    ws[f"{column}2"].number_format = "0.0000000000"
    ws[f"{rationale}2"] = "agreed"
    edited = panel.project / "moderation-edited.xlsx"
    buffer = io.BytesIO()
    wb.save(buffer)
    edited.write_bytes(buffer.getvalue())
    with pytest.raises(TenderInputError) as caught:
        ingest_moderation(panel.tender, edited)
    assert f"moderation-edited.xlsx: Moderation!{column}2: found {shown}; expected {scale}" in [
        str(p) for p in caught.value.problems
    ]

    marks = Path(panel.tender.resolve(panel.tender.data.marks))
    lines = marks.read_text().splitlines()
    fields = lines[1].split(",")
    fields[3] = repr(mark)
    lines[1] = ",".join(fields)
    marks.write_text("\n".join(lines) + "\n")
    moderated = Path(panel.tender.resolve(panel.tender.data.moderated))
    moderated.unlink()  # provisional scoring reads the individual marks
    with pytest.raises(TenderInputError) as caught:
        evaluate_file(panel.tender)
    assert any(
        str(p).endswith(f"found mark {shown}; expected {scale}") for p in caught.value.problems
    )
