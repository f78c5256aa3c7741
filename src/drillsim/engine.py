"""The SimPy outage model: one incident, its responders, the fix and workarounds racing.

Time is minutes from onset. The incident's random inputs arrive fully drawn (``IncidentDraws``);
the engine never touches a generator. Work has *content*, progressing at a rate set by who is on
it, so a staffing change re-times the finish exactly (DESIGN §11). Service level is piecewise
constant between events, and the metrics are exact integrals over its segments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import simpy

from .draws import IncidentDraws
from .scenario import Scenario
from .strategies import FIX, REST, TASK_KINDS, Decision, StrategyError, Task, canonical

METRICS = (
    "customer_impact_minutes", "customers_affected", "time_to_detect", "time_to_mitigate",
    "time_to_resume", "time_to_restore", "rto_met", "mtpd_breached", "staff_minutes", "cost",
    "repair_attempts",
)


class Outcome(NamedTuple):
    """One replication's metrics (DESIGN §3), plus what first improved service."""

    customer_impact_minutes: float
    customers_affected: float
    time_to_detect: float
    time_to_mitigate: float
    time_to_resume: float
    time_to_restore: float
    rto_met: float  # 1.0 / 0.0, NaN where the scenario has no RTO
    mtpd_breached: float
    staff_minutes: float
    cost: float  # NaN where the scenario has no cost per minute
    repair_attempts: int
    mitigated_by: str  # "fix" or the workaround option


@dataclass(frozen=True, slots=True)
class Event:
    """One line of a replication's event log."""

    time: float
    kind: str  # detected, arrived, assigned, phase, repair-failed, workaround, fatigued, restored
    who: str | None
    detail: str
    service_level: float


