"""Rendering a run's files shared between this process and worker processes."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys

import pytest

from tender.report import build, workers
from tender.report.content import confidential_content, report_content
from tender.report.document import Document, Metadata, Section, Table
from tender.report.letters import letter_basis, letter_content, letter_slugs
from tender.report.narrative import Narrative

from .conftest import synthetic


def _job(ev, narrative) -> workers.Job:
    basis = letter_basis(ev)
    letters = {b: letter_content(ev, b, None, basis) for b in letter_slugs(ev)}
    return workers.Job(report_content(ev, narrative), confidential_content(ev), letters)


def _serial(job: workers.Job, tasks: list[workers.Task]) -> dict[workers.Task, bytes]:
    return {task: job.render(task) for task in tasks}


def test_files_shared_with_warm_workers_are_the_serial_bytes(reference_ev, reference_narrative):
    """Workers started (and loading the renderers) before the job exists, as the command
    starts them: every task's bytes are those rendered in this process alone."""
    with workers.start_renderers(1) as renderers:
        job = _job(reference_ev, reference_narrative)
        tasks = build._tasks(list(letter_slugs(reference_ev)))
        assert tasks[:2] == [("report", "award-report", "pdf"), ("report", "award-report", "docx")]
        assert len(tasks) == 6 + 2 * 6
        shared = workers.render_all(job, tasks, renderers)
        again = workers.render_all(job, tasks, renderers)  # the same workers, a second run
    serial = _serial(job, tasks)
    assert set(shared) == set(tasks) == set(again)
    assert all(shared[task] == serial[task] == again[task] for task in tasks)


def test_spawned_workers_give_the_same_bytes(monkeypatch):
    """Where the platform cannot fork, workers are spawned and handed the job pickled."""
    monkeypatch.setattr(workers, "_START", "spawn")
    ev = synthetic(3, "pcr2015", long_names=False)
    job = _job(ev, Narrative())
    tasks = build._tasks(list(letter_slugs(ev)))
    with workers.Renderers(1) as renderers:
        assert workers.render_all(job, tasks, renderers) == _serial(job, tasks)


def test_workers_are_started_for_a_run_only_when_it_is_large_enough(monkeypatch):
    started = []
    real = workers.Renderers

    def counted(*args, **kwargs):
        started.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(workers, "Renderers", counted)
    monkeypatch.setattr(workers, "_cores", lambda: 2)
    ev = synthetic(2, "pcr2015", long_names=False)
    job = _job(ev, Narrative())
    small = build._tasks()[: workers.POOL_ABOVE]
    assert workers.render_all(job, small) == _serial(job, small)
    assert started == []
    tasks = build._tasks(list(letter_slugs(ev)))
    assert workers.render_all(job, tasks) == _serial(job, tasks)
    assert started == [(1,)]  # one fewer than the cores: this process renders beside it


def _broken(title: str) -> Document:
    """A document python-docx cannot make: a table of two columns given one width."""
    table = Table(header=("a", "b"), rows=(("1", "2"),), widths=(1.0,))
    return Document(title, (Section("One", (table,)),), Metadata(title, "subject", "author"))


def test_a_task_that_fails_in_a_worker_fails_the_run(reference_ev, reference_narrative):
    """Worker 1 starts on the DOCX lane's first task: its failure is raised here."""
    job = _job(reference_ev, reference_narrative)
    job = workers.Job(job.doc, job.confidential, {**job.letters, "X": _broken("X")})
    tasks: list[workers.Task] = [
        ("letter", "X", "docx"),
        *(t for t in build._tasks(list(letter_slugs(reference_ev))) if t[2] != "docx"),
    ]
    with workers.start_renderers(1) as renderers, pytest.raises(ValueError, match="zip"):
        workers.render_all(job, tasks, renderers)


def test_the_lanes_keep_the_run_s_order_and_split_by_library():
    tasks = build._tasks(["A", "B"])
    pdf, docx = workers._lanes(tasks)
    assert [t for t in tasks if t in docx] == docx
    assert [t for t in tasks if t in pdf] == pdf
    assert {t[2] for t in docx} == {"docx"}
    assert {t[2] for t in pdf} == {"pdf", "html"}
    assert sorted(pdf + docx) == sorted(tasks)


def test_a_worker_started_before_the_evaluation_holds_no_pandas():
    """The command starts its workers before its library loads: a worker then loads the
    renderers alone, while this process loads pandas."""
    code = (
        "import sys\n"
        "from tender.report import workers\n"
        "def loaded(name):\n"
        "    return name in sys.modules\n"
        "with workers.start_renderers(1) as r:\n"
        "    r.started[0].result()\n"
        "    import pandas\n"
        "    print(*(r.pool.submit(loaded, m).result() for m in ('pandas', 'docx', 'reportlab')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True", "True"]


class _Named:
    """A job whose every file is its task's name: for testing who claims what."""

    def render(self, task: workers.Task) -> bytes:
        return "/".join(task).encode()


def _claims(loaded: set[str], docx_left: int, monkeypatch) -> list[str]:
    """The formats this process claims, having loaded `loaded`, with one PDF task left
    in its own lane and `docx_left` in the DOCX lane."""
    monkeypatch.setattr(workers, "_LOADED", loaded)
    pdf = [("letter", "A", "pdf")]
    docx = [("letter", f"B{n}", "docx") for n in range(docx_left)]
    claimed = multiprocessing.Array("i", [0, 0, 0])
    return [t[2] for t, _ in workers._claim(_Named(), (pdf, docx), claimed, always=(0,))]


