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
from .strategies import FIX, REST, Decision, StrategyError, Task, canonical

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
        self.slot_of = {name: slot for slot, name in enumerate(self.names)}
        self.option_of = {w.name: i for i, w in enumerate(scenario.workarounds)}


class _Work:
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
        self.remaining = max(self.remaining - self.rate * (now - self.since), 0.0)
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
    """A workaround option's state: unavailable, untried, working, active, failed or abandoned."""

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
        self.options = [_Option(i, w, ok) for i, (w, ok) in
                        enumerate(zip(model.scenario.workarounds, model.available, strict=True))]
        self.fixers: list[_Responder] = []
        self.attempt = 0
        plan, self.repair_holds = draws.attempt(0)
        self.fix = _Work(plan, 0.0)  # the current repair attempt: all its phases
        self.level = model.floor
        self.levels: list[tuple[float, float]] = [(0.0, self.level)]
        self.best_coverage = 0.0
        self.succeeded = False
        self.mitigated_at = self.resumed_at = None
        self.mitigated_by = "fix"
        self.wakes: set[float] = set()
        self.memo: dict = {}
        self.finished = False
        self.done = self.env.event()
        self.view = IncidentView(self)
        if self.level >= model.scenario.mbco:
            self.resumed_at = 0.0

    # -- running ---------------------------------------------------------------------------
    def run(self) -> Outcome:
        env = self.env
        self._at(self.draws.detect, self._detected)
        if self.model.external:  # a vendor works from onset at its own pace; staff only liaise
            self._retime(self.fix, 1.0, self._attempt_done)
        try:
            env.run(until=self.done)
        except RuntimeError:  # nothing left to happen, yet the fix is not done
            raise StrategyError(f"strategy {self.strategy_name} left the fix unstaffed at "
                                f"T+{env.now:.1f} min with nothing pending: the outage would "
                                "never end") from None
        self.outcome = self._outcome()
        self.end = env.now
        if self.log is not None:
            self.log.sort(key=lambda event: event.time)  # stage ends are noted after the fact
        self.env = self.view = None  # break reference cycles so refcounting frees the run
        return self.outcome

    def _at(self, delay: float, callback, *args) -> None:
        self.env.timeout(delay).callbacks.append(lambda _: callback(*args))

    def _note(self, kind: str, who: str | None, detail: str = "", at: float | None = None) -> None:
        """Add to the event log, if one is kept; ``at`` places an event found after the fact."""
        if self.log is not None:
            if at is None:
                self.log.append(Event(self.env.now, kind, who, detail, self.level))
            else:
                level = next(s for t, s in reversed(self.levels) if t <= at)
                self.log.append(Event(at, kind, who, detail, level))

    def _detected(self) -> None:
        """Everyone is paged; nobody is here yet, so the first decision comes with the first arrival."""
        self._note("detected", None, f"by {self.draws.detected_by}; all responders paged")
        for responder, delay in zip(self.responders, self.draws.response, strict=True):
            self._at(delay, self._arrived, responder)

    def _arrived(self, responder: _Responder) -> None:
        responder.arrived = self.env.now
        self._note("arrived", responder.name, "on site" if self.draws.business else "on call")
        self._decide()

    # -- decisions -------------------------------------------------------------------------
    def _decide(self) -> None:
        if self.finished:
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
            slot = self.model.slot_of.get(name)
            if slot is None or self.responders[slot].arrived is None:
                state = "does not exist" if slot is None else "has not arrived"
                raise StrategyError(f"strategy {self.strategy_name} at T+{self.env.now:.1f} min "
                                    f"assigned responder {name!r}, who {state}")
            responder = self.responders[slot]
            if task is not FIX:
                try:
                    task = canonical(task)
                except ValueError as exc:
                    raise StrategyError(f"strategy {self.strategy_name} at T+{self.env.now:.1f} "
                                        f"min gave {name}: {exc}") from None
            if responder.task is task:
                continue
            fix_changed |= self._leave(responder)
            fix_changed |= self._join(responder, task)
        if fix_changed and not self.model.external:
            self._retime(self.fix, self._fix_rate(), self._attempt_done)

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
            option = self.options[self.model.option_of[task.option]]
            if option.worker is responder:
                if option.status == "working":
                    option.status = "abandoned"
                    option.work.token += 1
                    self._note("workaround", responder.name, f"{option.name}: abandoned")
                option.worker = None
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
        index = self.model.option_of.get(name)
        option = None if index is None else self.options[index]
        if option is None or option.status not in ("untried", "abandoned") or option.worker:
            state = "does not exist" if option is None else (
                "is taken" if option.worker else f"is {option.status}")
            raise StrategyError(f"strategy {self.strategy_name} at T+{self.env.now:.1f} min sent "
                                f"{responder.name} to workaround {name!r}, which {state}")
        option.status, option.worker = "working", responder
        option.work = _Work([self.draws.find[option.index], self.draws.activate[option.index]],
                            self.env.now)
        self._retime(option.work, responder.efficiency, self._option_done, option)

    def _retime(self, work: _Work, rate: float, on_done, *args) -> None:
        delay = work.set_rate(self.env.now, rate)
        if delay is not None:
            self._at(delay, on_done, *args, work, work.token)

    def _fix_rate(self) -> float:
        if not self.fixers:
            return 0.0
        if len(self.fixers) == 1:
            return self.fixers[0].efficiency
        return sum(r.efficiency for r in self.fixers) ** self.model.alpha

    # -- the fix ---------------------------------------------------------------------------
    def _attempt_done(self, fix: _Work, token: int) -> None:
        """A repair attempt's last phase is done: the outage ends, or the work starts over."""
        if fix is not self.fix or token != fix.token:
            return
        if self.log is not None:
            names = self.model.phases
            for index, at in enumerate(fix.stage_ends()):
                self._note("phase", None, f"{names[index]} done; {names[index + 1]} begins", at)
        if self.repair_holds:
            self._restored()
            return
        self.attempt += 1
        plan, self.repair_holds = self.draws.attempt(self.attempt)
        self._note("repair-failed", None,
                   f"attempt {self.attempt} failed; back to {self.model.phases[0]}")
        self.fix = _Work(plan, self.env.now, fix.rate)
        self._retime(self.fix, fix.rate, self._attempt_done)
        self._decide()

    def _restored(self) -> None:
        self.finished = True
        self._set_level(1.0, "fix")
        self._note("restored", None, f"fixed after {self.attempt + 1} repair attempt(s)")
        self.done.succeed()

    # -- workarounds -----------------------------------------------------------------------
    def _option_done(self, option: _Option, work: _Work, token: int) -> None:
        """A workaround has been found and activated: it works (by the drawn U < p) or fails."""
        if work is not option.work or token != work.token:
            return
        responder = option.worker
        if self.log is not None:
            self._note("workaround", responder.name, f"{option.name}: found, activating",
                       work.stage_ends()[0])
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
            self._retime(self.fix, self._fix_rate(), self._attempt_done)
        elif task is not None and task.kind == "workaround":
            option = self.options[self.model.option_of[task.option]]
            if option.worker is responder and option.status == "working":
                self._retime(option.work, responder.efficiency, self._option_done, option)
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
        return self._incident.model.phases[self._incident.fix.stage(self.now)[0]]

    @property
    def time_in_phase(self) -> float:
        return self.now - self._incident.fix.stage(self.now)[1]

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
        now = self.now
        return tuple(
            OptionInfo(o.name, o.available, _status(o, now), o.spec.coverage, o.spec.runbook,
                       o.spec.requires, o.worker.name if o.worker else None)
            for o in self._incident.options
        )

    @property
    def memo(self) -> dict:
        """Scratch space a strategy may keep for this replication."""
        return self._incident.memo


def _status(option: _Option, now: float) -> str:
    """What a team would call the option's state: working splits into finding and activating."""
    if option.status != "working":
        return option.status
    return "finding" if option.work.stage(now)[0] == 0 else "activating"
