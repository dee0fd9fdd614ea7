"""Officer commands start without loading what only the running bot or one command needs.

Each officer command is a process of its own, so every library its imports pull in is start-up
time an officer waits for (bench/cli.py prints it). The platforms' SDKs are loaded when a
channel is opened (`App.channels`), lokal when a NIK, a phone number or a region is read, and
the file writers when a file is written.
"""

from __future__ import annotations

import json
import subprocess
import sys

LOADED_LATER = ("telegram", "aiohttp", "httpx", "lokal", "uvicorn", "openpyxl", "fpdf")


def test_the_command_line_loads_no_platform_sdk_lokal_or_file_writer() -> None:
    shown = subprocess.run(
        [sys.executable, "-c", "import json, sys, bot.cli; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    loaded = {name.split(".")[0] for name in json.loads(shown.stdout)}
    assert "sqlalchemy" in loaded  # the probe saw the command line's imports
    assert sorted(loaded.intersection(LOADED_LATER)) == []
