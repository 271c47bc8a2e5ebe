"""Fingerprints and the hash-chained evaluation log."""

import json

from tender import audit


def test_sha256_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")
    assert audit.sha256_file(path) == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_log_chains_and_detects_edits(tmp_path):
    log = tmp_path / "log.jsonl"
    first = audit.append_log(log, "issued", evaluator="E1")
    second = audit.append_log(log, "received", evaluator="E1", sha256="00")
    assert second["previous"] == first["hash"]
    assert audit.verify_log(log) == []
    lines = log.read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[0])
    edited["evaluator"] = "E2"
    log.write_text(json.dumps(edited) + "\n" + lines[1] + "\n", encoding="utf-8")
    assert audit.verify_log(log) == [f"{log}: entry 1: content does not match its hash"]


def test_deleting_an_entry_breaks_the_chain(tmp_path):
    log = tmp_path / "log.jsonl"
    for n in range(3):
        audit.append_log(log, "event", n=n)
    lines = log.read_text(encoding="utf-8").splitlines()
    log.write_text(lines[0] + "\n" + lines[2] + "\n", encoding="utf-8")
    assert audit.verify_log(log) == [f"{log}: entry 2: does not follow entry 1"]
