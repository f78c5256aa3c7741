"""Work content that progresses at a rate set by who is on it (DESIGN §11)."""

from __future__ import annotations


def fix_rate(efficiencies: list[float], alpha: float) -> float:
    """The rate at which people of these efficiencies work a fix together: nobody, 0; one, their
    efficiency; several, their summed efficiency to the power ``alpha``. Summed left to right in
    a plain loop, which the engine and the fast path, compiled or not, all run alike (``sum``
    over a generator is compiled to such a loop, while CPython's own ``sum`` compensates from
    3.12 on)."""
    if not efficiencies:
        return 0.0
    if len(efficiencies) == 1:
        return efficiencies[0]
    total = 0.0
    for efficiency in efficiencies:
        total += efficiency
    return total ** alpha


class Work:
    """Staged work content — a repair attempt's phases, or a workaround's find then activate —
    progressing at a rate set by who is on it. A rate change re-times the finish; finishes
    scheduled before it carry an old token and are ignored. Stage ends are not events: they are
    found from the checkpoints, exactly, when the view or the log asks."""

    __slots__ = ("checkpoints", "plan", "rate", "remaining", "since", "token", "total")

    def __init__(self, plan: list[float], now: float, rate: float = 0.0) -> None:
        self.plan, self.total = plan, sum(plan)
        self.remaining, self.rate, self.since, self.token = self.total, rate, now, 0
        self.checkpoints: list[tuple[float, float, float]] = [(now, 0.0, rate)]  # time, done, rate

    def set_rate(self, now: float, rate: float) -> float | None:
        """Change the rate from ``now``; the minutes left to finish, or None if it stalls."""
        remaining = self.remaining - self.rate * (now - self.since)
        self.remaining = 0.0 if remaining < 0.0 else remaining  # max(remaining, 0.0), no call
        self.since, self.rate = now, rate
        self.token += 1
        self.checkpoints.append((now, self.total - self.remaining, rate))
        return self.remaining / rate if rate > 0 else None

    def stage(self, now: float) -> tuple[int, float]:
        """The stage under way at ``now`` and when it began."""
        done = self.total - (self.remaining - self.rate * (now - self.since))
        boundary, began = 0.0, self.checkpoints[0][0]
        for index, work in enumerate(self.plan[:-1]):
            boundary += work
            if done < boundary:
                return index, began
            began = self.reached(boundary)
        return len(self.plan) - 1, began

    def stage_ends(self) -> list[float]:
        """When each stage but the last was completed."""
        ends, boundary = [], 0.0
        for work in self.plan[:-1]:
            boundary += work
            ends.append(self.reached(boundary))
        return ends

    def reached(self, work: float) -> float:
        """When the work done reached ``work`` (the rate is constant between checkpoints)."""
        time, done, rate = self.checkpoints[0]
        for checkpoint in self.checkpoints[1:]:
            if checkpoint[1] > work:
                break
            time, done, rate = checkpoint
        return time + (work - done) / rate if rate > 0 else time
