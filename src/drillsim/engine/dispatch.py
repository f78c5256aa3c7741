"""Dispatch policies: who goes to which incident when incidents compete for one team (DESIGN §5,
§12). The engine's team and the quarter's fast path ask the same policy objects."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from mypy_extensions import mypyc_attr

if TYPE_CHECKING:
    from .team import Responder, Team


class Staffing(Protocol):
    """What a dispatch policy asks of a team to place people: the engine's ``Team``, whose
    people are ``Responder`` objects, or the quarter's fast path (``rota.Rota``), whose people
    are slot numbers; incidents are the engine's or the fast path's."""

    open: list[Any]  # detected and not yet restored, in detection order
    waiting: deque[Any]  # detected, nobody dispatched yet (FIFO)

    def idle(self) -> list[Any]: ...
    def preemptible(self) -> Any: ...
    def callable(self) -> Any: ...
    def send(self, person: Any, incident: Any, called_in: bool = False) -> None: ...
    @property
    def wake(self) -> Callable[[], None] | None:
        """Called when people are short (a quarter then watches for shift changes)."""


class Dispatch(Protocol):
    """Decides who goes to which incident; the default follows DESIGN §12."""

    def detected(self, team: Staffing, incident: Any) -> None: ...
    def freed(self, team: Team, responder: Responder) -> None: ...
    def shift(self, team: Staffing) -> None: ...
    def tired(self, team: Team, responder: Responder) -> None: ...
    def place(self, team: Staffing, person: Any) -> bool: ...


def most_staffed(incidents: list[Any]) -> Any:
    """The first incident with the most people on its fix, if more than one."""
    best = None
    for incident in incidents:
        if len(incident.fixers) > 1 and (best is None or len(incident.fixers) > len(best.fixers)):
            best = incident
    return best


@mypyc_attr(allow_interpreted_subclasses=True)  # a policy of one's own may extend it
class DefaultDispatch:
    """DESIGN §12: a new incident takes a free person; failing that, a fixer who is not the last
    on their incident; failing that, someone paged in per the roster; failing that, it waits
    first in, first out. Freed people go to waiting incidents first, then to understaffed ones.

    It asks of ``team`` only ``open``, ``waiting``, ``idle()``, ``send()``, ``preemptible()``,
    ``callable()`` and ``wake``, so the quarter's fast path (``rota.py``) uses it as it is;
    ``freed`` and ``tired`` read responders and serve the engine."""

    def detected(self, team: Staffing, incident: Any) -> None:
        team.open.append(incident)
        idle = team.idle()
        if idle:
            for person in idle[:incident.wanted]:
                team.send(person, incident)
        else:
            person = team.preemptible()
            called_in = person is None
            if called_in:
                person = team.callable()
            if person is None:
                team.waiting.append(incident)
            else:
                team.send(person, incident, called_in=called_in)
        if team.wake is not None and len(incident.staff) < incident.wanted:
            team.wake()

    def freed(self, team: Team, responder: Responder) -> None:
        if not team.roster.on_duty(responder, team.env.now, len(team.responders)):
            return  # off duty: they go home
        self.place(team, responder)

    def tired(self, team: Team, responder: Responder) -> None:
        """Hand over to a fresh, free colleague if there is one (DESIGN §12); the tired person
        leaves once the colleague has arrived and been briefed."""
        now = team.env.now
        fresh = next((r for r in team.idle() if r.efficiency == 1.0
                      or now - r.released_at >= team.rest_minutes), None)
        incident = responder.incident
        if fresh is not None and incident is not None:
            team.send(fresh, incident)
            fresh.relieves = responder

    def shift(self, team: Staffing) -> None:
        """Business hours began or the on-call person changed: newly available people help."""
        for responder in team.idle():
            if not self.place(team, responder):
                break

    def place(self, team: Staffing, person: Any) -> bool:
        """Send a newly free person where they are needed; whether anywhere was."""
        if team.waiting:
            team.send(person, team.waiting.popleft())
            return True
        for incident in team.open:
            if len(incident.staff) < incident.wanted:
                team.send(person, incident)
                return True
        return False


class CostFirst(DefaultDispatch):
    """Like the default, but freed people go to the waiting incident that costs most per minute."""

    def place(self, team: Staffing, person: Any) -> bool:
        if team.waiting:
            incident = max(team.waiting, key=lambda i: i.model.scenario.cost_per_minute or 0.0)
            team.waiting.remove(incident)
            team.send(person, incident)
            return True
        return super().place(team, person)


DEFAULT_DISPATCH = DefaultDispatch()  # it keeps no state of its own
DISPATCH = {"default": DefaultDispatch, "cost-first": CostFirst}  # a portfolio's dispatch names
