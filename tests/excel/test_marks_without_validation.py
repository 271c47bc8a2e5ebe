"""The scale is the tool's rule, not the workbook's: with the issued data validation
removed (or never enforced, as a paste or another program bypasses it), any number typed
into a mark cell is read only when it is on the tender's scale, and otherwise refused
naming the cell, found vs expected.
"""

from __future__ import annotations

import re
from fractions import Fraction

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tender.excel.guard import Refused
from tender.excel.returns import Expected, read_return
from tests.workbooks import parts, rebuild

MARKING = "xl/worksheets/sheet2.xml"


def without_validation(data: bytes, mark: str) -> bytes:
    def change(xml: bytes) -> bytes:
        xml = re.sub(rb"<dataValidations.*?</dataValidations>", b"", xml, flags=re.S)
        cell = b'<c r="F2" t="n"><v>' + mark.encode() + b"</v></c>"
        return re.sub(rb'<c r="F2"[^>]*>.*?</c>', cell, xml, count=1)

    return rebuild([(n, change(c) if n == MARKING else c) for n, c in parts(data)])


def on_scale(value: float, minimum: float, maximum: float, step: float | None) -> bool:
    """By hand, in exact fractions: within the range, and a whole number of steps."""
    exact, low = Fraction(value), Fraction(minimum)
    if not low <= exact <= Fraction(maximum):
        return False
    return step is None or ((exact - low) / Fraction(step)).denominator == 1


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=st.integers(-3, 14).map(float)
    | st.sampled_from([0.5, 4.5, 9.999, 10.000001, -0.0, 1e-9, 7.25])
    | st.floats(-20, 20, allow_nan=False).map(lambda v: round(v, 3))
)
def test_a_mark_is_read_only_on_the_scale_whatever_the_validation(
    filled: bytes, expected: Expected, value: float
) -> None:
    scale = expected.tender.quality.scale
    assert b"<dataValidations" in dict(parts(filled))[MARKING]  # issued with one
    data = without_validation(filled, repr(value))
    assert b"dataValidation" not in dict(parts(data))[MARKING]
    try:
        read = read_return(data, "E1.xlsx", expected)
    except Refused as exc:
        messages = [str(p) for p in exc.problems]
        assert not on_scale(value, scale.minimum, scale.maximum, scale.step), messages
        assert any(m.startswith("E1.xlsx: Marking!F2: found ") for m in messages), messages
        event("refused")
        return
    event("read")
    assert on_scale(value, scale.minimum, scale.maximum, scale.step)
    assert read.marks[0] == value
