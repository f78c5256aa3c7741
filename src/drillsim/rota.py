"""The fast path for a quarter (DESIGN §5, §6): its outages' courses on one shared team, without
SimPy.

``quarter.Quarter`` runs a quarter on the engine: incidents, responders and a dispatch policy in
a SimPy environment. Under a built-in strategy, ``Rota`` follows the same events in the same
order — one agenda keyed by time and scheduling order, as SimPy keys its queue — with each
outage a ``Course`` (``engine/course.py``) on shared lists of people, and the team's rules as
``engine/team.py`` has them: the dispatch policy's own code (``engine/dispatch.py``) decides who
goes where (the rota is the team it asks), and the rota keeps the roster, paging, hand-over,
fatigue across incidents and the hours worked. It gives the engine's numbers to the bit; the
tests check that on many portfolios. Where it could not be sure (a strategy it does not know, a
quarter the engine would reject) it declines and the engine runs that quarter.
"""

from __future__ import annotations

import math
from collections import deque
from heapq import heappop, heappush
from itertools import count
from typing import Any

from mypy_extensions import mypyc_attr

from .engine.course import ARRIVE, BUILT_IN, FIXED, FOUND, TIRE, WAKE, Course, People
from .engine.dispatch import DISPATCH, most_staffed
from .engine.outcome import Outcome
from .week import MINUTES_PER_DAY

DETECT, HANDOVER, SHIFT = range(5, 8)  # beside the course's own kinds


@mypyc_attr(allow_interpreted_subclasses=True)
class Tally:
    """A quarter's metrics (``QuarterModel.columns``) and per-incident rows, from ``qmodel``,
    ``incidents`` as (system, onset, incident with ``outcome`` and ``waited``), ``merged`` and
    ``minutes()``; the engine's quarter and the fast path keep the same record."""

    __slots__ = ()
    qmodel: Any  # the portfolio compiled (quarter.QuarterModel)
    incidents: list[tuple[int, float, Any]]
    merged: int

    def minutes(self) -> tuple[list[float], list[float], list[float]]:
        """Minutes each person was engaged, engaged after hours, and on overtime."""
        raise NotImplementedError

    def totals(self) -> tuple[float, ...]:
        qmodel = self.qmodel
        cim = [0.0] * len(qmodel.systems)
        cost = customers = waiting = 0.0
        rto_met = rto_total = breaches = waited = 0
        for system, _, incident in self.incidents:
            outcome = incident.outcome
            cim[system] += outcome.customer_impact_minutes
            cost += outcome.cost
            customers += outcome.customers_affected
            waiting += incident.waited
            waited += incident.waited > 0
            if not math.isnan(outcome.rto_met):
                rto_total += 1
                rto_met += int(outcome.rto_met)
            breaches += outcome.mtpd_breached == 1.0
        engaged, after_hours, overtime = self.minutes()
        size = len(qmodel.names)
        period = qmodel.portfolio.period.minutes
        return (len(self.incidents), self.merged, cost if qmodel.costed else math.nan, customers,
                *cim, rto_met, rto_total, breaches, waiting, waited, sum(engaged) / 60,
                sum(engaged) / (size * period), sum(after_hours) / 60, sum(overtime) / 60)

    def record(self, keep: bool) -> tuple[tuple[float, ...], list[tuple[Any, ...]]]:
        """The quarter's metrics and, if ``keep``, one row per incident."""
        return self.totals(), self.rows() if keep else []

    def rows(self) -> list[tuple[Any, ...]]:
        """One row per incident: system, onset, wait for a first person, and its outcome."""
        return [(self.qmodel.systems[system], time, incident.waited, *incident.outcome)
                for system, time, incident in self.incidents]


def rota_supports(strategy) -> bool:
    """Whether the fast path can follow quarters under this strategy (dispatch policies and
    portfolios it follows all)."""
    return type(strategy) in BUILT_IN


