"""Problem messages."""

from tender.errors import Problem, TenderInputError, shorten


def test_problem_reads_file_where_found_expected():
    problem = Problem("E2.xlsx", "Marking!D14", "'7.5'", "a mark from 0 to 10 (whole marks)")
    assert (
        str(problem)
        == "E2.xlsx: Marking!D14: found '7.5'; expected a mark from 0 to 10 (whole marks)"
    )
    assert str(Problem("x.csv", "", "no such file", "a CSV file")) == (
        "x.csv: found no such file; expected a CSV file"
    )


def test_input_error_carries_every_problem():
    error = TenderInputError([Problem("a", "", "x", "y"), Problem("b", "", "x", "y")])
    assert len(error.problems) == 2
    assert str(error) == "a: found x; expected y\nb: found x; expected y"


def test_shorten_cuts_long_values():
    assert shorten("x" * 100, 10) == repr("x" * 9 + "…")
