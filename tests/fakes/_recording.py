"""Thread-safe recording of what a fake received, waiting on it, and one-shot fault rules."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

T = TypeVar("T")
Params = dict[str, Any]


class Call(NamedTuple):
    """One request as the fake understood it: API method (or endpoint), decoded params, time."""

    method: str
    params: Params
    time: float


class Recorder:
    """Calls and accepted sends, guarded by one condition variable shared with the fake's state."""

    def __init__(self) -> None:
        self.cond = threading.Condition(threading.RLock())
        self._calls: list[Call] = []
        self._sent: list[Call] = []

    def record(self, method: str, params: Params) -> Call:
        call = Call(method, params, time.time())
        with self.cond:
            self._calls.append(call)
            self.cond.notify_all()
        return call

    def record_sent(self, call: Call) -> None:
        """Mark a call as accepted by the platform (a message that the user would see)."""
        with self.cond:
            self._sent.append(call)
            self.cond.notify_all()

    @property
    def calls(self) -> list[Call]:
        with self.cond:
            return list(self._calls)

    @property
    def sent(self) -> list[Call]:
        with self.cond:
            return list(self._sent)

    @property
    def sent_count(self) -> int:
        """How many sends were accepted (without copying them: a benchmark polls this)."""
        with self.cond:
            return len(self._sent)

    def clear(self) -> None:
        with self.cond:
            self._calls.clear()
            self._sent.clear()
            self.cond.notify_all()

    def wait_calls(self, predicate: Callable[[list[Call]], bool], timeout: float) -> list[Call]:
        """Block until ``predicate(calls)`` holds; return the calls."""
        return self.wait_until(self._calls_matching(predicate), timeout)

    async def wait_calls_async(self, predicate: Callable[[list[Call]], bool], seconds: float) -> list[Call]:
        return await self.wait_until_async(self._calls_matching(predicate), seconds)

    def wait_sent(self, n: int, select: Callable[[Call], bool], timeout: float) -> list[Params]:
        """Block until ``n`` accepted sends satisfy ``select``; return their params."""
        return self.wait_until(self._sent_reached(n, select), timeout)

    async def wait_sent_async(self, n: int, select: Callable[[Call], bool], seconds: float) -> list[Params]:
        return await self.wait_until_async(self._sent_reached(n, select), seconds)

    def describe(self) -> str:
        with self.cond:
            methods = [call.method for call in self._calls]
            return f"{len(self._sent)} sends accepted; calls received: {methods}"

    def wait_until(self, condition: Callable[[], T | None], timeout: float) -> T:
        """Block until ``condition()`` (evaluated under the lock) is not None; return it."""
        found: list[T] = []

        def ready() -> bool:
            value = condition()
            if value is not None:
                found.append(value)
            return value is not None

        with self.cond:
            if not self.cond.wait_for(ready, timeout):
                raise TimeoutError(f"waited {timeout} s; {self.describe()}")
            return found[-1]

    async def wait_until_async(self, condition: Callable[[], T | None], seconds: float) -> T:
        """Like :meth:`wait_until` but yields to the caller's event loop while waiting."""
        deadline = time.monotonic() + seconds
        while True:
            with self.cond:
                value = condition()
            if value is not None:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"waited {seconds} s; {self.describe()}")
            await asyncio.sleep(0.005)

    def _calls_matching(self, predicate: Callable[[list[Call]], bool]) -> Callable[[], list[Call] | None]:
        def condition() -> list[Call] | None:
            calls = list(self._calls)
            return calls if predicate(calls) else None

        return condition

    def _sent_reached(self, n: int, select: Callable[[Call], bool]) -> Callable[[], list[Params] | None]:
        def condition() -> list[Params] | None:
            chosen = [call.params for call in self._sent if select(call)]
            return chosen if len(chosen) >= n else None

        return condition


@dataclass
class _Rule(Generic[T]):
    matches: Callable[[str, Params], bool]
    remaining: int
    payload: T


class FaultQueue(Generic[T]):
    """Rules that each apply to the next ``count`` matching requests, oldest rule first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule[T]] = []

    def add(self, matches: Callable[[str, Params], bool], payload: T, count: int) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._rules.append(_Rule(matches, count, payload))

    def take(self, method: str, params: Params) -> T | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, params):
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._rules.remove(rule)
                    return rule.payload
        return None

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def __len__(self) -> int:
        with self._lock:
            return sum(rule.remaining for rule in self._rules)
