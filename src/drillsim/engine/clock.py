"""Waking at a time on a clock that counts from an offset, exactly."""

from __future__ import annotations

import math


def wake_delay(now: float, start: float, at: float) -> float:
    """The delay from absolute time ``now`` after which a clock begun at ``start`` reads at least
    ``at``. Plain ``at - (now - start)`` can fall an ulp short after rounding, and whoever asked
    to be woken at ``at`` must then find that time reached."""
    delay = at - (now - start)
    while (now + delay) - start < at:
        delay = math.nextafter(delay, math.inf)
    return delay
