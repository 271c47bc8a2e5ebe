"""The group's one error handler: library errors become messages and exit codes."""

from __future__ import annotations

import click
from click.testing import CliRunner

from tender.cli.group import INPUT_ERROR, TenderGroup
from tender.errors import Problem, TenderError, TenderInputError


def _group() -> click.Group:
    @click.group(cls=TenderGroup)
    def group() -> None:
        pass

    @group.command()
    def bad_input() -> None:
        raise TenderInputError([Problem("bids.csv", "line 3", "'x'", "a number")] * 2)

    @group.command()
    def refused() -> None:
        raise TenderError("reports: could not write it: the disk is full")

    return group


def test_every_problem_is_printed_and_the_exit_code_is_1() -> None:
    result = CliRunner().invoke(_group(), ["bad-input"])
    assert result.exit_code == INPUT_ERROR
    assert result.stderr == (
        "error: bids.csv: line 3: found 'x'; expected a number\n"
        "error: bids.csv: line 3: found 'x'; expected a number\n"
        "2 problems found; nothing was written.\n"
    )


def test_other_library_errors_are_one_message() -> None:
    result = CliRunner().invoke(_group(), ["refused"])
    assert result.exit_code == INPUT_ERROR
    assert result.stderr == "error: reports: could not write it: the disk is full\n"
