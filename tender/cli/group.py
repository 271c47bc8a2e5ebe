"""The `tender` click group, its shared arguments and options, and its one error handler.

Only click is imported at start-up; each command imports the library inside its body,
so `tender --help` loads no pandas. Library errors are translated to messages and exit
codes in one place, `TenderGroup.invoke`: 1 for unusable input, 2 for usage errors.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import __version__

INPUT_ERROR = 1


class TenderCommand(click.Command):
    """A command that loads its library twin with the garbage collector paused.

    Importing pandas, numpy and pydantic makes a few hundred thousand objects that live
    until the process ends; each full collection while they load walks them all again
    (about 0.1 s of a `tender score` of 0.7 s). So the twin, `tender.workflows.<command>`,
    is imported before the command runs, the objects it made are frozen out of every later
    collection (`gc.freeze`), and the collector is switched back on for the work itself.
    """

    def invoke(self, ctx: click.Context) -> Any:
        package, _, name = getattr(self.callback, "__module__", "").rpartition(".")
        if package == __package__:  # tender.cli.<command>: its twin is tender.workflows.<command>
            load_quietly(f"{package.rpartition('.')[0]}.workflows.{name}")
        return super().invoke(ctx)


def load_quietly(module: str) -> None:
    """Import `module` with the collector paused, then freeze what it made (see above).

    Only a first import does this: in a process that runs many commands (a test run, a
    notebook) later ones freeze nothing, so no garbage of theirs is kept from collection.
    """
    if module in sys.modules:
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        import_module(module)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class TenderGroup(click.Group):
    """Click group that turns the library's own errors into clean messages."""

    command_class = TenderCommand

    def invoke(self, ctx: click.Context) -> Any:
        from ..errors import TenderError, TenderInputError

        try:
            return super().invoke(ctx)
        except TenderInputError as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            count = len(exc.problems)
            click.echo(
                f"{count} problem{'s' if count != 1 else ''} found; nothing was written.", err=True
            )
            ctx.exit(INPUT_ERROR)
        except TenderError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(INPUT_ERROR)


@click.group(cls=TenderGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tender")
def cli() -> None:
    """Evaluate tenders: score bids, rank them, and prepare the award recommendation.

    Every command takes a tender definition, criteria/<tender>.yaml, which names the
    bids, marks and moderated marks it uses.
    """


Command = TypeVar("Command", bound=Callable[..., Any])


def tender_file() -> Callable[[Command], Command]:
    """The TENDER argument every command takes."""
    return click.argument(
        "definition", metavar="TENDER", type=click.Path(exists=True, dir_okay=False)
    )


def returned_folder() -> Callable[[Command], Command]:
    """The RETURNED_DIR argument of the commands that collect returned workbooks."""
    return click.argument(
        "returned",
        metavar="RETURNED_DIR",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
    )


def format_option(first: str, help_text: str) -> Callable[[Command], Command]:
    """The --format option of commands that print: `first` for people, or json."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice([first, "json"]),
        default=first,
        show_default=True,
        help=help_text,
    )


def out_folder_option(help_text: str) -> Callable[[Command], Command]:
    """The --out option of commands that write a folder of files."""
    return click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=help_text,
    )


def lot_option() -> Callable[[Command], Command]:
    """The --lot option of commands that work on one lot of a definition with lots."""
    return click.option(
        "--lot",
        default=None,
        metavar="LOT",
        help="The lot to work on: required when TENDER has lots, refused when it has none.",
    )


# numpy's OpenBLAS starts a thread per core that spins, waiting for work, for a while
# after loading and after each product it shares out; a command's arrays are far too small
# to share, so the spinning only takes a core from the rendering workers and everyone else
# (about 0.17 s of CPU in a `tender report` on the reference, measured on two cores).
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1"}


def main() -> None:
    """Console-script entry point. BLAS runs in one thread unless the environment already
    says otherwise (`SINGLE_THREADED`), set before any command loads numpy; the process
    ends without the interpreter's teardown (`_end_now`)."""
    for name, value in SINGLE_THREADED.items():
        os.environ.setdefault(name, value)
    atexit.register(_end_now)  # the first registered runs last, after every other one
    try:
        cli(prog_name="tender")
    except SystemExit as stop:
        _STATUS[0] = _status(stop.code)
        raise


# The exit status `_end_now` ends with: a failure unless the command ended as it meant to
# (click ends every command, well or not, with SystemExit); an uncaught exception is 1.
_STATUS = [1]


def _status(code: object) -> int:
    """The status Python itself exits with for `SystemExit(code)`."""
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def _end_now() -> None:
    """End the process at once, once every other exit handler has run.

    Tearing the interpreter down frees the hundreds of thousands of objects that pandas,
    pydantic and the renderers loaded, one by one, and collects them a last time: 40 to
    60 ms of a 1 s `tender report`, after its last file was written. By now every output
    is written, synced and closed (`files.write_atomic`), worker processes are joined
    and the other exit handlers have run (weakref finalisers, temporary folders), so only
    the two streams are left to flush.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: the reader has gone
            stream.flush()
    os._exit(_STATUS[0])
