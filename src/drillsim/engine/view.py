"""What a strategy sees at a decision point: what a real team could know, nothing more."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ..strategies import Task

if TYPE_CHECKING:
    from .incident import Incident, Option


class ResponderInfo(NamedTuple):
    name: str
    present: bool
    task: Task | None
    arrived_at: float | None
    hours_worked: float  # continuous work so far
    fatigued: bool


class OptionInfo(NamedTuple):
    name: str
    available: bool
    status: str  # unavailable, untried, finding, activating, active, failed, abandoned
    coverage: float
    runbook: bool
    requires: str | None
    worker: str | None


class IncidentView:
    """What a real team could know at a decision point: never remaining work or future draws."""

    __slots__ = ("_incident",)

    def __init__(self, incident: Incident) -> None:
        self._incident = incident

    @property
    def now(self) -> float:
        """Minutes since the outage began."""
        return self._incident.now

    @property
    def detected_at(self) -> float:
        return self._incident.draws.detect

    @property
    def detected_by(self) -> str:
        return self._incident.draws.detected_by

    @property
    def free(self) -> list[str]:
        """Responders who have arrived and are not assigned to anything."""
        return [r.name for r in self._incident.staff if r.task is None and r.present]

    @property
    def fixers(self) -> list[str]:
        return [r.name for r in self._incident.fixers]

    def fixers_newest_first(self) -> list[str]:
        return [r.name for r in sorted(self._incident.fixers, key=lambda r: -r.arrived_at)]

    @property
    def on_workaround(self) -> list[str]:
        """Responders finding or activating a workaround (not those operating one)."""
        return [o.worker.name for o in self._incident.options if o.status == "working"]

    @property
    def untried_options(self) -> list[str]:
        """Available workaround options nobody has tried yet, in the scenario's order."""
        return [o.name for o in self._incident.options if o.status == "untried"]

    @property
    def workaround_succeeded(self) -> bool:
        return self._incident.succeeded

    @property
    def service_level(self) -> float:
        return self._incident.level

    @property
    def mbco(self) -> float:
        return self._incident.model.scenario.mbco

    @property
    def phase(self) -> str:
        """The fix phase under way (diagnose, repair, verify…)."""
        incident = self._incident
        return incident.model.phases[incident.fix.stage(incident.env.now)[0]]

    @property
    def time_in_phase(self) -> float:
        incident = self._incident
        return incident.env.now - incident.fix.stage(incident.env.now)[1]

    @property
    def repair_attempt(self) -> int:
        """1 for the first attempt, 2 after one failed repair, …"""
        return self._incident.attempt + 1

    @property
    def responders(self) -> tuple[ResponderInfo, ...]:
        """Everyone sent to this incident, arrived or on the way."""
        incident = self._incident
        return tuple(
            ResponderInfo(r.name, r.present, r.task,
                          r.arrived_at - incident.start if r.present else None,
                          incident.team.hours_worked(r),
                          r.efficiency < 1.0)
            for r in incident.staff
        )

    @property
    def options(self) -> tuple[OptionInfo, ...]:
        now = self._incident.env.now
        return tuple(
            OptionInfo(o.name, o.available, _status(o, now), o.spec.coverage, o.spec.runbook,
                       o.spec.requires, o.worker.name if o.worker else None)
            for o in self._incident.options
        )

    @property
    def memo(self) -> dict:
        """Scratch space a strategy may keep for this replication."""
        return self._incident.memo


def _status(option: Option, now: float) -> str:
    """What a team would call the option's state: working splits into finding and activating."""
    if option.status != "working":
        return option.status
    return "finding" if option.work.stage(now)[0] == 0 else "activating"
