"""The people: who is on duty when, who goes to which incident, and how tired they are.

A single incident has its own team, all on call for it. A quarter shares one team across every
incident: business hours on site, one person on call after hours, a few more who can be paged in,
and a dispatch policy that decides who goes where when incidents compete (DESIGN §5, §12).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..week import MINUTES_PER_DAY, MINUTES_PER_WEEK, Week
from .clock import Clock, wake_delay
from .dispatch import DEFAULT_DISPATCH, Dispatch, most_staffed

if TYPE_CHECKING:
    from .incident import Incident


class Responder:
    """One person of the team; times are absolute simulation minutes."""

    __slots__ = ("after_hours_minutes", "arrived_at", "busy_since", "called_in", "efficiency",
                 "engaged_minutes", "engaged_since", "incident", "name", "overtime_minutes",
                 "present", "released_at", "relieves", "slot", "task", "worked", "working_since")

    def __init__(self, slot: int, name: str) -> None:
        self.slot, self.name = slot, name
        self.incident: Incident | None = None
        self.task = None
        self.present = False  # arrived at their incident
        self.arrived_at: float | None = None
        self.busy_since = 0.0  # start of the current task
        self.engaged_since = 0.0  # paged to the current incident
        self.called_in = False  # paged in after hours beyond the on-call person
        self.relieves: Responder | None = None  # a tired colleague this person takes over from
        self.working_since: float | None = None  # start of the current stretch of work
        self.worked = 0.0  # minutes worked in earlier stretches since the last proper rest
        self.released_at = -math.inf
        self.efficiency = 1.0
        self.engaged_minutes = self.after_hours_minutes = self.overtime_minutes = 0.0


class Roster:
    """Who may be dispatched when.

    ``always``: everyone at any hour (a single incident's own team). Otherwise everyone on site in
    business hours, after hours the on-call person (rotating weekly through the team) plus up to
    ``page_extra`` people paged in. ``offset`` places simulation time 0 in the week.
    """

    def __init__(self, week: Week, offset: float, always: bool = False, page_extra: int = 0,
                 rotation_minutes: float = MINUTES_PER_WEEK) -> None:
        self.week, self.offset, self.always = week, offset, always
        self.page_extra, self.rotation_minutes = page_extra, rotation_minutes

    def business(self, t: float) -> bool:
        """Whether ``t`` is in business hours (the response class at paging)."""
        return self.week.business_at(self.offset + t)

    def on_call(self, t: float, size: int) -> int:
        """The slot of the person on call at ``t``."""
        return int(t // self.rotation_minutes) % size

    def on_duty(self, responder: Responder, t: float, size: int) -> bool:
        return self.always or self.business(t) or responder.slot == self.on_call(t, size)

    def next_change(self, now: float) -> float:
        """When, after ``now``, business hours next begin or the on-call person next changes.

        The change is the first time ``on_call`` reads the next slot: with a rotation that is not
        a whole float, ``k × rotation`` can round to just before it (even to ``now``, which once
        woke dispatch at the same instant for ever), so it moves up to the first that does."""
        k = now // self.rotation_minutes + 1
        rotation = k * self.rotation_minutes
        while rotation // self.rotation_minutes < k:
            rotation = math.nextafter(rotation, math.inf)
        week = self.week
        day = int((self.offset + now) // MINUTES_PER_DAY)
        for d in range(day, day + 8):
            opens = d * MINUTES_PER_DAY + week.business_start - self.offset
            if opens > now and d % 7 in week.business_days:
                return min(rotation, opens)
        return rotation

    def duty(self, t: float, size: int) -> Callable[[Responder], bool]:
        """Who is on duty at ``t``, worked out once for many people."""
        if self.always or self.business(t):
            return lambda responder: True
        on_call = self.on_call(t, size)
        return lambda responder: responder.slot == on_call


class Team:
    """The responders shared by incidents, with the roster and the dispatch policy."""

    def __init__(self, env: Clock, names: list[str], roster: Roster,
                 dispatch: Dispatch | None = None, fatigue_after: float = math.inf,
                 fatigued_efficiency: float = 1.0, rest_minutes: float = 0.0,
                 shared: bool = True, handover_minutes: float = 0.0) -> None:
        """``shared``: incidents compete for this team (a quarter); a single incident's own team
        is not shared, and nothing needs placing when its outage ends."""
        self.env, self.roster, self.shared = env, roster, shared
        self.dispatch = dispatch or DEFAULT_DISPATCH
        self.responders = [Responder(i, name) for i, name in enumerate(names)]
        self.fatigue_after, self.fatigued_efficiency = fatigue_after, fatigued_efficiency
        self.rest_minutes, self.handover_minutes = rest_minutes, handover_minutes
        self._fatigue_due = math.inf  # when the fatigue timer next fires
        self.wake: Callable[[], None] | None = None  # called when people are short (a quarter
        # then watches for shift changes that bring more)
        self.waiting: deque[Incident] = deque()  # detected, nobody dispatched yet (FIFO)
        self.open: list[Incident] = []  # detected and not yet restored, in detection order

    # -- availability ------------------------------------------------------------------------
    def idle(self) -> list[Responder]:
        """People on duty and on no incident, in slot order."""
        on_duty = self.roster.duty(self.env.now, len(self.responders))
        return [r for r in self.responders if r.incident is None and on_duty(r)]

    def short(self) -> bool:
        """Whether an incident waits for its first person or has fewer than it calls for."""
        return bool(self.waiting) or any(len(i.staff) < i.wanted for i in self.open)

    def callable(self) -> Responder | None:
        """Someone off duty who may be paged in after hours (within ``page_extra``)."""
        if sum(r.called_in for r in self.responders) >= self.roster.page_extra:
            return None
        return next((r for r in self.responders if r.incident is None), None)

    def preemptible(self) -> Responder | None:
        """A fixer who is not the last on their incident: the newest on the most staffed fix."""
        best = most_staffed(self.open)
        return None if best is None else max(best.fixers, key=lambda r: r.arrived_at)

    # -- moving people -----------------------------------------------------------------------
    def send(self, responder: Responder, incident: Incident, called_in: bool = False) -> None:
        """Page ``responder`` to ``incident`` (taking them off any other first)."""
        if responder.incident is not None:
            self.withdraw(responder)
        now = self.env.now
        if now - responder.released_at >= self.rest_minutes:
            self.rest(responder)  # rested long enough: a fresh start
        responder.called_in = called_in
        responder.engaged_since = now
        incident.page(responder)

    def withdraw(self, responder: Responder) -> None:
        """Take ``responder`` off their incident and account for the time engaged."""
        incident, now = responder.incident, self.env.now
        incident.remove(responder)
        engaged = now - responder.engaged_since
        responder.engaged_minutes += engaged
        if not self.roster.always:
            outside = engaged - self.roster.week.business_minutes(
                self.roster.offset + responder.engaged_since, self.roster.offset + now)
            if outside < 0.0:  # not below nothing: both sides are rounded, each its own way
                outside = 0.0
            responder.after_hours_minutes += outside
            if responder.called_in or responder.slot != self.roster.on_call(
                    responder.engaged_since, len(self.responders)):
                responder.overtime_minutes += outside
        responder.incident, responder.present, responder.called_in = None, False, False
        responder.relieves = None
        responder.released_at = now
        if responder.working_since is not None:  # time off an incident is not work
            responder.worked += now - responder.working_since
            responder.working_since = None

    def release(self, responder: Responder) -> None:
        """An incident no longer needs ``responder``: free them and let dispatch place them."""
        self.withdraw(responder)
        self.dispatch.freed(self, responder)

    # -- fatigue -----------------------------------------------------------------------------
    def hours_worked(self, responder: Responder) -> float:
        """Work since the last proper rest, in hours (breaks shorter than a rest don't count)."""
        current = 0.0 if responder.working_since is None else self.env.now - responder.working_since
        return (responder.worked + current) / 60

    def start_work(self, responder: Responder) -> None:
        """Start the work clock if it is not running."""
        if responder.working_since is None:
            now = responder.working_since = self.env.now
            due = now + self.fatigue_after - responder.worked
            if due < self._fatigue_due and responder.efficiency == 1.0:
                self._fatigue_at(due)

    def rest(self, responder: Responder) -> None:
        """A stated rest (or a long enough break) resets fatigue."""
        responder.working_since = None
        responder.worked = 0.0
        responder.efficiency = 1.0

    def _fatigue_at(self, due: float) -> None:
        """One timer for the next person to tire, not one per person: most outages end long
        before anyone does."""
        self._fatigue_due = due
        self.env.call_in(wake_delay(self.env.now, 0.0, due), self._tire, due)

    def _due(self, responder: Responder) -> float:
        if responder.working_since is None or responder.efficiency < 1.0:
            return math.inf
        return responder.working_since + self.fatigue_after - responder.worked

    def _tire(self, due: float) -> None:
        if due != self._fatigue_due:
            return  # superseded by an earlier one
        self._fatigue_due = math.inf
        now = self.env.now
        for responder in self.responders:
            if self._due(responder) <= now:
                responder.efficiency = self.fatigued_efficiency
                if responder.incident is not None:
                    responder.incident.tired(responder)
                    self.dispatch.tired(self, responder)
        due = min(map(self._due, self.responders))
        if due < math.inf:
            self._fatigue_at(due)
