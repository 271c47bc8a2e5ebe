"""Rendering a run's files on every core: the tasks, the two lanes they are taken from,
and the worker processes that share them with this one.

A command starts its workers (`start_renderers`) before it loads the evaluation: forked
then, a worker holds little more than the interpreter, and it loads both renderers,
reads the fonts and python-docx's template while this process loads pandas and
evaluates (about half a second on the reference, a second core otherwise idle). This
module therefore loads neither pandas nor a renderer itself; a renderer is imported on
its first use (`_rendered`).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from types import TracebackType
from typing import TYPE_CHECKING, Literal

from ..progress import Progress, tell
from . import document
from .document import Document

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized, SynchronizedArray
    from multiprocessing.synchronize import Event as EventType

Format = Literal["pdf", "docx", "html"]
Kind = Literal["report", "letter"]
# a report file (its stem, as `build` names them) or a bidder's letter (the bidder's id),
# in one format
Task = tuple[Kind, str, Format]
Lanes = tuple[list[Task], list[Task]]
FORMATS: tuple[Format, ...] = ("pdf", "docx", "html")
LETTER_FORMATS: tuple[Format, ...] = ("pdf", "docx")
CONFIDENTIAL_STEM = "award-report-confidential"
# Above this many tasks, workers started for the run itself (`render_all` without
# `renderers`) share them with this one. Forked, a worker starts with everything this
# process has loaded; spawned (where the platform cannot fork), it first imports the
# libraries again, about a second and a half: only many letters repay that.
POOL_ABOVE = 4
SPAWNED_ABOVE = 52
# A process that has not loaded a lane's library takes from that lane only while more
# than this many of its tasks are left: loading python-docx costs about as much as
# rendering three letters' DOCX files, or reportlab as five PDFs.
TAKE_ABOVE = 6
WARM_WAIT = 2.0  # seconds the last worker waits for the first to warm up, at most
_START = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
_LOADED: set[Format] = set()  # the formats whose renderer this process has imported


@dataclass(frozen=True)
class Job:
    """Everything a run's files are rendered from, as their readers get them (DRAFT
    marks included): the report, its appendix and each bidder's letter. Plain documents,
    no evaluation: a worker is handed it pickled, once, then claims tasks by name."""

    doc: Document
    confidential: Document
    letters: Mapping[str, Document] = field(default_factory=dict)

    def render(self, task: Task) -> bytes:
        """One task's bytes: a report file's, or one format of a bidder's letter."""
        kind, name, form = task
        if kind == "letter":
            return _rendered(self.letters[name], form)
        confidential = name == CONFIDENTIAL_STEM
        return _rendered(self.confidential if confidential else self.doc, form, confidential)


def _rendered(doc: Document, form: Format, confidential: bool = False) -> bytes:
    """`doc` in `form`, each renderer imported on its first use."""
    return _renderer(form)(doc, confidential)


def _renderer(form: Format) -> Callable[[Document, bool], bytes]:
    """The renderer of `form` (given whether the document is the confidential appendix,
    which only the HTML marks), imported now if not yet, and marked as loaded here."""
    _LOADED.add(form)
    if form == "pdf":
        from .pdf import render_pdf

        return lambda doc, confidential: render_pdf(doc)
    if form == "docx":
        from .docx import render_docx

        return lambda doc, confidential: render_docx(doc)
    from .html import render_html

    return lambda doc, confidential: render_html(doc, confidential=confidential)


