"""Import benchmark (not a test): prints its figures.

    .venv/bin/python -m bench.importing [--rows 100000] [--database-url postgresql+asyncpg://…]

Writes a spreadsheet of N valid rows like the agency's (Indonesian headers, a title row, NIKs as
text, numbers as Excel keeps them) as .xlsx and as .csv, then runs the real command
`umkm-bot owners import FILE` on each, in a process of its own against a fresh database, and
reports rows a second (wall clock of the whole command, start-up included) and that process's
peak memory (ru_maxrss, bench/import_child.py). Then the same .xlsx again: every NIK is registered already, nothing
changes. Target: 2,000 rows a second or more, under 150 MB. The process's CPU time is printed too:
on a shared machine the wall clock also counts the time others had the cores.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from bench.outbox import drop_created, fresh_database
from tests.bot.cli_helpers import cli_env
from tests.handlers.registration.imports import HEADER

NAMES = ["Siti Aminah", "Budi Santoso", "Rahmat Hidayat", "Nur Aisyah", "Muhammad Rizki", "Dewi Lestari"]
PLACES = [
    ("Landasan Ulin", "Guntung Payung"),
    ("Cempaka", "Palam"),
    ("Banjarbaru Utara", "Komet"),
    ("Banjarbaru Selatan", "Kemuning"),
    ("Liang Anggang", "Landasan Ulin Barat"),
]
SECTORS = ["Kuliner", "Fesyen", "Kriya", "Perdagangan", "Jasa"]
DISTRICT_OF_ISSUE = ["637201", "637202", "637203", "637204", "637205"]


def row(i: int) -> list[object]:
    """Row `i`: every NIK unique (district of issue, birth date, serial), every value valid."""
    born = date(1960, 1, 1) + timedelta(days=i // 9_999)
    serial = i % 9_999 + 1
    female = i % 2 == 1
    nik = f"{DISTRICT_OF_ISSUE[i % 5]}{born.day + (40 if female else 0):02d}{born:%m%y}{serial:04d}"
    district, village = PLACES[i % len(PLACES)]
    return [
        i + 1,
        NAMES[i % len(NAMES)],
        nik,
        f"0812{i:08d}",
        f"Warung {NAMES[(i // 7) % len(NAMES)].split()[0]} {i}",
        f"Jl. A. Yani Km. {i % 40 + 1} No. {i % 200 + 1}",
        district,
        village,
        SECTORS[i % len(SECTORS)],
        f"{56101 + i % 5}" if i % 3 else None,
        f"{1200000000000 + i}" if i % 4 == 0 else None,
        f"{(i % 90) + 10}jt" if i % 2 else 150_000_000 + i,
        20_000_000 + (i % 50) * 1_000_000,
        i % 12,
        1990 + i % 35,
    ]


def write_xlsx(path: Path, rows: int) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("UMKM")
    sheet.append(["DATA UMKM BINAAN KOTA BANJARBARU"])
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append(row(i))
    workbook.save(path)


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for i in range(rows):
            writer.writerow(["" if v is None else v for v in row(i)])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(label: str, path: Path, url: str, data_dir: Path, rows: int) -> None:
    started, cpu = time.perf_counter(), _children_cpu()
    result = subprocess.run(
        [sys.executable, "-m", "bench.import_child", str(path)],
        env=cli_env(data_dir, DATABASE_URL=url),
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed, cpu = time.perf_counter() - started, _children_cpu() - cpu
    if result.returncode != 0:
        raise SystemExit(f"{label}: exit {result.returncode}\n{result.stderr[-2000:]}")
    peak = next(int(x.split("=")[1]) for x in result.stderr.split() if x.startswith("peak_kb="))
    summary = next(line for line in result.stderr.splitlines() if "baris dibaca:" in line)
    print(
        f"{label}: {rows:,} rows in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s, peak {peak / 1024:.0f} MB"
        f" (CPU {cpu:.1f} s = {rows / cpu:,.0f} rows per CPU second)"
    )
    print(f"    {summary}")


async def main(args: argparse.Namespace) -> None:
    engine = "PostgreSQL" if args.database_url else "SQLite"
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp)
        xlsx, csv_path = work / "umkm.xlsx", work / "umkm.csv"
        started = time.perf_counter()
        write_xlsx(xlsx, args.rows)
        write_csv(csv_path, args.rows)
        print(
            f"{args.rows:,} rows: umkm.xlsx {xlsx.stat().st_size / 1e6:.1f} MB, "
            f"umkm.csv {csv_path.stat().st_size / 1e6:.1f} MB (written in {time.perf_counter() - started:.1f} s)"
        )
        try:
            url = await fresh_database(args.database_url, work)
            measure(f"{engine}, .xlsx, new", xlsx, url, work / "data", args.rows)
            measure(f"{engine}, .xlsx, again (all registered)", xlsx, url, work / "data", args.rows)
            url = await fresh_database(args.database_url, work)
            measure(f"{engine}, .csv, new", csv_path, url, work / "data", args.rows)
        finally:
            await drop_created(args.database_url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--database-url", help="PostgreSQL base URL (a fresh database is made); default SQLite"
    )
    asyncio.run(main(parser.parse_args()))
