"""The week an outage happens in: demand by hour, business hours, and exact demand integrals.

Times are minutes from Monday 00:00. Demand is piecewise constant per hour with weights
normalised to mean 1 over the week, so the cumulative weight ``C(t)`` counts "minutes at average
demand" and customer-impact minutes are differences of ``C`` (DESIGN §11, §12).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Traffic through a business day: quiet nights, a morning ramp, a working-day plateau, an evening
# tail. Relative weights; normalised with the week. [proposed]
BUSINESS_DAY = (
    0.25, 0.2, 0.2, 0.2, 0.25, 0.3, 0.45, 0.7,
    1.1, 1.5, 1.6, 1.6, 1.5, 1.6, 1.6, 1.5,
    1.4, 1.2, 1.0, 0.9, 0.8, 0.65, 0.5, 0.35,
)


class Week:
    """Hourly demand weights over a week (mean 1) and the business-hours calendar."""

    def __init__(
        self,
        hours: Sequence[float] = (1.0,) * 24,
        days: Sequence[float] = (1.0,) * 7,
        business_start: int = 9 * 60,
        business_end: int = 17 * 60,
        business_days: Sequence[int] = range(5),
    ) -> None:
        weights = np.outer(np.asarray(days, float), np.asarray(hours, float)).ravel()
        if weights.size != 168 or weights.sum() <= 0 or (weights < 0).any():
            raise ValueError("demand needs 24 hourly and 7 daily weights, not all zero")
        weights = weights / weights.mean()
        self.hourly: list[float] = weights.tolist()
        self._table = np.concatenate([[0.0], np.cumsum(weights * 60.0)])
        self._starts: list[float] = self._table[:-1].tolist()
        self.business_start = business_start
        self.business_end = business_end
        self.business_days = frozenset(business_days)

    def cumulative(self, t: float) -> float:
        """C(t): integral of the demand weight from Monday 00:00 to ``t`` (any t ≥ 0)."""
        weeks, rest = divmod(t, MINUTES_PER_WEEK)
        hour = int(rest // 60)
        if hour > 167:  # rounding at the week's very end
            hour = 167
        return weeks * MINUTES_PER_WEEK + self._starts[hour] + self.hourly[hour] * (rest - 60 * hour)

    def cumulative_array(self, t: np.ndarray) -> np.ndarray:
        """C(t) for many times at once."""
        weeks, rest = np.divmod(np.asarray(t, dtype=float), MINUTES_PER_WEEK)
        hour = np.minimum((rest // 60).astype(np.int64), 167)
        return weeks * MINUTES_PER_WEEK + self._table[hour] + \
            np.asarray(self.hourly)[hour] * (rest - 60 * hour)

    def inverse_cumulative(self, x: np.ndarray) -> np.ndarray:
        """The earliest t with C(t) = x, vectorised (hours of zero weight are skipped)."""
        weeks, rest = np.divmod(np.asarray(x, dtype=float), MINUTES_PER_WEEK)
        hour = np.clip(np.searchsorted(self._table, rest, side="right") - 1, 0, 167)
        weights = np.asarray(self.hourly)[hour]
        within = np.divide(rest - self._table[hour], weights, out=np.zeros_like(rest),
                           where=weights > 0)
        return weeks * MINUTES_PER_WEEK + 60 * hour + np.minimum(within, 60.0)

    def business_at(self, t: float) -> bool:
        """Whether one time falls in business hours on a business day."""
        day, minute = divmod(t, MINUTES_PER_DAY)
        return int(day) % 7 in self.business_days and \
            self.business_start <= minute < self.business_end

    def business_minutes(self, start: float, stop: float) -> float:
        """Minutes of business hours between two times."""
        total = 0.0
        day = int(start // MINUTES_PER_DAY)
        while day * MINUTES_PER_DAY < stop:
            if day % 7 in self.business_days:
                opens = day * MINUTES_PER_DAY + self.business_start
                closes = day * MINUTES_PER_DAY + self.business_end
                total += max(0.0, min(stop, closes) - max(start, opens))
            day += 1
        return total

    def is_business(self, t: np.ndarray) -> np.ndarray:
        """Whether each time falls in business hours on a business day."""
        t = np.asarray(t, dtype=float)
        day: np.ndarray = (t // MINUTES_PER_DAY).astype(np.int64) % 7
        minute: np.ndarray = t % MINUTES_PER_DAY
        on_day = np.isin(day, sorted(self.business_days))
        return on_day & (minute >= self.business_start) & (minute < self.business_end)


def parse_clock(text: str) -> int:
    """'14:30' → 870 minutes after midnight; raises ValueError otherwise."""
    try:
        hours, minutes = (int(part) for part in text.split(":"))
    except (ValueError, AttributeError):
        raise ValueError(f"expected a time of day as HH:MM, found {text!r}") from None
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or hours * 60 + minutes > MINUTES_PER_DAY:
        raise ValueError(f"expected a time of day between 00:00 and 24:00, found {text!r}")
    return hours * 60 + minutes