class Renderers:
    """Worker processes for rendering, started (and, with `warm`, loading the renderers)
    now, used by `render_all` later. A context manager: leaving it shuts them down.

    Started before the evaluation loads, a worker per core: while this process loads and
    evaluates, the last of them has no core of its own, so it waits, idle, until the
    first has warmed up, then warms up itself (without the sample), and is ready by the
    time the rendering starts; then this process, which has loaded no renderer, leaves
    the rendering to them. On the reference on two cores the rendering took 0.20 s so,
    and 0.25 s with one warm worker and this process loading reportlab to share the work.
    (Waiting at the lowest priority instead left that worker starved all through the
    rendering on a busy machine: 17 s instead of 2.) Where the platform gives no
    semaphores for the shared counters, there are no workers and this process renders."""

    def __init__(self, workers: int, *, warm: bool = True) -> None:
        self.workers = max(0, min(workers, 8))
        self.pool: ProcessPoolExecutor | None = None
        if not self.workers:
            return
        context = multiprocessing.get_context(_START)
        try:
            # each lane's next task, and the letter files rendered so far
            self.claimed: SynchronizedArray[int] = context.Array("i", 3)
            numbers, warmed = context.Value("i", 0), context.Event()
        except (OSError, ImportError):  # no sem_open here (some sandboxes, AWS Lambda)
            self.workers = 0
            return
        # with warm workers started early, the last has no core of its own while this
        # process loads and evaluates: it waits for the first to have warmed up
        idle = self.workers - 1 if warm and self.workers >= _cores() else self.workers
        self.pool = ProcessPoolExecutor(
            self.workers,
            mp_context=context,
            initializer=_adopt,
            initargs=(self.claimed, warm, numbers, idle, warmed),
        )
        # the first submission forks (or spawns) every worker, which then warms up in
        # its initializer, at once: a first task would wait for this process's threads
        # to hand it over, and they wait while this process loads pandas
        self.started = [self.pool.submit(_nothing) for _ in range(self.workers)]

    def __enter__(self) -> Renderers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def start_renderers(workers: int | None = None) -> Renderers:
    """Workers for a run's rendering (by default one per core), started now and loading
    the renderers while the caller goes on."""
    if workers is None:
        cores = _cores()
        workers = cores if cores > 1 else 0  # one core: this process, alone, is quickest
    return Renderers(workers)


