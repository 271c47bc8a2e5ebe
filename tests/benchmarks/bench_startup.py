"""Benchmark: each command as a whole process beside `python -c "import pandas"`.

Run by hand (not collected by pytest):  .venv/bin/python tests/benchmarks/bench_startup.py [RUNS]

Start-up is what an officer pays on every command, so the floor is the one library every
evaluating command needs: the interpreter importing pandas. Each command runs on a fresh
copy of the repository's reference tender, in turn with the floor (floor, command, floor,
command ...), so a machine that slows down part-way slows both alike: the ratio printed is
the median of the RUNS (default 7) pairs' ratios, beside the median times. Targets:
`--help` <= 0.2 s, `score` <= 1.5x, `report` <= 2.5x. Figures on a busy machine mean
little: the load average is printed too.

Bytecode is written as an installed package has it (PYTHONDONTWRITEBYTECODE is dropped
from the commands' environment and each command runs once untimed first): otherwise every
run would compile tender's own modules again, which no officer's run does.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TENDER = "criteria/pest-control-2016.yaml"
FLOOR = [sys.executable, "-c", "import pandas"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str], cwd: Path) -> float:
    """One whole-process run's wall-clock seconds."""
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, capture_output=True, env=ENV)
    return time.perf_counter() - start


def paired(argv: list[str], cwd: Path, runs: int) -> tuple[float, float, float]:
    """Median seconds of the command and of the floor, and the median of the pairs' ratios."""
    timed(argv, cwd)  # untimed: bytecode written, files cached
    pairs = [(timed(FLOOR, cwd), timed(argv, cwd)) for _ in range(runs)]
    floors, commands = zip(*pairs, strict=True)
    ratio = statistics.median(c / f for f, c in pairs)
    return statistics.median(commands), statistics.median(floors), ratio


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        for part in ("criteria", "bids"):
            shutil.copytree(ROOT / part, project / part)
        tender = [sys.executable, "-m", "tender"]
        timed(FLOOR, project)
        print(f"load average {os.getloadavg()[0]:.2f}; median of {runs} pairs, whole process")
        print(f"{'command':<16} {'median':>8} {'floor':>8} {'ratio':>7}  target")
        for name, args, target in (
            ("tender --help", ["--help"], "<= 0.2 s"),
            ("tender score", ["score", TENDER], "<= 1.5x"),
            ("tender report", ["report", TENDER], "<= 2.5x"),
        ):
            took, floor, ratio = paired(tender + args, project, runs)
            print(f"{name:<16} {took:7.3f}s {floor:7.3f}s {ratio:6.2f}x  {target}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
