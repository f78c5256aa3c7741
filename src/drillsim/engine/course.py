"""The fast path (DESIGN §6): a single outage under a built-in strategy, followed without SimPy.

An incident alone has its own team, so nobody competes for its people. Under fix-only,
fix-plus-workaround, escalate-after or workaround-first its course is then a short sequence of
events — arrivals, finished work, a requested wake-up — that this module follows directly: the
same events in the same order (ties broken in the order the engine schedules them), the same
``Work`` arithmetic, service levels and metrics, and the strategy's own ``decide``, reading the
course itself as its view (the few members the built-ins use), without environments or
responders. It gives
the engine's numbers to the bit; the tests check that on many scenarios. Where it could not be
sure — a vendor owns the fix, a strategy it does not know, a course the engine would reject — it
declines (returns None) and the SimPy engine runs that replication.
"""

from __future__ import annotations

import math
from heapq import heappop, heappush
from itertools import count
from typing import Any

from ..draws import IncidentDraws
from ..strategies import FIX as FIXING
from ..strategies import EscalateAfter, FixOnly, FixPlusWorkaround, WorkaroundFirst
from .clock import wake_delay
from .incident import Model
from .outcome import Outcome, ServiceLevels, outcome
from .work import Work, fix_rate

FIX = -1  # a person's task: FIX, an option's index, or None
ARRIVE, FIXED, FOUND, WAKE, TIRE = range(5)
BUILT_IN = (FixOnly, FixPlusWorkaround, EscalateAfter, WorkaroundFirst)


def supports(model: Model, strategy) -> bool:
    """Whether the fast path can follow this scenario under this strategy."""
    return not model.external and type(strategy) in BUILT_IN


class People:
    """Who is doing what, by person: an outage's own team, or a quarter's shared one. A person
    is on one incident at a time, so incidents sharing a team share these lists. People tire
    after ``fatigue_after`` minutes of work, then work at ``fatigued`` efficiency; the team's
    one fatigue timer goes on the agenda its outages share (``arm``)."""

    __slots__ = ("arrived_at", "busy_since", "efficiency", "events", "fatigue_after",
                 "fatigue_due", "fatigued", "order", "present", "task", "worked", "working_since")

    def __init__(self, size: int, fatigue_after: float, fatigued: float, events: list[tuple],
                 order: count) -> None:
        """``events`` and ``order``: the agenda the team's fatigue timer goes on."""
        self.fatigue_after, self.fatigued = fatigue_after, fatigued
        self.events, self.order = events, order
        self.task: list[int | None] = [None] * size  # FIX, an option's index, or None
        self.present = [False] * size  # arrived at their incident
        self.arrived_at = [0.0] * size
        self.busy_since = [0.0] * size  # start of the current task
        self.working_since: list[float | None] = [None] * size  # start of the work stretch
        self.worked = [0.0] * size  # minutes worked in earlier stretches since a proper rest
        self.efficiency = [1.0] * size
        self.fatigue_due = math.inf  # when the team's one fatigue timer next fires

    def arm(self, now: float, due: float) -> None:
        """Set the team's one fatigue timer for ``due``, superseding any earlier setting: one
        timer for the next person to tire, not one per person, as most outages end long
        before anyone tires."""
        self.fatigue_due = due
        heappush(self.events,
                 (now + wake_delay(now, 0.0, due), next(self.order), TIRE, None, due, None, 0))

    def start_work(self, person: int, now: float) -> None:
        """``person``'s work clock starts; the timer is brought forward if they tire first."""
        self.working_since[person] = now
        due = self.due(person)
        if due < self.fatigue_due:
            self.arm(now, due)

    def due(self, person: int) -> float:
        """When ``person`` tires: their work stretch reaches the limit (inf if not working or
        tired already)."""
        since = self.working_since[person]
        if since is None or self.efficiency[person] < 1.0:
            return math.inf
        return since + self.fatigue_after - self.worked[person]

    def next_due(self) -> float:
        """When the next person tires: the least ``due`` (inf if nobody will)."""
        first, after = math.inf, self.fatigue_after
        for since, worked, efficiency in zip(self.working_since, self.worked, self.efficiency,
                                             strict=True):
            if since is not None and efficiency >= 1.0 and since + after - worked < first:
                first = since + after - worked
        return first


