"""The engine's clock: events as plain calls, and waking at an exact time on a clock that counts
from an offset."""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL


def wake_delay(now: float, start: float, at: float) -> float:
    """The delay from absolute time ``now`` that wakes a clock begun at ``start`` at the first
    moment it reads at least ``at``.

    Plain ``at - (now - start)`` can fall an ulp short after rounding, and whoever asked to be
    woken at ``at`` must find that time reached. The wake-up lands on the same instant whenever
    it is asked for, so a timer armed early and one re-armed later fire together, to the bit.
    """
    target = start + at
    while target - start < at:
        target = math.nextafter(target, math.inf)
    while (earlier := math.nextafter(target, -math.inf)) - start >= at:
        target = earlier
    delay = target - now
    while now + delay < target:
        delay = math.nextafter(delay, math.inf)
    return delay


class Clock(simpy.Environment):
    """The engine's SimPy environment, which can also run a plain call later.

    Every event of the engine is a call at a time, never a process waiting on it; ``call_in``
    queues one as SimPy queues a timeout — the same (time, priority, order) key, so events run
    in the same order — without building a ``Timeout``, its callback list and a closure each
    time, which cost as much again as running the event.
    """

    def call_in(self, delay: float, function: Callable[..., Any], *args: Any) -> None:
        """Call ``function(*args)`` ``delay`` minutes from now."""
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        heappush(self._queue, (self._now + delay, NORMAL, next(self._eid), _Call(function, args)))


class _Call:
    """What ``Environment.step`` needs of an event: callbacks, and that it did not fail."""

    __slots__ = ("args", "callbacks", "function")
    _ok = True

    def __init__(self, function: Callable[..., Any], args: tuple) -> None:
        self.function, self.args, self.callbacks = function, args, _RUN


def _run(call: _Call) -> None:
    call.function(*call.args)


_RUN = (_run,)
