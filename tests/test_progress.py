"""Progress is told to whoever listens, and to nobody when nobody does."""

from __future__ import annotations

from tender.progress import tell


def test_a_listener_hears_each_step_with_its_count() -> None:
    heard: list[tuple[int, int, str]] = []
    tell(lambda done, total, step: heard.append((done, total, step)), "Rendering letters", 3, 6)
    tell(lambda done, total, step: heard.append((done, total, step)), "Evaluating")
    assert heard == [(3, 6, "Rendering letters"), (0, 0, "Evaluating")]


def test_with_no_listener_nothing_happens() -> None:
    assert tell(None, "Evaluating") is None
