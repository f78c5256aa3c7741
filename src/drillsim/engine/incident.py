"""The SimPy outage model: one incident, the people sent to it, the fix and workarounds racing.

An incident's random inputs arrive fully drawn (``IncidentDraws``); the engine never touches a
generator. Work has *content*, progressing at a rate set by who is on it, so a staffing change
re-times the finish exactly (DESIGN §11). Service level is piecewise constant between events,
and the metrics are exact integrals over its segments. Times seen by strategies, the log and the
metrics are minutes from the incident's onset.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from simpy.core import StopSimulation

from ..draws import IncidentDraws
from ..scenario import Scenario
from ..strategies import FIX, REST, Decision, StrategyError, Task, canonical
from .clock import Clock, wake_delay
from .outcome import Outcome, ServiceLevels, outcome
from .team import Responder, Roster, Team
from .view import IncidentView
from .work import Work, fix_rate


@dataclass(frozen=True, slots=True)
class Event:
    """One line of an incident's event log (time in minutes from onset)."""

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
        self.wanted = len(self.names)  # people the incident calls for
        self.alpha = scenario.team.speedup_exponent
        fatigue = scenario.team.fatigue
        self.fatigue_after = fatigue.after_hours * 60 if fatigue else math.inf
        self.fatigued_efficiency = 1 - fatigue.slowdown if fatigue else 1.0
        self.external = scenario.fix.owner == "external"
        self.phases = [p.name for p in scenario.fix.phases]
        self.floor = 1 - scenario.severity
        self.available = [scenario.available(w) for w in scenario.workarounds]
        self.option_of = {w.name: i for i, w in enumerate(scenario.workarounds)}
        self.option_names = list(self.option_of)
        self.statuses = ["untried" if ok else "unavailable" for ok in self.available]  # at onset

    def own_team(self, env: Clock, draws: IncidentDraws) -> Team:
        """The scenario's team, all on call for this one incident."""
        return Team(env, self.names, Roster(self.week, draws.onset, always=True),
                    fatigue_after=self.fatigue_after,
                    fatigued_efficiency=self.fatigued_efficiency, shared=False)


class Option:
    """A workaround option's state: unavailable, untried, working, active, failed or abandoned."""

    __slots__ = ("available", "index", "name", "spec", "status", "work", "worker")

    def __init__(self, index: int, spec, available: bool) -> None:
        self.index, self.spec, self.name, self.available = index, spec, spec.name, available
        self.status = "untried" if available else "unavailable"
        self.worker: Responder | None = None
        self.work: Work | None = None