class Course(ServiceLevels):
    """One outage's course; ``run`` gives its ``Outcome``, or None to leave it to the engine.

    Alone it has its own team and its own agenda of events; in a quarter (``rota.py``)
    many share them. ``clock`` is absolute time, as the engine's environment keeps it; ``now``
    is minutes since onset, as a strategy and the service levels read it.
    """

    __slots__ = ("arrived_at", "attempt", "best", "busy_since", "clock", "draws", "efficiency",
                 "events", "finished", "fix", "fixers", "holds", "names", "order",
                 "people", "present", "staff", "staff_minutes", "start", "status", "strategy",
                 "succeeded", "task", "wakes", "work", "worker", "working_since")

    def __init__(self, model: Model, draws: IncidentDraws, strategy, people: People | None = None,
                 events: list[tuple] | None = None, order: count | None = None,
                 start: float = 0.0) -> None:
        self.model, self.draws, self.strategy = model, draws, strategy
        self.events = [] if events is None else events
        self.order = order or count(1)
        self.people = people = people or People(
            model.wanted, model.fatigue_after, model.fatigued_efficiency, self.events, self.order)
        self.task, self.present, self.arrived_at = people.task, people.present, people.arrived_at
        self.busy_since, self.efficiency = people.busy_since, people.efficiency
        self.working_since = people.working_since
        self.start = self.clock = start
        self.staff: list[int] = []  # people sent here, in the order they were paged
        self.status = model.statuses.copy()
        self.worker: list[Any] = [None] * len(self.status)  # an option's person, or None
        self.work: list[Any] = [None] * len(self.status)  # an option's Work, or None
        self.names = model.option_names
        self.fixers: list[int] = []
        plan, self.holds = draws.attempt(0)
        self.fix = Work(plan, start)
        self.attempt = 0
        self._start_service(model)
        self.best = 0.0
        self.succeeded = False
        self.finished = False
        self.staff_minutes = 0.0
        self.wakes: set[float] = set()

    @property
    def now(self) -> float:
        """Minutes since onset."""
        return self.clock - self.start

    def run(self) -> Outcome | None:
        draws, events = self.draws, self.events
        self.clock = now = 0.0 + draws.detect  # everyone is paged at detection
        self.staff = list(range(len(self.task)))
        for k in self.staff:
            self._at(now + draws.response(k, draws.business), ARRIVE, k)
        while events:
            self.clock, _, kind, _, a, b, token = heappop(events)
            if kind == ARRIVE:
                self._arrived(a)
            elif kind == FIXED:
                if a is self.fix and token == a.token and self._attempt_done():
                    return self._end()
            elif kind == FOUND:
                if b is self.work[a] and token == b.token:
                    self._option_done(a)
            elif kind == WAKE:
                self._decide()
            elif a == self.people.fatigue_due:
                self._tire()
        return None  # the fix was left unstaffed: the engine reports that strategy's error

    def _at(self, time: float, kind: int, a=None, b=None, token: int = 0) -> None:
        """Schedule an event of this course; ties run in the order scheduled, as in SimPy."""
        heappush(self.events, (time, next(self.order), kind, self, a, b, token))

    def _arrived(self, person: int) -> None:
        self.present[person] = True
        self.arrived_at[person] = self.clock
        self._decide()

    # -- the strategy, asked as the engine asks it -------------------------------------------
    def _decide(self) -> None:
        result = self.strategy.decide(self)
        if not result:
            return
        if type(result) is not dict:  # a Decision: also wake me at ask_at
            at = result.ask_at
            if at is not None and at > self.now and at not in self.wakes:
                self.wakes.add(at)
                self._at(self.clock + wake_delay(self.clock, self.start, at), WAKE)
            result = result.assign
        fix_changed = False
        task, option_of = self.task, self.model.option_of
        for person, assigned in result.items():
            new = FIX if assigned is FIXING else option_of[assigned.option]
            if task[person] == new:
                continue
            if task[person] is not None:
                fix_changed |= self._leave(person)
            fix_changed |= self._join(person, new)
        if fix_changed:
            self._retime_fix()

    # -- what a built-in strategy reads of the view (people are their indices) -----------------
    @property
    def detected_at(self) -> float:
        return self.draws.detect

    @property
    def free(self) -> list[int]:
        task, present = self.task, self.present
        return [k for k in self.staff if task[k] is None and present[k]]

    def fixers_newest_first(self) -> list[int]:
        arrived_at = self.arrived_at
        return sorted(self.fixers, key=lambda k: -arrived_at[k])

    @property
    def on_workaround(self) -> list[int]:
        return [self.worker[j] for j, s in enumerate(self.status) if s == "working"]

    @property
    def untried_options(self) -> list[str]:
        return [self.names[j] for j, s in enumerate(self.status) if s == "untried"]

    @property
    def workaround_succeeded(self) -> bool:
        return self.succeeded

    @property
    def service_level(self) -> float:
        return self.level

    @property
    def mbco(self) -> float:
        return self.model.scenario.mbco

    # -- people and work -------------------------------------------------------------------
    def _leave(self, person: int) -> bool:
        task = self.task[person]
        if task is None:
            return False
        self.staff_minutes += self.clock - self.busy_since[person]
        self.task[person] = None
        if task == FIX:
            self.fixers.remove(person)
            return True
        if self.worker[task] == person:
            if self.status[task] == "working":
                self.status[task] = "abandoned"
                self.work[task].token += 1
            self.worker[task] = None
        return False

    def _join(self, person: int, task: int) -> bool:
        now = self.clock
        self.task[person] = task
        self.busy_since[person] = now
        if self.working_since[person] is None:  # the work clock starts
            self.people.start_work(person, now)
        if task == FIX:
            self.fixers.append(person)
            return True
        self.status[task], self.worker[task] = "working", person
        self.work[task] = Work(self.draws.option_work(task), now)
        self._retime_option(task)
        return False

    def _retime_option(self, option: int) -> None:
        work = self.work[option]
        delay = work.set_rate(self.clock, self.efficiency[self.worker[option]])
        self._at(self.clock + delay, FOUND, option, work, work.token)

    def _retime_fix(self, rate: float | None = None) -> None:
        """Re-time the fix at ``rate``, or at the rate its fixers give (a vendor's fix keeps its
        own pace whoever liaises)."""
        if rate is None:
            if self.model.external:
                return
            efficiency = self.efficiency
            rate = fix_rate([efficiency[k] for k in self.fixers], self.model.alpha)
        fix = self.fix
        delay = fix.set_rate(self.clock, rate)
        if delay is not None:
            self._at(self.clock + delay, FIXED, fix, None, fix.token)

    def _attempt_done(self) -> bool:
        """A repair attempt is done: whether it holds; if not, the next attempt begins."""
        if self.holds:
            return True
        self.attempt += 1
        plan, self.holds = self.draws.attempt(self.attempt)
        rate = self.fix.rate
        self.fix = Work(plan, self.clock, rate)
        self._retime_fix(rate)
        self._decide()
        return False

    def _option_done(self, option: int) -> None:
        person = self.worker[option]
        spec = self.model.scenario.workarounds[option]
        if self.draws.succeeds(option):
            self.status[option] = "active"
            self.succeeded = True
            if spec.coverage > self.best:
                self.best = spec.coverage
                self._set_level(1 - self.model.scenario.severity * (1 - self.best), spec.name)
            if spec.holds_staff:
                self._decide()
                return
        else:
            self.status[option] = "failed"
        self.worker[option] = None
        self.staff_minutes += self.clock - self.busy_since[person]
        self.task[person] = None
        self._decide()

    # -- fatigue, as the team's one timer runs it -----------------------------------------------
    def _tire(self) -> None:
        """Whoever has worked long enough slows down."""
        people = self.people
        people.fatigue_due = math.inf
        for person in range(len(self.task)):
            if people.due(person) <= self.clock:
                self.efficiency[person] = people.fatigued
                self._tired(person)
        due = people.next_due()
        if due < math.inf:
            people.arm(self.clock, due)

    def _tired(self, person: int) -> None:
        """``person`` has slowed down: their work is re-timed, then a decision."""
        task = self.task[person]
        if task == FIX:
            self._retime_fix()
        elif task is not None and self.worker[task] == person and self.status[task] == "working":
            self._retime_option(task)
        self._decide()

    def _end(self) -> Outcome:
        """Restored: the outcome."""
        self.finished = True
        clock = self.clock
        self._set_level(1.0, "fix")
        staff = self.staff_minutes
        task, busy_since = self.task, self.busy_since
        for person in self.staff:
            if task[person] is not None:
                staff += clock - busy_since[person]
        return outcome(self.model, self.draws, self.levels, self.now, staff, self.resumed_at,
                       self.mitigated_at, self.mitigated_by, self.attempt + 1)


def follow(model: Model, draws: IncidentDraws, strategy) -> Outcome | None:
    """The outcome of one replication by the fast path, or None where the engine must run it."""
    course = Course(model, draws, strategy)
    result = course.run()
    course.events.clear()  # its events refer to it: freed by reference counting, not the collector
    return result
