"""`tender templates`'s twin: one sealed marking workbook per panel member, each issue logged.

The workbooks are built from the bidder list (ids and names) and the criteria only, so no
price can reach a quality evaluator. Issue numbers are read from the log and the new
issues logged under the tender's lock, so two runs never issue the same number.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..audit import Entry, TemplateIssued, of_event
from ..errors import TenderError
from ..files import os_errors
from ..inputs import load_tender, project_root
from ..model import Evaluator, Tender
from ..panel import bidders_to_mark, load_key, panel_files, protected_files
from ..progress import Progress, tell
from ..seal import seal

if TYPE_CHECKING:
    from ..excel.layout import Row

# One workbook's arguments to `excel.templates.write_template`, in its order: the tender,
# the evaluator, the rows to mark, the identity fields, their seal, the marks excluded by
# the chair's decisions and the marking sheet shared by every evaluator.
Job = tuple[
    Tender, Evaluator, Sequence["Row"], dict[str, str], str, Sequence[tuple[str, str, str]], bytes
]


@dataclass(frozen=True)
class Issued:
    """One template written: for whom, where, and what identifies it."""

    evaluator_id: str
    path: Path
    issue: int
    template_id: str
    sha256: str


def templates(
    definition: str | Path | Tender,
    out: Path | None = None,
    evaluators: list[str] | None = None,
    progress: Progress | None = None,
) -> list[Issued]:
    """Issue templates for the tender defined in `definition` (a path or a loaded Tender);
    `progress`, when given, is told each template written (`tender.progress`).

    Raises:
        TenderError: as `issue_templates`.
    """
    tender = definition if isinstance(definition, Tender) else load_tender(definition)
    return issue_templates(tender, out, evaluators, progress=progress)


def issue_templates(
    tender: Tender,
    out: Path | None = None,
    evaluators: list[str] | None = None,
    *,
    now: str | None = None,
    progress: Progress | None = None,
) -> list[Issued]:
    """Write one sealed marking template per panel member and log each issue.

    A template issued again for the same evaluator gets the next issue number; returns of
    any issue are accepted, the latest issue (then the latest save) superseding earlier ones.

    Raises:
        TenderError: no panel, or an evaluator id not on the panel.
    """
    from ..audit import read_log
    from ..excel import layout
    from ..excel.templates import identity_fields, marking_part
    from ..files import Gate
    from ..lock import tender_lock

    files = panel_files(tender)
    panel = {e.id: e for e in tender.panel}
    chosen = _chosen(tender, panel, evaluators)
    to_mark = bidders_to_mark(tender)
    rows = layout.marking_rows(tender, to_mark.marked)
    structure = layout.structure_fingerprint(tender, rows)
    folder = out or files.templates
    paths = {e: folder / f"{tender.slug}-{e}.xlsx" for e in chosen}
    creating = [] if files.key.exists() else [files.key]  # created below when missing
    gate = Gate(
        tuple(p for p in protected_files(tender, writing=("templates",)) if p not in creating),
        project_root(tender),
        named={out: "--out"} if out else {},
        appends=(files.log,),
    )
    gate.check([*paths.values(), *creating])
    with tender_lock(files.folder):  # issue numbers are read, then logged, by one command
        key = load_key(files, create=True)
        issues = _issued_so_far(read_log(files.log))
        marking = marking_part(tender, rows)  # the same sheet for every evaluator
        jobs: list[Job] = []
        for evaluator_id in chosen:
            issue = issues.get(evaluator_id, 0) + 1
            template_id = seal(
                key,
                {"tender": tender.tender.reference, "evaluator": evaluator_id, "issue": str(issue)},
            )[:16]
            identity = identity_fields(tender, panel[evaluator_id], issue, template_id, structure)
            jobs.append(
                (tender, panel[evaluator_id], rows, identity, seal(key, identity),
                 to_mark.excluded, marking)
            )  # fmt: skip
        rendered, issued = _rendered(jobs, paths, progress)
        with os_errors(folder, "write the templates"):
            gate.write(rendered)
        _log_issues(files.log, issued, now, structure, len(rows))
        return issued


def _chosen(tender: Tender, panel: dict[str, Evaluator], evaluators: list[str] | None) -> list[str]:
    """The evaluators to issue templates to: those asked for, else the whole panel."""
    if not panel:
        raise TenderError(f"{tender.source}: panel: found no evaluators; expected the panel list")
    chosen = evaluators or list(panel)
    unknown = [e for e in chosen if e not in panel]
    if unknown:
        raise TenderError(
            f"evaluator {', '.join(unknown)} is not on the panel ({', '.join(panel)})"
        )
    return chosen


def _rendered(
    jobs: list[Job], paths: dict[str, Path], progress: Progress | None = None
) -> tuple[dict[Path, bytes], list[Issued]]:
    """Each template's bytes by its path, and what identifies each one issued."""
    from ..audit import sha256_bytes
    from ..excel.templates import write_template

    rendered: dict[Path, bytes] = {}
    issued: list[Issued] = []
    for job, data in zip(jobs, _render_all(write_template, jobs, progress), strict=True):
        evaluator_id, identity = job[1].id, job[3]
        path = paths[evaluator_id]
        rendered[path] = data
        issued.append(
            Issued(evaluator_id, path, int(identity["issue"]), identity["template_id"],
                   sha256_bytes(data))
        )  # fmt: skip
    return rendered, issued


def _log_issues(
    log: Path, issued: list[Issued], now: str | None, structure: str, rows: int
) -> None:
    """One template_issued entry per template written, after all were written."""
    from ..audit import append_log

    for item in issued:
        append_log(
            log,
            "template_issued",
            at=now or _now(),
            evaluator_id=item.evaluator_id,
            issue=item.issue,
            template_id=item.template_id,
            file=item.path.name,
            sha256=item.sha256,
            structure=structure,
            rows=rows,
        )


def _issued_so_far(entries: list[Entry]) -> dict[str, int]:
    """The highest issue number logged per evaluator."""
    issues: dict[str, int] = {}
    for entry in of_event(entries, TemplateIssued):
        evaluator = entry["evaluator_id"]
        issues[evaluator] = max(issues.get(evaluator, 0), entry["issue"])
    return issues


PARALLEL_FROM = 4  # workbooks; fewer are quicker written in this process


def _render_all(
    render: Callable[..., bytes], jobs: list[Job], progress: Progress | None = None
) -> list[bytes]:
    """Render independent workbooks, on every CPU when there are several; `progress` is
    told as each is done, in order."""
    workers = min(os.cpu_count() or 1, 8)
    tell(progress, "Writing templates", 0, len(jobs))
    if workers < 2 or len(jobs) < PARALLEL_FROM:
        return _counted((render(*job) for job in jobs), len(jobs), progress)
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers) as pool:
        return _counted(pool.map(render, *zip(*jobs, strict=True)), len(jobs), progress)


def _counted(results: Iterator[bytes], total: int, progress: Progress | None) -> list[bytes]:
    done: list[bytes] = []
    for data in results:
        done.append(data)
        tell(progress, "Writing templates", len(done), total)
    return done


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")