def test_a_process_takes_from_the_other_lane_only_if_it_is_loaded_or_much_is_left(
    monkeypatch,
):
    few, many = workers.TAKE_ABOVE, workers.TAKE_ABOVE + 3
    assert _claims({"pdf"}, few, monkeypatch) == ["pdf"]  # the workers finish those sooner
    assert _claims({"pdf", "docx"}, few, monkeypatch) == ["pdf"] + ["docx"] * few
    # while more than TAKE_ABOVE are left; the last few are the loaded workers'
    assert _claims({"pdf"}, many, monkeypatch) == ["pdf"] + ["docx"] * 3


def test_a_warm_up_that_fails_leaves_the_workers_working(monkeypatch, reference_ev):
    """The warm-up only saves time: a failure in it is met again, and raised, by the
    task that has it, and every other task is rendered."""
    monkeypatch.setattr(workers, "_SAMPLE", _broken("Warming up"))  # inherited by the fork
    job = _job(reference_ev, Narrative())
    tasks = build._tasks(list(letter_slugs(reference_ev)))
    with workers.start_renderers(1) as renderers:
        assert workers.render_all(job, tasks, renderers) == _serial(job, tasks)


def test_the_last_warm_worker_waits_for_the_first_at_its_own_priority():
    """On two cores the second worker has no core while this process loads: it waits,
    idle, for the first to warm up, never at a lower priority (which left it starved on
    a busy machine all through the rendering)."""
    code = (
        "import os\n"
        "from tender.report import workers\n"
        "workers._cores = lambda: 2\n"
        "with workers.start_renderers() as r:\n"
        "    [f.result() for f in r.started]\n"
        "    print(*sorted(os.getpriority(os.PRIO_PROCESS, p) for p in r.pool._processes))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "0"]


def test_every_task_comes_back_even_from_a_lane_no_worker_takes(
    monkeypatch, reference_ev, reference_narrative
):
    """One cold worker on one core, this process with no core of its own: the worker
    takes the DOCX lane and the PDFs once it has reportlab, but never loads the HTML
    renderer; the HTML files are rendered here, not lost."""
    monkeypatch.setattr(workers, "_cores", lambda: 1)
    job = _job(reference_ev, reference_narrative)
    tasks = build._tasks(list(letter_slugs(reference_ev)))
    with workers.Renderers(1, warm=False) as renderers:
        shared = workers.render_all(job, tasks, renderers)
    assert shared == _serial(job, tasks)


def test_no_semaphores_means_no_workers(monkeypatch, reference_ev, reference_narrative):
    """Where the platform has no sem_open, the counters cannot be made: no workers, and
    this process renders everything, as on one core."""
    import multiprocessing.context

    def no_sem(*args, **kwargs):
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(multiprocessing.context.BaseContext, "Array", no_sem)
    with workers.start_renderers(2) as renderers:
        assert renderers.workers == 0
        job = _job(reference_ev, reference_narrative)
        tasks = build._tasks()
        assert workers.render_all(job, tasks, renderers) == _serial(job, tasks)


def test_a_worker_killed_mid_run_leaves_its_tasks_to_this_process(
    monkeypatch, reference_ev, reference_narrative
):
    """A worker that dies (killed for memory, say) breaks the pool: every task not yet
    done is rendered here, and the run's files are the serial bytes, not a traceback."""
    here, real = os.getpid(), workers._rendered

    def dies_in_a_worker(doc, form, confidential=False):
        if os.getpid() != here and doc.title != "Warming up":
            os._exit(9)
        return real(doc, form, confidential)

    monkeypatch.setattr(workers, "_rendered", dies_in_a_worker)  # inherited by the fork
    job = _job(reference_ev, reference_narrative)
    tasks = build._tasks(list(letter_slugs(reference_ev)))
    with workers.start_renderers(1) as renderers:
        shared = workers.render_all(job, tasks, renderers)
    monkeypatch.setattr(workers, "_rendered", real)
    assert shared == _serial(job, tasks)


def test_ctrl_c_is_left_to_this_process():
    """A worker ignores SIGINT: on Ctrl-C this process stops the claims and the workers
    end after the file each is on, none printing a traceback of its own."""
    import signal

    with workers.start_renderers(1) as renderers:
        assert renderers.pool is not None
        handler = renderers.pool.submit(signal.getsignal, signal.SIGINT).result()
    assert handler == signal.SIG_IGN
    assert signal.getsignal(signal.SIGINT) != signal.SIG_IGN  # this process keeps its own


def test_letters_are_counted_as_the_workers_render_them(reference_ev, reference_narrative):
    """A worker hands its files back when it has none left; the progress line counts
    letters from the shared count meanwhile, never backwards, ending at every letter."""
    told: list[tuple[int, int, str]] = []
    job = _job(reference_ev, reference_narrative)
    tasks = build._tasks(list(letter_slugs(reference_ev)))
    with workers.start_renderers(2) as renderers:
        workers.render_all(job, tasks, renderers, lambda d, t, s: told.append((d, t, s)))
    counts = [done for done, total, step in told if step == "Rendering letters"]
    assert counts == sorted(counts)
    assert len(set(counts)) == len(counts)
    assert counts[-1] == 6
    assert {total for _, total, _ in told} == {6}
