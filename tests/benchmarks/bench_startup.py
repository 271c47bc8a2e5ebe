"""Benchmark: each command as a whole process beside `python -c "import pandas"`.

Run by hand (not collected by pytest):  .venv/bin/python tests/benchmarks/bench_startup.py [RUNS]

Start-up is what an officer pays on every command, so the floor is the one library every
evaluating command needs: the interpreter importing pandas. Each command runs on a fresh
copy of the repository's reference tender; the best of RUNS (default 5) wall-clock times is
printed with its ratio to the floor's best. Targets: `--help` <= 0.2 s, `score` <= 1.5x,
`report` <= 2.5x. Figures on a busy machine mean little: the load average is printed too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TENDER = "criteria/pest-control-2016.yaml"


def best_of(argv: list[str], cwd: Path, runs: int) -> float:
    """The fastest of `runs` whole-process runs: the least disturbed by other work."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        for part in ("criteria", "bids"):
            shutil.copytree(ROOT / part, project / part)
        tender = [sys.executable, "-m", "tender"]
        floor = best_of([sys.executable, "-c", "import pandas"], project, runs)
        print(f"load average {os.getloadavg()[0]:.2f}; best of {runs}, whole process")
        floor_name = 'python -c "import pandas"'
        print(f"{floor_name:<32} {floor:6.3f} s   1.00x (floor)")
        for name, args, target in (
            ("tender --help", ["--help"], "<= 0.2 s"),
            ("tender score", ["score", TENDER], "<= 1.5x"),
            ("tender report", ["report", TENDER], "<= 2.5x"),
        ):
            took = best_of(tender + args, project, runs)
            print(f"{name:<32} {took:6.3f} s {took / floor:6.2f}x  target {target}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