class Incident(ServiceLevels):
    """One outage under one strategy.

    Alone (``team=None``) it is one replication of ``drillsim run``: a fresh SimPy environment and
    the scenario's own team. In a quarter it shares the environment and the team with the other
    incidents and starts at ``start`` (absolute minutes).
    """

    __slots__ = ("attempt", "best_coverage", "detected_at", "draws", "end", "env", "finished",
                 "fix", "fixers", "log", "memo", "on_restored", "options", "outcome",
                 "paged", "repair_holds", "staff", "staff_minutes", "start", "strategy",
                 "strategy_name", "succeeded", "team", "view", "waited", "wakes", "wanted")

    def __init__(self, model: Model, draws: IncidentDraws, strategy, strategy_name: str = "",
                 log: bool = False, team: Team | None = None, start: float = 0.0) -> None:
        self.model, self.draws, self.strategy = model, draws, strategy
        self.strategy_name = strategy_name or type(strategy).__name__
        self.env = team.env if team is not None else Clock()
        self.team = team if team is not None else model.own_team(self.env, draws)
        self.start = start
        self.log: list[Event] | None = [] if log else None
        self.wanted = min(model.wanted, len(self.team.responders))
        self.staff: list[Responder] = []  # sent here, en route or present
        self.paged = 0  # pagings so far: the k-th reads the k-th response draw
        self.options = [Option(i, w, ok) for i, (w, ok) in
                        enumerate(zip(model.scenario.workarounds, model.available, strict=True))]
        self.fixers: list[Responder] = []
        self.attempt = 0
        plan, self.repair_holds = draws.attempt(0)
        self.fix = Work(plan, start)  # the current repair attempt: all its phases
        self._start_service(model)
        self.best_coverage = 0.0
        self.succeeded = False
        self.waited: float | None = None  # detection to the first person sent
        self.staff_minutes = 0.0
        self.wakes: set[float] = set()
        self.memo: dict = {}
        self.finished = False
        self.on_restored: Callable[[Incident], None] | None = None  # a quarter's bookkeeping
        self.view = IncidentView(self)

    # -- running ---------------------------------------------------------------------------
    def run(self) -> Outcome:
        """Simulate this incident alone to its restoration; the outcome is also kept."""
        self.begin()
        self.env.run()  # until restored (which stops it), or until nothing is left to happen
        if not self.finished:
            raise StrategyError(f"strategy {self.strategy_name} left the fix unstaffed at "
                                f"T+{self.now:.1f} min with nothing pending: the outage would "
                                "never end")
        # Break reference cycles so that reference counting frees the run: SimPy binds methods to
        # the environment, its pending timers refer back to us, and so do our responders.
        vars(self.env).clear()
        for responder in self.team.responders:
            responder.incident = responder.relieves = None
        self.env = self.view = self.team = None
        return self.outcome

    def log_frame(self):
        """The event log as a table (time in minutes from onset, kind, who, detail, level)."""
        import pandas as pd

        return pd.DataFrame([(e.time, e.kind, e.who, e.detail, e.service_level)
                             for e in self.log or ()],
                            columns=["time", "kind", "who", "detail", "service_level"])

    def begin(self) -> None:
        """Schedule detection (and a vendor's own work) from the onset; call at ``start``."""
        self._at(self.draws.detect, self._detected)
        if self.model.external:  # a vendor works from onset at its own pace; staff only liaise
            self._retime(self.fix, 1.0, self._attempt_done)

    @property
    def now(self) -> float:
        """Minutes since onset."""
        return self.env.now - self.start

    def _at(self, delay: float, callback, *args) -> None:
        self.env.call_in(delay, callback, *args)

    def _note(self, kind: str, who: str | None, detail: str = "", at: float | None = None) -> None:
        """Add to the event log, if one is kept; ``at`` places an event found after the fact."""
        if self.log is not None:
            if at is None:
                self.log.append(Event(self.now, kind, who, detail, self.level))
            else:
                level = next(s for t, s in reversed(self.levels) if t <= at)
                self.log.append(Event(at, kind, who, detail, level))

    def _detected(self) -> None:
        if self.finished:  # a vendor fixed it before anyone noticed
            return
        self.detected_at = self.env.now  # absolute, so a wait is exactly 0 when nobody waits
        if self.log is not None:
            self._note("detected", None, f"by {self.draws.detected_by}; responders paged")
        self.team.dispatch.detected(self.team, self)

    # -- people arriving and leaving -------------------------------------------------------
    def page(self, responder: Responder) -> None:
        """``responder`` is sent here; they arrive after their business- or after-hours response."""
        if self.waited is None:
            self.waited = self.env.now - self.detected_at
        # alone, everyone is paged at detection, whose class was drawn with the incident
        business = self.team.roster.business(self.env.now) if self.team.shared \
            else self.draws.business
        delay = self.draws.response(self.paged, business)
        self.paged += 1
        responder.incident, responder.present, responder.task = self, False, None
        self.staff.append(responder)
        self._at(delay, self._arrived, responder)

    def _arrived(self, responder: Responder) -> None:
        if responder.incident is not self or self.finished:
            return  # sent elsewhere meanwhile
        responder.present = True
        responder.arrived_at = self.env.now
        tired = responder.relieves
        if tired is not None and tired.incident is self:  # a hand-over: brief, then go and rest
            self._at(self.team.handover_minutes, self._handed_over, tired)
        if self.log is not None:
            self._note("arrived", responder.name,
                       "on site" if self.team.roster.business(self.env.now) else "on call")
        self._decide()

    def _handed_over(self, tired: Responder) -> None:
        if tired.incident is self and not self.finished:
            self._note("handed-over", tired.name, "leaves to rest")
            self.team.release(tired)

    def remove(self, responder: Responder) -> None:
        """``responder`` leaves this incident (restored, sent elsewhere, or handed over)."""
        if self._leave(responder) and not self.finished and not self.model.external:
            self._retime(self.fix, self._fix_rate(), self._attempt_done)
        self.staff.remove(responder)

    def tired(self, responder: Responder) -> None:
        """``responder`` has worked long enough to slow down: re-time their work, then decide."""
        self._note("fatigued", responder.name, "slows down")
        task = responder.task
        if task is FIX and not self.model.external:
            self._retime(self.fix, self._fix_rate(), self._attempt_done)
        elif task is not None and task.kind == "workaround":
            option = self.options[self.model.option_of[task.option]]
            if option.worker is responder and option.status == "working":
                self._retime(option.work, responder.efficiency, self._option_done, option)
        self._decide()

    # -- decisions -------------------------------------------------------------------------
    def _decide(self) -> None:
        if self.finished:
            return
        result = self.strategy.decide(self.view)
        if not result:
            return
        if type(result) is not dict and isinstance(result, Decision):
            now = self.now
            if result.ask_at is not None and result.ask_at > now and result.ask_at not in self.wakes:
                self.wakes.add(result.ask_at)
                self._at(wake_delay(self.env.now, self.start, result.ask_at), self._decide)
            result = result.assign
        fix_changed = False
        for name, task in result.items():
            responder = self._present(name)
            if task is not FIX:
                try:
                    task = canonical(task)
                except ValueError as exc:
                    raise StrategyError(f"strategy {self.strategy_name} at T+{self.now:.1f} "
                                        f"min gave {name}: {exc}") from None
            if responder.task is task:
                continue
            if responder.task is not None:
                fix_changed |= self._leave(responder)
            fix_changed |= self._join(responder, task)
        if fix_changed and not self.model.external:
            self._retime(self.fix, self._fix_rate(), self._attempt_done)

    def _present(self, name: str) -> Responder:
        for responder in self.staff:
            if responder.name == name:
                if responder.present:
                    return responder
                state = "has not arrived"
                break
        else:
            state = "is not at this incident" if any(
                r.name == name for r in self.team.responders) else "does not exist"
        raise StrategyError(f"strategy {self.strategy_name} at T+{self.now:.1f} min assigned "
                            f"responder {name!r}, who {state}")

    def _leave(self, responder: Responder) -> bool:
        """End ``responder``'s task; whether the fix lost a person."""
        task = responder.task
        if task is None:
            return False
        if task is not REST:
            self.staff_minutes += self.env.now - responder.busy_since
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

    def _join(self, responder: Responder, task: Task) -> bool:
        """Start ``task``; whether the fix gained a person."""
        responder.task = task
        if self.log is not None:
            self._note("assigned", responder.name, str(task))
        if task is REST:
            self.team.rest(responder)
            return False
        responder.busy_since = self.env.now
        if responder.working_since is None:
            self.team.start_work(responder)
        if task is FIX:
            self.fixers.append(responder)
            return True
        if task.kind == "workaround":
            self._start_option(responder, task.option)
        return False

    def _start_option(self, responder: Responder, name: str) -> None:
        index = self.model.option_of.get(name)
        option = None if index is None else self.options[index]
        if option is None or option.status not in ("untried", "abandoned") or option.worker:
            state = "does not exist" if option is None else (
                "is taken" if option.worker else f"is {option.status}")
            raise StrategyError(f"strategy {self.strategy_name} at T+{self.now:.1f} min sent "
                                f"{responder.name} to workaround {name!r}, which {state}")
        option.status, option.worker = "working", responder
        option.work = Work(self.draws.option_work(index), self.env.now)
        self._retime(option.work, responder.efficiency, self._option_done, option)

    def _retime(self, work: Work, rate: float, on_done, *args) -> None:
        delay = work.set_rate(self.env.now, rate)
        if delay is not None:
            self._at(delay, on_done, *args, work, work.token)

    def _fix_rate(self) -> float:
        return fix_rate([r.efficiency for r in self.fixers], self.model.alpha)

    # -- the fix ---------------------------------------------------------------------------
    def _attempt_done(self, fix: Work, token: int) -> None:
        """A repair attempt's last phase is done: the outage ends, or the work starts over."""
        if fix is not self.fix or token != fix.token:
            return
        if self.log is not None:
            names = self.model.phases
            for index, at in enumerate(fix.stage_ends()):
                self._note("phase", None, f"{names[index]} done; {names[index + 1]} begins",
                           at - self.start)
        if self.repair_holds:
            self._restored()
            return
        self.attempt += 1
        plan, self.repair_holds = self.draws.attempt(self.attempt)
        self._note("repair-failed", None,
                   f"attempt {self.attempt} failed; back to {self.model.phases[0]}")
        self.fix = Work(plan, self.env.now, fix.rate)
        self._retime(self.fix, fix.rate, self._attempt_done)
        self._decide()

    def _restored(self) -> None:
        self.finished = True
        if self.waited is None:  # a vendor's fix ended it before anyone was sent
            self.waited = max(self.env.now - self.start - self.draws.detect, 0.0)
        self._set_level(1.0, "fix")
        if self.log is not None:
            self._note("restored", None, f"fixed after {self.attempt + 1} repair attempt(s)")
        self.end = self.now
        self.outcome = self._outcome()
        if self.log is not None:
            self.log.sort(key=lambda event: event.time)  # stage ends are noted after the fact
        team = self.team
        if team.shared:
            if self in team.open:
                team.open.remove(self)
            if self in team.waiting:
                team.waiting.remove(self)
            for responder in list(self.staff):
                team.release(responder)
            if self.on_restored is not None:
                self.on_restored(self)
        else:
            raise StopSimulation(self.outcome)  # alone: the run ends here

    # -- workarounds -----------------------------------------------------------------------
    def _option_done(self, option: Option, work: Work, token: int) -> None:
        """A workaround has been found and activated: it works (by the drawn U < p) or fails."""
        if work is not option.work or token != work.token:
            return
        responder = option.worker
        if self.log is not None:
            self._note("workaround", responder.name, f"{option.name}: found, activating",
                       work.stage_ends()[0] - self.start)
        if self.draws.succeeds(option.index):
            option.status = "active"
            self.succeeded = True
            if option.spec.coverage > self.best_coverage:
                self.best_coverage = option.spec.coverage
                self._set_level(1 - self.model.scenario.severity * (1 - self.best_coverage),
                                option.name)
            if self.log is not None:
                self._note("workaround", responder.name, f"{option.name}: succeeded")
            if option.spec.holds_staff:
                self._decide()
                return
        else:
            option.status = "failed"
            if self.log is not None:
                self._note("workaround", responder.name, f"{option.name}: failed")
        option.worker = None
        self.staff_minutes += self.env.now - responder.busy_since
        responder.task = None
        self._decide()

    # -- metrics ---------------------------------------------------------------------------
    def _outcome(self) -> Outcome:
        staff = self.staff_minutes
        for r in self.staff:
            if r.task is not None and r.task is not REST:
                staff += self.env.now - r.busy_since
        return outcome(self.model, self.draws, self.levels, self.end, staff, self.resumed_at,
                       self.mitigated_at, self.mitigated_by, self.attempt + 1)
