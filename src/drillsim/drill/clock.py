"""How a drill writes times: minutes from onset (T+12) and the wall clock they fall on."""

from __future__ import annotations

from ..week import MINUTES_PER_DAY, MINUTES_PER_WEEK, WEEKDAYS


def t_plus(minutes: float, digits: int = 0) -> str:
    """``T+12`` (or ``T+12.3`` with ``digits=1``): minutes from the outage's onset."""
    return f"T+{minutes:,.{digits}f}"


def wall_clock(onset: float, minutes: float) -> str:
    """The weekday and time ``minutes`` after an onset given as minutes from Monday 00:00."""
    at = int(onset + minutes) % MINUTES_PER_WEEK
    day, minute = divmod(at, MINUTES_PER_DAY)
    return f"{WEEKDAYS[day][:3].title()} {minute // 60:02d}:{minute % 60:02d}"
