"""The network guard in a Python process a test started (`umkm-bot run`, an outbox sender, …).

Python imports `sitecustomize` at start-up from the first directory on its path that has one;
tests/network/plugin.py puts this directory first on `PYTHONPATH` for the whole run. Outside
a test run (no `TESTS_NETWORK_GUARD_LOG`) it does nothing.
"""

from __future__ import annotations

import os
import sys

_LOG = os.environ.get("TESTS_NETWORK_GUARD_LOG")

if _LOG:
    from tests.network.guard import NetworkGuard, install

    def _report(attempt: str) -> None:
        line = f"{attempt} in child process {os.getpid()} ({' '.join(sys.argv)})\n"
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(line)

    install(NetworkGuard(_report), setattr)
