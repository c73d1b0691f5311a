"""Hybrid logical clock (HLC) stamps for last-writer-wins merging of record fields.

A stamp is wall-clock milliseconds plus a counter. The clock never goes backwards: when the
computer's clock does (NTP step, a restored VM), the counter grows on the last wall time instead.
Stamps encode to fixed-width strings, so string order equals time order and SQLite can compare
them directly.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

_WALL_DIGITS = 15  # milliseconds: good until the year 33658
_COUNTER_DIGITS = 6


@dataclass(frozen=True, order=True)
class Stamp:
    wall_ms: int
    counter: int = 0

    def encode(self) -> str:
        return f"{self.wall_ms:0{_WALL_DIGITS}d}.{self.counter:0{_COUNTER_DIGITS}d}"

    @classmethod
    def parse(cls, text: str) -> "Stamp":
        wall, _, counter = text.partition(".")
        if not wall.isdigit() or not counter.isdigit():
            raise ValueError(f"not an HLC stamp: {text!r}")
        return cls(int(wall), int(counter))


ZERO = Stamp(0, 0)


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class HybridClock:
    """Issues strictly increasing stamps; ``last`` is restored from the database on open."""

    def __init__(self, last: Stamp = ZERO, now: Callable[[], int] = wall_clock_ms) -> None:
        self._last = last
        self._now = now

    @property
    def last(self) -> Stamp:
        return self._last

    def tick(self) -> Stamp:
        wall = self._now()
        if wall > self._last.wall_ms:
            self._last = Stamp(wall, 0)
        else:
            self._last = Stamp(self._last.wall_ms, self._last.counter + 1)
        return self._last

    def observe(self, remote: Stamp) -> Stamp:
        """Merge a stamp received from another replica, so our next stamp is later than it."""
        wall = self._now()
        top = max(wall, self._last.wall_ms, remote.wall_ms)
        if top == self._last.wall_ms == remote.wall_ms:
            counter = max(self._last.counter, remote.counter) + 1
        elif top == self._last.wall_ms:
            counter = self._last.counter + 1
        elif top == remote.wall_ms:
            counter = remote.counter + 1
        else:
            counter = 0
        self._last = Stamp(top, counter)
        return self._last
