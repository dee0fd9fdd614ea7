"""A console conversation killed mid-form (SIGKILL) resumes at the same question with the same --user."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.bot.cli_helpers import cli_env, run_cli
from tests.handlers.registration.conversation import NIK

FIRST_ANSWERS = ["halo", "Daftar usaha", "Setuju", "Siti Aminah"]


def _wait_for(process: subprocess.Popen[str], needle: str, timeout: float = 30) -> str:
    """Read the chat's output until `needle` appears (so we know that message was handled)."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    os.set_blocking(fd, False)
    seen, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            seen += os.read(fd, 65536)
        except BlockingIOError:
            time.sleep(0.02)
            continue
        if needle.encode() in seen:
            return seen.decode()
    raise AssertionError(f"{needle!r} never appeared; output so far:\n{seen.decode(errors='replace')}")


def test_a_chat_killed_mid_form_resumes_at_the_same_question(tmp_path: Path, database_url: str) -> None:
    data = tmp_path / "data"
    env = cli_env(data, DATABASE_URL=database_url)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "chat", "--user", "siti"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert process.stdin is not None
    try:
        process.stdin.write("\n".join(FIRST_ANSWERS) + "\n")
        process.stdin.flush()
        _wait_for(process, "Tulis NIK")  # the name was taken; the NIK question is on screen
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL

    # Started again, the same user's next message answers the NIK question.
    again = run_cli(["chat", "--user", "siti"], data, stdin=f"{NIK}\n", DATABASE_URL=database_url)
    assert again.returncode == 0, again.stderr
    assert "Landasan Ulin" in again.stdout  # what the NIK says, asked to confirm
    assert "Menu utama" not in again.stdout
