"""The network guard as a pytest plugin (registered in tests/conftest.py).

It is on for the whole run, session fixtures included, and in every Python process a test
starts: `PYTHONPATH` puts `child/sitecustomize.py` first, which installs the same guard and
appends each refusal to a log file named in `TESTS_NETWORK_GUARD_LOG`. After every test, the
refusals since the last check (in this process or in a child) fail that test, naming the
address, even where the code under test caught the error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.network.guard import NetworkGuard, install

GUARD_LOG = "TESTS_NETWORK_GUARD_LOG"
CHILD = Path(__file__).parent / "child"
ROOT = Path(__file__).parents[2]


class Refusals:
    """What the guard refused in this process and in child processes, since the last look."""

    def __init__(self, guard: NetworkGuard, child_log: Path) -> None:
        self.guard = guard
        self.child_log = child_log
        self._seen = 0
        self._child_offset = 0

    def new(self) -> list[str]:
        refused = self.guard.refused[self._seen :]
        self._seen += len(refused)
        with self.child_log.open("rb") as log:
            log.seek(self._child_offset)
            written = log.read()
        complete = written[: written.rfind(b"\n") + 1]  # a line being written is read next time
        self._child_offset += len(complete)
        return refused + complete.decode(errors="replace").splitlines()


def failure(refused: list[str]) -> str:
    lines = "\n".join(f"  {attempt}" for attempt in refused)
    return (
        "tests may only connect to loopback (127.0.0.0/8, ::1) or Unix sockets; refused here:\n"
        f"{lines}\npoint the client at a fake from tests/fakes instead"
    )


@pytest.fixture(scope="session", autouse=True)
def network_refusals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Refusals]:
    log = tmp_path_factory.mktemp("network-guard") / "refused-in-child-processes.log"
    log.touch()
    refusals = Refusals(NetworkGuard(), log)
    with pytest.MonkeyPatch.context() as patch:
        install(refusals.guard, patch.setattr)
        patch.setenv(GUARD_LOG, str(log))
        paths = [str(CHILD), str(ROOT), os.environ.get("PYTHONPATH", "")]
        patch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))
        yield refusals
    if refused := refusals.new():  # after the last test's teardown: module and session fixtures
        pytest.fail(failure(refused), pytrace=False)


@pytest.fixture(autouse=True)
def no_outbound_connections(network_refusals: Refusals) -> Iterator[None]:
    yield
    if refused := network_refusals.new():
        pytest.fail(failure(refused), pytrace=False)