class Outage(Course):
    """One incident of a quarter: its course, on the quarter's people and agenda."""

    __slots__ = ("detected", "outcome", "paged", "system", "waited", "wanted")
    outcome: Outcome  # once restored

    def __init__(self, rota: Rota, system: int, model, draws, start: float) -> None:
        super().__init__(model, draws, rota.strategy, rota.people, rota.events, rota.order, start)
        self.system = system
        self.wanted = rota.qmodel.wanted[system]
        self.paged = 0  # pagings so far: the k-th reads the k-th response draw
        self.waited: float | None = None  # detection to the first person sent
        self.detected = 0.0  # when detected (absolute)

    def remove(self, person: int) -> None:
        """``person`` leaves before the end (sent elsewhere, or handed over)."""
        if self._leave(person):
            self._retime_fix()
        self.staff.remove(person)


class Rota(Tally):
    """One quarter under one strategy, followed directly; ``follow`` gives its record."""

    __slots__ = ("after_hours", "arrivals", "called_in", "clock", "dispatch", "engaged",
                 "engaged_since", "events", "handover_minutes",
                 "hours", "incident", "incidents", "merge", "merged", "offset", "open",
                 "open_by_system", "order", "overtime", "page_extra", "pending", "people",
                 "qmodel", "released_at", "relieves", "rest_minutes", "roster", "rotation",
                 "shift_pending", "size", "strategy", "waiting", "week")

    def __init__(self, qmodel, arrivals: list, strategy) -> None:
        self.qmodel, self.arrivals, self.strategy = qmodel, arrivals, strategy
        portfolio = qmodel.portfolio
        team = portfolio.team
        self.size = size = len(qmodel.names)
        self.events: list[tuple] = []
        self.order = count(1)
        self.people = People(size, qmodel.fatigue_after, qmodel.fatigued_efficiency, self.events,
                             self.order)
        self.incident: list[Outage | None] = [None] * size
        self.engaged_since = [0.0] * size
        self.called_in = [False] * size  # paged in after hours beyond the on-call person
        self.relieves: list[int | None] = [None] * size  # a tired colleague being relieved
        self.released_at = [-math.inf] * size
        self.engaged = [0.0] * size
        self.after_hours = [0.0] * size
        self.overtime = [0.0] * size
        self.roster = roster = qmodel.roster()
        self.week, self.offset = roster.week, roster.offset
        self.hours = (0.0, 0.0, False)  # a stretch of week time and whether it is business hours
        self.rotation, self.page_extra = roster.rotation_minutes, roster.page_extra
        self.rest_minutes = team.rest_hours * 60
        self.handover_minutes = team.handover_minutes
        self.dispatch = DISPATCH[portfolio.dispatch]()
        self.merge = portfolio.merge_concurrent
        self.clock = 0.0
        self.open: list[Outage] = []  # detected and not yet restored, in detection order
        self.waiting: deque[Outage] = deque()  # detected, nobody dispatched yet (FIFO)
        self.open_by_system: dict[int, Outage] = {}
        self.incidents: list[tuple[int, float, Outage]] = []
        self.pending = len(arrivals)
        self.merged = 0
        self.shift_pending = False

    def minutes(self) -> tuple[list[float], list[float], list[float]]:
        return self.engaged, self.after_hours, self.overtime

    def follow(self, keep: bool) -> tuple[tuple[float, ...], list[tuple[Any, ...]]] | None:
        """The quarter's record (``Tally.record``), or None if a course was left unstaffed: the
        engine then runs it, and reports the strategy's error."""
        self._run()
        result = None if self.pending else self.record(keep)
        self.events.clear()  # its events refer to the outages: freed by reference counting, not
        return result  # the garbage collector

    def _run(self) -> None:
        events, incident, arrivals = self.events, self.incident, iter(self.arrivals)
        onset = next(arrivals, None)  # the engine queues onsets first: at a tie they come first
        while self.pending:
            if onset is not None and (not events or onset.time <= events[0][0]):
                self.clock = onset.time
                self._begin(onset)
                onset = next(arrivals, None)
                continue
            if not events:
                return  # nothing left to happen: a fix is left unstaffed
            clock, _, kind, outage, a, b, token = heappop(events)
            self.clock = clock
            if outage is not None:
                if outage.finished:
                    continue  # restored: whatever it had coming is void (its detection, if a
                    # vendor fixed it first, and the work of options nobody abandoned)
                outage.clock = clock
            if kind == FIXED:
                if a is outage.fix and token == a.token and outage._attempt_done():
                    self._restored(outage)
            elif kind == ARRIVE:
                if incident[a] is outage:
                    tired = self.relieves[a]  # a tired colleague: briefed, then off to rest
                    if tired is not None and incident[tired] is outage:
                        self._at(clock + self.handover_minutes, HANDOVER, outage, tired)
                    outage._arrived(a)
            elif kind == DETECT:
                outage.detected = clock
                self.dispatch.detected(self, outage)
            elif kind == TIRE:
                if a == self.people.fatigue_due:
                    self._tire()
            elif kind == FOUND:
                if b is outage.work[a] and token == b.token:
                    outage._option_done(a)
            elif kind == WAKE:
                outage._decide()
            elif kind == HANDOVER:
                if incident[a] is outage:
                    self._release(a)
            else:
                self._shift()

    def _at(self, time: float, kind: int, outage: Outage | None = None, a=None) -> None:
        heappush(self.events, (time, next(self.order), kind, outage, a, None, 0))

    # -- incidents coming and going -----------------------------------------------------------
    def _begin(self, arrival) -> None:
        if self.merge and arrival.system in self.open_by_system:
            self.merged += 1  # the system is already down: this is the same outage
            self.pending -= 1
            return
        outage = Outage(self, arrival.system, self.qmodel.models[arrival.system], arrival.draws,
                        self.clock)
        self.open_by_system[arrival.system] = outage
        self.incidents.append((arrival.system, arrival.time, outage))
        self._at(self.clock + arrival.draws.detect, DETECT, outage)
        if outage.model.external:  # a vendor works from onset at its own pace; staff only liaise
            outage._retime_fix(1.0)

    def _restored(self, outage: Outage) -> None:
        if outage.waited is None:  # a vendor's fix ended it before anyone was sent
            outage.waited = max(self.clock - outage.start - outage.draws.detect, 0.0)
        outage.outcome = outage._end()
        if outage in self.open:
            self.open.remove(outage)
        if outage in self.waiting:
            self.waiting.remove(outage)
        for person in outage.staff:
            self._release(person)
        if self.open_by_system.get(outage.system) is outage:
            del self.open_by_system[outage.system]
        self.pending -= 1

    # -- the roster -----------------------------------------------------------------------------
    def business(self, t: float) -> bool:
        """Whether ``t`` is in business hours (``Week.business_at``). The answer holds for a
        stretch of the day — before opening, open, after closing — and most questions come
        within the stretch of the last."""
        at = self.offset + t
        low, high, business = self.hours
        if low <= at < high:
            return business
        week = self.week
        day, minute = divmod(at, MINUTES_PER_DAY)
        day_start = day * MINUTES_PER_DAY
        if int(day) % 7 not in week.business_days:
            low, high, business = day_start, day_start + MINUTES_PER_DAY, False
        elif minute < week.business_start:
            low, high, business = day_start, day_start + week.business_start, False
        elif minute < week.business_end:
            low, high, business = (day_start + week.business_start,
                                   day_start + week.business_end, True)
        else:
            low, high, business = day_start + week.business_end, day_start + MINUTES_PER_DAY, False
        self.hours = low, high, business
        return business

    def _business_minutes(self, start: float, stop: float) -> float:
        """``Week.business_minutes``, the same to the bit; within one stretch of the day, read
        off it."""
        low, high, business = self.hours
        if low <= start and stop < high:
            return stop - start if business else 0.0
        return self.week.business_minutes(start, stop)

    def _on_call(self, t: float) -> int:
        return int(t // self.rotation) % self.size

    def _short(self) -> bool:
        return bool(self.waiting) or any(len(o.staff) < o.wanted for o in self.open)

    # -- moving people --------------------------------------------------------------------------
    def send(self, person: int, outage: Outage, called_in: bool = False) -> None:
        """Page ``person`` to ``outage`` (taking them off any other first)."""
        if self.incident[person] is not None:
            self._withdraw(person)
        clock = self.clock
        if clock - self.released_at[person] >= self.rest_minutes:
            self._rest(person)
        self.called_in[person] = called_in
        self.engaged_since[person] = clock
        self.incident[person] = outage
        if outage.waited is None:
            outage.waited = clock - outage.detected
        # they arrive after their business- or after-hours response
        delay = outage.draws.response(outage.paged, self.business(clock))
        outage.paged += 1
        self.people.present[person] = False
        self.people.task[person] = None
        outage.staff.append(person)
        self._at(clock + delay, ARRIVE, outage, person)

    def _withdraw(self, person: int) -> None:
        """Take ``person`` off their incident and account for the time engaged."""
        outage, clock = self.incident[person], self.clock
        assert outage is not None, "only someone on an incident is withdrawn"
        if outage.finished:  # restored: its staff stay on its record, their tasks end
            self.people.task[person] = None
        else:
            outage.clock = clock
            outage.remove(person)
        since = self.engaged_since[person]
        engaged = clock - since
        self.engaged[person] += engaged
        outside = engaged - self._business_minutes(self.offset + since, self.offset + clock)
        if outside > 0.0:  # never below nothing (as the engine's team), and nothing adds nothing
            self.after_hours[person] += outside
            if self.called_in[person] or person != self._on_call(since):
                self.overtime[person] += outside
        self.incident[person] = None
        self.people.present[person] = self.called_in[person] = False
        self.relieves[person] = None
        self.released_at[person] = clock
        people = self.people
        working_since = people.working_since[person]
        if working_since is not None:  # time off an incident is not work
            people.worked[person] += clock - working_since
            people.working_since[person] = None

    def _release(self, person: int) -> None:
        """An incident no longer needs ``person``: free them and place them if on duty."""
        self._withdraw(person)
        if self.business(self.clock) or person == self._on_call(self.clock):
            self.dispatch.place(self, person)

    def _rest(self, person: int) -> None:
        people = self.people
        people.working_since[person] = None
        people.worked[person] = 0.0
        people.efficiency[person] = 1.0

    # -- what the dispatch policy asks of a team (engine/dispatch.py) ---------------------------
    def idle(self) -> list[int]:
        """People on duty and on no incident, in slot order."""
        incident = self.incident
        if self.business(self.clock):
            return [p for p in range(self.size) if incident[p] is None]
        on_call = self._on_call(self.clock)
        return [on_call] if incident[on_call] is None else []

    def preemptible(self) -> int | None:
        """A fixer who is not the last on their incident: the newest on the most staffed fix."""
        best = most_staffed(self.open)
        if best is None:
            return None
        arrived_at = self.people.arrived_at
        return max(best.fixers, key=lambda p: arrived_at[p])

    def callable(self) -> int | None:
        """Someone off duty who may be paged in after hours (within ``page_extra``)."""
        if sum(self.called_in) >= self.page_extra:
            return None
        return next((p for p in range(self.size) if self.incident[p] is None), None)

    # -- shifts ---------------------------------------------------------------------------------
    def wake(self) -> None:
        """People are short: wake dispatch when business hours begin or the on-call person
        changes, for as long as they are short."""
        if not self.shift_pending:
            self.shift_pending = True
            self._next_shift()

    def _next_shift(self) -> None:
        now = self.clock
        self._at(now + (self.roster.next_change(now) - now), SHIFT)

    def _shift(self) -> None:
        if not self._short():  # the built-in policies (the only ones a portfolio can name)
            # place people only where people are short
            self.shift_pending = False
            return
        self.dispatch.shift(self)
        if self._short():
            self._next_shift()
        else:
            self.shift_pending = False

    # -- fatigue --------------------------------------------------------------------------------
    def _tire(self) -> None:
        """Whoever has worked long enough slows down and, if a fresh colleague is free, is
        relieved (DESIGN §12). Most times the timer fires, whoever it was set for has stopped
        working: then it is only set again."""
        clock, people = self.clock, self.people
        people.fatigue_due = math.inf
        due = people.next_due()
        if due <= clock:
            for person in range(self.size):
                if people.due(person) <= clock:  # as of now: tiring one may move another
                    self._tired(person)
            due = people.next_due()
        if due < math.inf:
            people.arm(clock, due)

    def _tired(self, person: int) -> None:
        people, clock = self.people, self.clock
        people.efficiency[person] = people.fatigued
        outage = self.incident[person]
        if outage is not None:
            outage.clock = clock
            outage._tired(person)
            fresh = next((p for p in self.idle() if people.efficiency[p] == 1.0
                          or clock - self.released_at[p] >= self.rest_minutes), None)
            if fresh is not None:
                self.send(fresh, outage)
                self.relieves[fresh] = person