def _cores() -> int:
    """The cores this process may run on (fewer than the machine's under a CPU affinity
    mask, as in many containers)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def render_all(
    job: Job,
    tasks: list[Task],
    renderers: Renderers | None = None,
    progress: Progress | None = None,
) -> dict[Task, bytes]:
    """Every task's bytes, rendered here alone or shared with `renderers` (started for
    this run when not given and there are enough tasks to repay a fork): the same bytes
    either way."""
    parts = {name: 0 for kind, name, _ in tasks if kind == "letter"}
    done: dict[Task, bytes] = {}
    letters_done, shown = 0, [0]

    def show(letters: int) -> None:  # never backwards: workers' counts come before results
        if letters > shown[0]:
            shown[0] = letters
            tell(progress, "Rendering letters", letters, len(parts))

    watch = (show, len(parts)) if progress is not None and parts else None
    for task, result in _rendered_tasks(job, tasks, renderers, watch):
        done[task] = result
        kind, name, _ = task
        if kind == "letter":
            parts[name] += 1
            if parts[name] == len(LETTER_FORMATS):  # both of the letter's files are in
                letters_done += 1
                show(letters_done)
    return done


# (how to show letters done, how many letters): for a run that shows its progress
Watch = tuple[Callable[[int], None], int]


def _rendered_tasks(
    job: Job, tasks: list[Task], renderers: Renderers | None, watch: Watch | None = None
) -> Iterator[tuple[Task, bytes]]:
    if renderers is not None and renderers.workers and len(tasks) > 1:
        yield from _shared(job, tasks, renderers, watch)
        return
    above = POOL_ABOVE if _START == "fork" else SPAWNED_ABOVE
    workers = min(_cores() - 1, len(tasks) - 1)
    if renderers is None and len(tasks) > above and workers >= 1:
        with Renderers(workers, warm=False) as started:
            yield from _shared(job, tasks, started, watch)
        return
    for task in tasks:
        yield task, job.render(task)


def _lanes(tasks: list[Task]) -> Lanes:
    """The tasks in two lanes, each in the run's order: those reportlab renders (PDF, and
    HTML, whose charts are its drawings) and those python-docx does."""
    docx = [task for task in tasks if task[2] == "docx"]
    return [task for task in tasks if task[2] != "docx"], docx


def _shared(
    job: Job, tasks: list[Task], renderers: Renderers, watch: Watch | None = None
) -> Iterator[tuple[Task, bytes]]:
    """Tasks rendered by the workers, and by this process where it has a core of its
    own, in two lanes (`_lanes`). Odd workers take the DOCX lane first, even ones and
    this process the PDF lane; one who finds its lane empty takes from the other.
    Worker k starts on task (k - 1) // 2 of its lane (so none is started for nothing),
    then each claims the next task not yet claimed in a lane (a shared counter each)
    until none is left. The costliest come first in each lane and whoever is free takes
    the next, so all finish at about the same time. With a warm worker on every core
    (`start_renderers`) this process, which has loaded no renderer, leaves the rendering
    to them: it would only slow them. Its results come as each is done, a worker's when
    it has no task left.

    Two lanes because each library takes a tenth of a second to load: workers started
    for the run itself, cold, load one each, side by side.

    A task that raises raises here, whichever process ran it; after one raises here, no
    process claims another.
    """
    assert renderers.pool is not None, "workers shared by renderers that have none"
    lanes = _lanes(tasks)
    workers = renderers.workers
    claimed = renderers.claimed
    with claimed.get_lock():
        claimed[0], claimed[1], claimed[2] = workers // 2, (workers + 1) // 2, 0
    done: set[Task] = set()
    try:
        theirs = [renderers.pool.submit(_claim_all, k, job, lanes) for k in range(1, workers + 1)]
        if workers < _cores():  # a core of its own: it renders the PDF lane beside them
            for task, result in _claim(job, lanes, claimed, (0,)):
                done.add(task)
                yield task, result
        if watch is not None:
            _watch(theirs, claimed, watch)
        for future in theirs:
            for task, result in future.result():
                done.add(task)
                yield task, result
        for task in tasks:  # a lane no process here would take (one worker, say, on one
            if task not in done:  # core, that never loads the HTML renderer): rendered here
                yield task, job.render(task)
    except BrokenProcessPool:
        # a worker was killed (out of memory, say): whatever it had claimed is lost, so
        # this process renders every task not yet done, and the run ends as it would
        for task in tasks:
            if task not in done:
                yield task, job.render(task)
    except BaseException:
        with claimed.get_lock():
            claimed[0], claimed[1] = len(lanes[0]), len(lanes[1])
        raise


def _watch(
    theirs: list[Future[list[tuple[Task, bytes]]]], claimed: SynchronizedArray[int], watch: Watch
) -> None:
    """Show the letters done, from the shared count of letter files, until every worker
    is done: a worker hands its files back only when it has none left."""
    while not all(future.done() for future in theirs):
        wait(theirs, timeout=0.2)
        watch[0](claimed[2] // len(LETTER_FORMATS))


def _claim(
    job: Job,
    lanes: Lanes,
    claimed: SynchronizedArray[int],
    always: tuple[int, ...],
) -> Iterator[tuple[Task, bytes]]:
    """Render the next unclaimed task, and the next, until every task is claimed: from
    the lanes in `always` (first), or from a lane whose library this process has loaded,
    or where more than `TAKE_ABOVE` tasks are left (loading the library then repays)."""
    order = (*always, *(lane for lane in (0, 1) if lane not in always))
    while True:
        task = None
        with claimed.get_lock():
            for lane in order:
                index = claimed[lane]
                left = len(lanes[lane]) - index
                if left > 0 and (lane in always or _ready(lanes[lane][index]) or left > TAKE_ABOVE):
                    claimed[lane] = index + 1
                    task = lanes[lane][index]
                    break
        if task is None:
            return
        yield task, _counted(job, task, claimed)


def _counted(job: Job, task: Task, claimed: SynchronizedArray[int]) -> bytes:
    """`task` rendered, and counted among the letter files done when it is one."""
    result = job.render(task)
    if task[0] == "letter":
        with claimed.get_lock():
            claimed[2] += 1
    return result


def _ready(task: Task) -> bool:
    """Whether this process has loaded the renderer `task` needs."""
    return task[2] in _LOADED


_CLAIMED: SynchronizedArray[int] | None = None


def _adopt(
    claimed: SynchronizedArray[int],
    warm: bool,
    numbers: Synchronized[int],
    idle: int,
    warmed: EventType,
) -> None:
    """A worker's start: keep the counters tasks are claimed by, and with `warm` load both
    renderers, the fonts and python-docx's template, so that its first task is rendered
    at once. Workers numbered `idle` and up first wait (at most WARM_WAIT seconds) until
    the first worker has warmed up: till then there is no core for them.

    Everything a forked worker inherits is frozen out of its garbage collections first
    (as `gc.freeze` advises for a fork): a collection that walked it would write to every
    page of it, and so copy them all (fonts took 94 ms in a worker instead of 20)."""
    global _CLAIMED
    gc.freeze()
    # Ctrl-C is this process's to handle: it stops the claims (`_shared`) and each worker
    # ends after the file it is on, instead of every worker printing a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _CLAIMED = claimed
    with numbers.get_lock():
        number = numbers.value
        numbers.value += 1
    if not warm:
        return
    try:
        if number >= idle:
            warmed.wait(WARM_WAIT)
            from .docx import prepare
            from .fonts import register

            for form in FORMATS:
                _renderer(form)
            register()
            prepare()
        else:
            for form in FORMATS:
                try:
                    _rendered(_SAMPLE, form)
                except Exception:  # only a warm-up: a real task meets the same failure
                    _LOADED.discard(form)  # and raises it whole (an initializer's error
                    # would break the pool and say only that a worker died)
    except Exception:
        pass
    finally:
        warmed.set()


# What a worker renders, and throws away, to warm up: a little of everything a report
# has, so that each renderer, its fonts and its caches are loaded and its first real
# task is rendered as fast as the rest (the reference report's DOCX took a quarter
# longer as a worker's first task without it).
_SAMPLE = Document(
    "Warming up",
    (
        document.Section(
            "Warming up",
            (
                document.Paragraph("A paragraph, 1,234.5."),
                document.Bullets(("one", "two")),
                document.Table(("Bidder", "Score"), (("A", "1.0"),), (3.0, 1.0), "Table", (1,)),
                document.Chart(
                    "Figure", document.ScoreBars(("A", "B"), (60.0, 50.0), (30.0, 20.0), 100.0)
                ),
                document.Chart(
                    "Figure",
                    document.WeightLines(
                        ("A", "B"), (30.0, 20.0), (0.3, 0.4), 60.0, (), ("A", "B")
                    ),
                ),
            ),
            number="1",
        ),
    ),
    document.Metadata("Warming up", "Warming up", "tender", date=date(2016, 1, 1)),
    footer="Warming up",
)


def _nothing() -> None:
    """A worker's first call, which starts it."""


def _claim_all(k: int, job: Job, lanes: Lanes) -> list[tuple[Task, bytes]]:
    """Worker k's share (k from 1): task (k - 1) // 2 of its lane (the DOCX lane for odd
    k, the PDF lane for even), then every task it claims, rendered."""
    assert _CLAIMED is not None, "a rendering worker was started without its counters"
    lane, index = k % 2, (k - 1) // 2
    mine = lanes[lane]
    done = [(mine[index], _counted(job, mine[index], _CLAIMED))] if index < len(mine) else []
    return done + list(_claim(job, lanes, _CLAIMED, (lane,)))
