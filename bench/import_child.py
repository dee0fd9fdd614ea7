"""The process bench/importing.py measures: `umkm-bot owners import FILE --report FILE.report.xlsx`,
then its own peak memory (ru_maxrss) on stderr. Imports nothing the command itself does not."""

from __future__ import annotations

import resource
import sys

from bot.cli import main

if __name__ == "__main__":
    code = main(["owners", "import", sys.argv[1], "--report", f"{sys.argv[1]}.report.xlsx"])
    print(f"peak_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", file=sys.stderr)
    sys.exit(code)