class Model:
    """A scenario compiled once for fast replications: its week, options and constants."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.week = scenario.week()
        self.names = scenario.team.names
        self.alpha = scenario.team.speedup_exponent
        fatigue = scenario.team.fatigue
        self.fatigue_after = fatigue.after_hours * 60 if fatigue else math.inf
        self.fatigued_efficiency = 1 - fatigue.slowdown if fatigue else 1.0
        self.external = scenario.fix.owner == "external"
        self.phases = [p.name for p in scenario.fix.phases]
        self.floor = 1 - scenario.severity
        self.available = [scenario.available(w) for w in scenario.workarounds]


class _Work:
    """Work content in progress: re-timed whenever its rate changes; stale finishes are ignored."""

    __slots__ = ("rate", "remaining", "since", "token")

    def __init__(self, remaining: float) -> None:
        self.remaining, self.rate, self.since, self.token = remaining, 0.0, 0.0, 0


class _Responder:
    __slots__ = ("arrived", "busy_since", "efficiency", "fatigue_token", "name", "slot",
                 "staff_minutes", "task", "working_since")

    def __init__(self, slot: int, name: str) -> None:
        self.slot, self.name = slot, name
        self.arrived: float | None = None
        self.task: Task | None = None
        self.working_since: float | None = None
        self.busy_since = 0.0
        self.staff_minutes = 0.0
        self.efficiency = 1.0
        self.fatigue_token = 0


class _Option:
    __slots__ = ("available", "index", "name", "spec", "status", "work", "worker")

    def __init__(self, index: int, spec, available: bool) -> None:
        self.index, self.spec, self.name, self.available = index, spec, spec.name, available
        self.status = "untried" if available else "unavailable"
        self.worker: _Responder | None = None
        self.work: _Work | None = None


class Incident:
    """One replication of one outage under one strategy."""

    def __init__(self, model: Model, draws: IncidentDraws, strategy, strategy_name: str = "",
                 log: bool = False) -> None:
        self.model, self.draws, self.strategy = model, draws, strategy
        self.strategy_name = strategy_name or type(strategy).__name__
        self.env = simpy.Environment()
        self.log: list[Event] | None = [] if log else None
        self.responders = [_Responder(i, n) for i, n in enumerate(model.names)]
        self.by_name = {r.name: r for r in self.responders}
        self.options = [_Option(i, w, ok) for i, (w, ok) in
                        enumerate(zip(model.scenario.workarounds, model.available, strict=True))]
        self.by_option = {o.name: o for o in self.options}
        self.fixers: list[_Responder] = []
        self.fix = _Work(0.0)
        self.attempt, self.phase, self.phase_started = 0, 0, 0.0
        self.work_plan, self.repair_holds = draws.attempt(0)
        self.fix.remaining = self.work_plan[0]
        self.level = model.floor
        self.levels: list[tuple[float, float]] = [(0.0, self.level)]
        self.best_coverage = 0.0
        self.succeeded = False
        self.mitigated_at = self.resumed_at = None
        self.mitigated_by = "fix"
        self.wakes: set[float] = set()
        self.memo: dict = {}
        self.done = self.env.event()
        self.view = IncidentView(self)
        if self.level >= model.scenario.mbco:
            self.resumed_at = 0.0

    # -- running ---------------------------------------------------------------------------
    def run(self) -> Outcome:
        env = self.env
        self._at(self.draws.detect, self._detected)
        if self.model.external:  # a vendor works from onset at its own pace; staff only liaise
            self._retime(self.fix, 1.0, self._phase_done)
        try:
            env.run(until=self.done)
        except RuntimeError:  # nothing left to happen, yet the fix is not done
            raise StrategyError(f"strategy {self.strategy_name} left the fix unstaffed at "
                                f"T+{env.now:.1f} min with nothing pending: the outage would "
                                "never end") from None
        self.outcome = self._outcome()
        self.end = env.now
        self.env = self.view = None  # break reference cycles so refcounting frees the run
        return self.outcome

    def _at(self, delay: float, callback, *args) -> None:
        self.env.timeout(delay).callbacks.append(lambda _: callback(*args))

    def _note(self, kind: str, who: str | None, detail: str = "") -> None:
        if self.log is not None:
            self.log.append(Event(self.env.now, kind, who, detail, self.level))

    def _detected(self) -> None:
        self._note("detected", None, f"by {self.draws.detected_by}; all responders paged")
        for responder, delay in zip(self.responders, self.draws.response, strict=True):
            self._at(delay, self._arrived, responder)
        self._decide()

    def _arrived(self, responder: _Responder) -> None:
        responder.arrived = self.env.now
        self._note("arrived", responder.name, "on site" if self.draws.business else "on call")
        self._decide()

    # -- decisions -------------------------------------------------------------------------
    def _decide(self) -> None:
        if self.done.triggered:
            return
        result = self.strategy.decide(self.view)
        if not result:
            return
        if type(result) is not dict and isinstance(result, Decision):
            if result.ask_at is not None and result.ask_at > self.env.now \
                    and result.ask_at not in self.wakes:
                self.wakes.add(result.ask_at)
                self._at(result.ask_at - self.env.now, self._decide)
            result = result.assign
        fix_changed = False
        for name, task in result.items():
            responder = self.by_name.get(name)
            if responder is None or responder.arrived is None:
                state = "does not exist" if responder is None else "has not arrived"
                raise StrategyError(f"strategy {self.strategy_name} at T+{self.env.now:.1f} min "
                                    f"assigned responder {name!r}, who {state}")
            if task.__class__ is not Task or task.kind not in TASK_KINDS:
                raise StrategyError(f"strategy {self.strategy_name} at T+{self.env.now:.1f} min "
                                    f"gave {task!r} for {name}; expected a Task")
            task = canonical(task)
            if responder.task is task:
                continue
            fix_changed |= self._leave(responder)
            fix_changed |= self._join(responder, task)
        if fix_changed and not self.model.external:
            self._retime(self.fix, self._fix_rate(), self._phase_done)

    def _leave(self, responder: _Responder) -> bool:
        task, now = responder.task, self.env.now
        if task is None:
            return False
        if task is not REST:
            responder.staff_minutes += now - responder.busy_since
        responder.task = None
        if task is FIX:
            self.fixers.remove(responder)
            return True
        if task.kind == "workaround":
            option = self.by_option[task.option]
            if option.worker is responder:
                option.status = "abandoned" if option.status in ("finding", "activating") \
                    else option.status
                option.worker = None
                if option.work is not None:
                    option.work.token += 1
        return False

    def _join(self, responder: _Responder, task: Task) -> bool:
        now = self.env.now
        responder.task = task
        self._note("assigned", responder.name, str(task))
        if task is REST:
            responder.working_since = None
            responder.efficiency = 1.0
            responder.fatigue_token += 1
            return False
        responder.busy_since = now
        if responder.working_since is None:
            responder.working_since = now
            if self.model.fatigue_after < math.inf:
                responder.fatigue_token += 1
                self._at(self.model.fatigue_after, self._tired, responder,
                         responder.fatigue_token)
        if task is FIX:
            self.fixers.append(responder)
            return True
        if task.kind == "workaround":
            self._start_option(responder, task.option)
        return False

    def _start_option(self, responder: _Responder, name: str) -> None:
        option = self.by_option.get(name)
        if option is None or option.status not in ("untried", "abandoned") or option.worker:
            state = "does not exist" if option is None else (
                "is taken" if option.worker else f"is {option.status}")
            raise StrategyError(f"strategy {self.strategy_name} at T+{self.env.now:.1f} min sent "
                                f"{responder.name} to workaround {name!r}, which {state}")
        option.status, option.worker = "finding", responder
        option.work = _Work(self.draws.find[option.index])
        self._retime(option.work, responder.efficiency, self._option_step, option)

    def _retime(self, work: _Work, rate: float, on_done, *args) -> None:
        now = self.env.now
        work.remaining = max(work.remaining - work.rate * (now - work.since), 0.0)
        work.since, work.rate = now, rate
        work.token += 1
        if rate > 0:
            self._at(work.remaining / rate, on_done, *args, work.token)

    def _fix_rate(self) -> float:
        if not self.fixers:
            return 0.0
        if len(self.fixers) == 1:
            return self.fixers[0].efficiency
        return sum(r.efficiency for r in self.fixers) ** self.model.alpha

    # -- the fix ---------------------------------------------------------------------------
    def _phase_done(self, token: int) -> None:
        fix = self.fix
        if token != fix.token:
            return
        now = self.env.now
        fix.remaining, fix.since = 0.0, now
        name = self.model.phases[self.phase]
        if self.phase + 1 < len(self.work_plan):
            self.phase += 1
            self._note("phase", None, f"{name} done; {self.model.phases[self.phase]} begins")
        elif self.repair_holds:
            self._restored()
            return
        else:
            self.attempt += 1
            self.phase = 0
            self.work_plan, self.repair_holds = self.draws.attempt(self.attempt)
            self._note("repair-failed", None,
                       f"attempt {self.attempt} failed; back to {self.model.phases[0]}")
        self.phase_started = now
        fix.remaining = self.work_plan[self.phase]
        self._retime(fix, fix.rate, self._phase_done)
        if self.phase == 0:  # a failed repair is news a strategy may act on; a phase end is not
            self._decide()

    def _restored(self) -> None:
        self._set_level(1.0, "fix")
        self._note("restored", None, f"fixed after {self.attempt + 1} repair attempt(s)")
        self.done.succeed()

    # -- workarounds -----------------------------------------------------------------------
    def _option_step(self, option: _Option, token: int) -> None:
        work = option.work
        if token != work.token:
            return
        responder = option.worker
        if option.status == "finding":
            option.status = "activating"
            self._note("workaround", responder.name, f"{option.name}: found, activating")
            work.remaining, work.rate = self.draws.activate[option.index], 0.0
            self._retime(work, responder.efficiency, self._option_step, option)
            return
        if self.draws.success[option.index]:
            option.status = "active"
            self.succeeded = True
            if option.spec.coverage > self.best_coverage:
                self.best_coverage = option.spec.coverage
                self._set_level(1 - self.model.scenario.severity * (1 - self.best_coverage),
                                option.name)
            self._note("workaround", responder.name, f"{option.name}: succeeded")
            if option.spec.holds_staff:
                self._decide()
                return
        else:
            option.status = "failed"
            self._note("workaround", responder.name, f"{option.name}: failed")
        option.worker = None
        responder.staff_minutes += self.env.now - responder.busy_since
        responder.task = None
        self._decide()

    def _set_level(self, level: float, source: str) -> None:
        if level <= self.level:
            return
        now = self.env.now
        self.level = level
        self.levels.append((now, level))
        if self.mitigated_at is None:
            self.mitigated_at, self.mitigated_by = now, source
        if self.resumed_at is None and level >= self.model.scenario.mbco:
            self.resumed_at = now

    # -- fatigue ---------------------------------------------------------------------------
    def _tired(self, responder: _Responder, token: int) -> None:
        if token != responder.fatigue_token:
            return
        responder.efficiency = self.model.fatigued_efficiency
        self._note("fatigued", responder.name, "slows down")
        task = responder.task
        if task is FIX and not self.model.external:
            self._retime(self.fix, self._fix_rate(), self._phase_done)
        elif task is not None and task.kind == "workaround":
            option = self.by_option[task.option]
            if option.worker is responder and option.status in ("finding", "activating"):
                self._retime(option.work, responder.efficiency, self._option_step, option)
        self._decide()

    # -- metrics ---------------------------------------------------------------------------
    def _outcome(self) -> Outcome:
        end = self.env.now
        scenario, week, onset = self.model.scenario, self.model.week, self.draws.onset
        impact, levels = 0.0, self.levels
        before = week.cumulative(onset)
        for (_, level), (stop, _) in zip(levels, [*levels[1:], (end, 1.0)], strict=True):
            after = week.cumulative(onset + stop)
            impact += (1.0 - level) * (after - before)
            before = after
        staff = 0.0
        for r in self.responders:
            staff += r.staff_minutes
            if r.task is not None and r.task is not REST:
                staff += end - r.busy_since
        resumed = self.resumed_at if self.resumed_at is not None else end
        mitigated = self.mitigated_at if self.mitigated_at is not None else 0.0
        rto, mtpd, cost = scenario.rto_minutes, scenario.mtpd_minutes, scenario.cost_per_minute
        return Outcome(
            impact,
            impact * scenario.demand.customers_per_minute,
            self.draws.detect,
            mitigated,
            resumed,
            end,
            math.nan if rto is None else float(resumed <= rto),
            math.nan if mtpd is None else float(resumed > mtpd),
            staff,
            math.nan if cost is None else impact * cost,
            self.attempt + 1,
            self.mitigated_by,
        )


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
        return self._incident.env.now

    @property
    def detected_at(self) -> float:
        return self._incident.draws.detect

    @property
    def detected_by(self) -> str:
        return self._incident.draws.detected_by

    @property
    def free(self) -> list[str]:
        """Responders who have arrived and are not assigned to anything."""
        return [r.name for r in self._incident.responders
                if r.task is None and r.arrived is not None]

    @property
    def fixers(self) -> list[str]:
        return [r.name for r in self._incident.fixers]

    def fixers_newest_first(self) -> list[str]:
        return [r.name for r in sorted(self._incident.fixers, key=lambda r: -r.arrived)]

    @property
    def on_workaround(self) -> list[str]:
        """Responders finding or activating a workaround (not those operating one)."""
        return [o.worker.name for o in self._incident.options
                if o.worker is not None and o.status in ("finding", "activating")]

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
        return self._incident.model.phases[self._incident.phase]

    @property
    def time_in_phase(self) -> float:
        return self.now - self._incident.phase_started

    @property
    def repair_attempt(self) -> int:
        """1 for the first attempt, 2 after one failed repair, …"""
        return self._incident.attempt + 1

    @property
    def responders(self) -> tuple[ResponderInfo, ...]:
        now = self.now
        return tuple(
            ResponderInfo(r.name, r.arrived is not None, r.task, r.arrived,
                          0.0 if r.working_since is None else (now - r.working_since) / 60,
                          r.efficiency < 1.0)
            for r in self._incident.responders
        )

    @property
    def options(self) -> tuple[OptionInfo, ...]:
        return tuple(
            OptionInfo(o.name, o.available, o.status, o.spec.coverage, o.spec.runbook,
                       o.spec.requires, o.worker.name if o.worker else None)
            for o in self._incident.options
        )

    @property
    def memo(self) -> dict:
        """Scratch space a strategy may keep for this replication."""
        return self._incident.memo
