"""Officer command start-up benchmark (not a test): prints its figures.

    .venv/bin/python -m bench.cli [--runs 10]

Every officer command is a process of its own: its start-up (imports, settings, the embedded
database's migration check) is most of the time an officer waits for a short one, and what
a test that runs the real command pays each time. Runs `umkm-bot --help` and
`umkm-bot voucher program list` (a command that reads the database) `--runs` times each on a
fresh embedded SQLite database and prints the median and fastest wall clock, the median CPU
time and the largest peak memory (ru_maxrss) of the processes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bot.cli_helpers import cli_env

COMMANDS = (["--help"], ["voucher", "program", "list"])


def run_once(args: list[str], data_dir: Path) -> tuple[float, float, int]:
    """One process: wall seconds, CPU seconds, peak memory in KB."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        env=cli_env(data_dir),
        cwd=data_dir.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stderr = process.stderr.read().decode() if process.stderr else ""  # to its end, then wait
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"umkm-bot {' '.join(args)} exited {process.returncode}: {stderr.strip()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        run_once(["db", "upgrade"], data_dir)
        print(f"{args.runs} runs each, load average {os.getloadavg()[0]:.1f}")
        for command in COMMANDS:
            runs = [run_once(command, data_dir) for _ in range(args.runs)]
            walls, cpus, peaks = zip(*runs, strict=True)
            print(
                f"umkm-bot {' '.join(command):<22} median {statistics.median(walls):.2f} s "
                f"(fastest {min(walls):.2f} s), CPU {statistics.median(cpus):.2f} s, "
                f"peak {max(peaks) / 1024:.0f} MB"
            )


if __name__ == "__main__":
    main()
