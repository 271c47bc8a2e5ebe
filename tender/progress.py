"""How work that takes a while tells a watching person what it is doing.

A library function that takes seconds accepts a `Progress` and calls it as it goes:
`done` of `total` items of the named `step` ("Rendering letters", 3, 6), a total of 0 for a
step that is not counted. The command line passes one that draws a line on a terminal
(`terminal.progress_shown`); a notebook or a test passes none. Nothing any command writes
or prints depends on it.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int, str], None]


def tell(progress: Progress | None, step: str, done: int = 0, total: int = 0) -> None:
    """Tell `progress`, when there is one, that `done` of `total` of `step` are done."""
    if progress is not None:
        progress(done, total, step)
