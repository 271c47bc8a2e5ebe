"""Pass/fail requirements and thresholds."""

import numpy as np
import pandas as pd

from tender.compliance import requirement_failures
from tender.model import Requirement


def test_requirement_answers_are_compared_without_case_or_spaces():
    bids = pd.DataFrame({"ins": [" YES", "no", ""]})
    reasons = requirement_failures(bids, [Requirement(id="I", description="Insured", column="ins")])
    assert reasons.tolist() == [
        "",
        "failed requirement I (Insured): answered 'no'",
        "failed requirement I (Insured): answered ''",
    ]
    assert np.array_equal((reasons == "").to_numpy(), [True, False, False])


def test_several_failures_are_joined():
    bids = pd.DataFrame({"a": ["no"], "b": ["no"]})
    reqs = [
        Requirement(id="A", description="a", column="a"),
        Requirement(id="B", description="b", column="b"),
    ]
    assert requirement_failures(bids, reqs).tolist() == [
        "failed requirement A (a): answered 'no'; failed requirement B (b): answered 'no'"
    ]
