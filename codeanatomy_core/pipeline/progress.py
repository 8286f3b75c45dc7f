"""Progress of long steps: structured events, a throttled log line, a terminal bar."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

import msgspec


class ProgressEvent(msgspec.Struct, frozen=True, kw_only=True):
    step: str
    done: int
    total: int
    errors: int
    elapsed_s: float

    @property
    def per_second(self) -> float:
        return self.done / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def describe(self) -> str:
        return (
            f"{self.step}: {self.done}/{self.total} files, {self.per_second:.0f} files/s, "
            f"{self.errors} errors"
        )


ProgressFn = Callable[[ProgressEvent], None]


def throttled_log(log: Callable[[str], None], *, interval_s: float = 5.0) -> ProgressFn:
    """A progress function that writes a log line at most every ``interval_s`` (and at the end)."""
    last = [float("-inf")]

    def report(event: ProgressEvent) -> None:
        now = time.monotonic()
        if event.done == event.total or now - last[0] >= interval_s:
            last[0] = now
            log(event.describe())

    return report


class TerminalBar:
    """A one-line progress bar redrawn in place on a terminal (nothing when not a TTY)."""

    def __init__(self, stream: TextIO | None = None, *, width: int = 30, interval_s: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.interval_s = interval_s
        self._last = float("-inf")
        self.enabled = self.stream.isatty()

    def __call__(self, event: ProgressEvent) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        finished = event.done >= event.total
        if not finished and now - self._last < self.interval_s:
            return
        self._last = now
        filled = self.width if event.total == 0 else self.width * event.done // event.total
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {event.describe()}" + ("\n" if finished else ""))
        self.stream.flush()


def fan_out(*reporters: ProgressFn | None) -> ProgressFn:
    active = [r for r in reporters if r is not None]

    def report(event: ProgressEvent) -> None:
        for reporter in active:
            reporter(event)

    return report
