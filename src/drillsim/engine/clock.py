"""Waking at an exact time on a clock that counts from an offset."""

from __future__ import annotations

import math


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
