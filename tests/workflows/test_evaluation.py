"""evaluate_file: the one-call path."""

from tender.workflows.evaluation import evaluate_file


def test_evaluate_file_warns_when_moderated_marks_are_missing(project, reference):
    (project / "bids" / "pest-control-2016" / "moderated.csv").unlink()
    run = evaluate_file(reference)
    assert run.evaluation.provisional
    assert run.warnings == [
        "bids/pest-control-2016/moderated.csv not found: quality scores are PROVISIONAL "
        "until moderated marks exist"
    ]
