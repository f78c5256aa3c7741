"""When each inject of a scenario's master scenario events list (MSEL) fires.

The tracker is shown the strategy view at every decision point and judges each trigger only from
what a real team could see by then: the clock, detection, arrivals, each workaround's status, the
repair attempt and the service level. Every moment a trigger waits for is itself a decision point
(a responder arrives, a workaround ends, a repair fails), or a time the tracker asks to be woken
at, so an inject is never late. An inject that states an outcome — the backup site's DNS does not
update — names the workaround whose failure it reports, and fires only when the draw says that
workaround failed (DESIGN §12).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..scenario.schema import Expect, Inject


@dataclass(frozen=True)
class Fired:
    """An inject as it reached the team, ``at`` minutes from onset: from the scenario or ad hoc."""

    at: float
    name: str
    sender: str
    to: str
    message: str
    expected_action: str = ""
    objective: str = ""
    expect: Expect | None = None
    ad_hoc: bool = False

    @classmethod
    def of(cls, inject: Inject, at: float) -> Fired:
        return cls(at, inject.name, inject.sender, inject.to, inject.message, inject.expected_action,
                   inject.objective, inject.expect)


class InjectTracker:
    """The scenario's injects not yet fired, and when each fires."""

    def __init__(self, injects: Iterable[Inject], floor: float) -> None:
        self.pending = list(injects)
        self.floor = floor  # the service level at onset: anything above it is a mitigation
        self.mitigated_at: float | None = None

    def update(self, view) -> list[Fired]:
        """The injects that have fired by ``view.now`` and were not shown before, in time order."""
        if self.mitigated_at is None and view.service_level > self.floor:
            self.mitigated_at = view.now  # service only changes at a decision point
        fired = []
        for inject in list(self.pending):
            at = self._fires_at(inject, view)
            if at is not None:
                self.pending.remove(inject)
                fired.append(Fired.of(inject, at))
        return sorted(fired, key=lambda f: f.at)

    def next_wake(self, now: float) -> float | None:
        """The next time an inject waits for on the clock alone (whole minutes), if any."""
        times = [_clock(inject) for inject in self.pending]
        return min((t for t in times if t is not None and t > now), default=None)

    def _fires_at(self, inject: Inject, view) -> float | None:
        now, at = view.now, inject.at
        if isinstance(at, int):
            return float(at) if at <= now else None
        if at == "onset":
            return 0.0
        if at == "detection":
            right = inject.detected_by in (None, view.detected_by)
            return view.detected_at if right and view.detected_at <= now else None
        if at == "arrival":
            arrivals = sorted(r.arrived_at for r in view.responders if r.present)
            n = inject.responder or 1
            return arrivals[n - 1] if len(arrivals) >= n else None
        if at in ("workaround-succeeded", "workaround-failed"):
            status = "active" if at == "workaround-succeeded" else "failed"
            hit = any(o.status == status and inject.option in (None, o.name) for o in view.options)
            return now if hit else None  # a workaround's end is a decision point: it is now
        if at == "repair-failed":
            return now if view.repair_attempt > 1 else None
        if at == "not-mitigated" and inject.by <= now:
            if self.mitigated_at is None or self.mitigated_at > inject.by:
                return float(inject.by)
            self.pending.remove(inject)  # mitigated in time: it never fires
        return None


def _clock(inject: Inject) -> float | None:
    """The minute an inject waits for on the clock, if it waits for one."""
    if isinstance(inject.at, int):
        return float(inject.at)
    return float(inject.by) if inject.at == "not-mitigated" else None
