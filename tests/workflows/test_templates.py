"""`templates`: one sealed workbook per evaluator, each issue logged once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tender.inputs import load_tender
from tender.panel import bidder_list, panel_files


def test_templates_rendered_on_several_processes_are_the_same_bytes(
    reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tender.excel.layout import marking_rows
    from tender.excel.templates import identity_fields, write_template
    from tender.workflows.templates import _render_all

    tender = load_tender(reference)
    rows = marking_rows(tender, bidder_list(tender))
    jobs = [
        (tender, e, rows, identity_fields(tender, e, 1, "t", "s"), "seal") for e in tender.panel
    ]
    serial = _render_all(write_template, jobs)
    monkeypatch.setattr("tender.workflows.templates.PARALLEL_FROM", 1)
    assert _render_all(write_template, jobs) == serial
    assert len(set(serial)) == 3


def test_templates_issued_at_once_never_share_an_issue_number(reference: Path) -> None:
    from tender.audit import check_log
    from tender.workflows.templates import issue_templates

    tender = load_tender(reference)
    issued: list[int] = []
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            for _ in range(3):
                issued.extend(i.issue for i in issue_templates(tender, evaluators=["E1"]))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=issue) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(issued) == list(range(1, 10))
    checked = check_log(panel_files(tender).log)
    assert checked.intact
    assert [e["issue"] for e in checked.entries] == list(range(1, 10))
