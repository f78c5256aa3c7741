"""A quarter of incidents competing for one team (DESIGN §5).

Each replication first draws its whole incident table — how many incidents each system has in each
month, when they begin, and every incident's own draws — keyed by (block, system, month, k), so
every strategy faces the same quarter. Then one SimPy environment runs them all on one shared
team: the same ``Incident`` engine as a single outage, with a roster and a dispatch policy
deciding who goes where.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import numpy as np
from scipy import stats

from .draws import BLOCK, BLOCK_KEY, DrawTable, IncidentDraws, chosen, uniforms
from .engine import Clock, Incident, Model, Outcome, Roster, Team
from .engine.dispatch import DISPATCH
from .portfolio import DAYS_PER_MONTH, Portfolio
from .rota import Rota, Tally, rota_supports
from .runner import compiled
from .strategies import StrategyError
from .week import MINUTES_PER_DAY

COUNT, ARRIVAL = 11, 12  # stream purposes beside draws.py's
INCIDENT_KEY = 1_000_000  # a system-month's incidents are keyed INCIDENT_KEY + system·1,000 + month
MONTH = DAYS_PER_MONTH * MINUTES_PER_DAY

INCIDENT_COLUMNS = ("system", "onset_minutes", "waited", *Outcome._fields)


class QuarterModel:
    """A portfolio compiled once: each system's model, arrival pattern and months."""

    def __init__(self, portfolio: Portfolio) -> None:
        self.portfolio = portfolio
        self.scenarios = portfolio.scenarios()
        self.models = [Model(s) for s in self.scenarios]
        self.systems = portfolio.system_names()
        self.arrivals = [s.arrivals() for s in portfolio.systems]
        self.calendar = portfolio.calendar_week()
        period = portfolio.period
        self.offset = period.offset
        edges = np.append(np.arange(0.0, period.minutes, MONTH), period.minutes)
        self.months = list(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True))
        team = portfolio.team
        self.names = team.names
        self.fatigue_after = team.fatigue.after_hours * 60 if team.fatigue else math.inf
        self.fatigued_efficiency = 1 - team.fatigue.slowdown if team.fatigue else 1.0
        self.costed = all(s.cost_per_minute is not None for s in self.scenarios)
        self.page_extra = team.page_extra
        self.wanted = [min(m.wanted, len(self.names)) for m in self.models]  # people, by system
        self.rotation_minutes = team.rotation_days * MINUTES_PER_DAY
        self.columns = ("incidents", "merged", "cost", "customers_affected",
                        *(f"cim:{name}" for name in self.systems), "rto_met", "rto_incidents",
                        "mtpd_breaches", "waiting_minutes", "waited", "staff_hours",
                        "utilisation", "after_hours_hours", "overtime_hours")

    def roster(self) -> Roster:
        """Who is on duty when: the calendar's business hours, then the on-call rotation."""
        return Roster(self.calendar, self.offset, page_extra=self.page_extra,
                      rotation_minutes=self.rotation_minutes)


@dataclass(slots=True)
class Arrival:
    """One incident of a quarter: when it begins (minutes from the period's start) and its draws."""

    time: float
    system: int
    draws: IncidentDraws


BY_ONSET = attrgetter("time", "system")  # incidents in order of onset, ties by system


class QuarterTable:
    """The incidents of one block of quarters, fully drawn before any is simulated."""

    def __init__(self, qmodel: QuarterModel, root: int, block: int) -> None:
        self.pieces: list[tuple[int, list[int], list[float], DrawTable]] = []
        portfolio = qmodel.portfolio
        for s, system in enumerate(portfolio.systems):
            model, week = qmodel.models[s], qmodel.arrivals[s]
            for m, (start, stop) in enumerate(qmodel.months):
                mean = system.rate.per_month * (stop - start) / MONTH
                counts = _counts(uniforms(root, (BLOCK_KEY, block, s, COUNT, m), BLOCK), mean,
                                 system.rate.dispersion)
                copies = int(counts.max(initial=0))
                if copies == 0:
                    continue
                used = np.arange(copies)[:, None] < counts  # copy k of row i happens
                u = uniforms(root, (BLOCK_KEY, block, s, ARRIVAL, m), copies * BLOCK)
                low = week.cumulative(qmodel.offset + start)
                high = week.cumulative(qmodel.offset + stop)
                onsets = week.inverse_cumulative(low + chosen(u, used) * (high - low))
                table = DrawTable(model.scenario, root, block, INCIDENT_KEY + s * 1000 + m,
                                  week=model.week, onsets=onsets, pagings=len(qmodel.names),
                                  response=portfolio.team.response, copies=copies, used=used)
                self.pieces.append((s, counts.tolist(), (onsets - qmodel.offset).tolist(), table))

    def quarter(self, i: int) -> list[Arrival]:
        """Row ``i``'s incidents in order of onset."""
        arrivals = [Arrival(times[table.first[i] + k], s, draws)
                    for s, counts, times, table in self.pieces if counts[i]
                    for k, draws in enumerate(table.rows(i, counts[i]))]
        arrivals.sort(key=BY_ONSET)
        return arrivals


def _counts(u: np.ndarray, mean: float, dispersion: float) -> np.ndarray:
    """Monthly incident counts from uniforms: Poisson, or negative binomial with
    variance = dispersion × mean (overdispersed, as real incident counts are).

    Each count is the least k whose CDF reaches u — what ``ppf`` gives, found in a table of the
    CDF at 0, 1, 2, … (computed by the same function), many times faster than ``ppf`` itself."""
    if mean <= 0:
        return np.zeros(len(u), dtype=np.int64)

    def cdf(k: np.ndarray) -> np.ndarray:  # the law unfrozen: freezing one costs more than this
        return stats.poisson.cdf(k, mean) if dispersion <= 1 else \
            stats.nbinom.cdf(k, mean / (dispersion - 1), 1 / dispersion)

    k = np.arange(4 * math.ceil(mean) + 16)
    while (table := cdf(k))[-1] < u.max():
        k = np.arange(2 * len(k))
    return np.searchsorted(table, u, side="left")


class Quarter(Tally):
    """One replication of a quarter under one strategy, on the engine."""

    def __init__(self, qmodel: QuarterModel, arrivals: list[Arrival], strategy, label: str = "",
                 keep: bool = False) -> None:
        self.qmodel, self.arrivals, self.strategy, self.label = qmodel, arrivals, strategy, label
        portfolio = qmodel.portfolio
        self.env = Clock()
        self.team = Team(self.env, qmodel.names, qmodel.roster(), DISPATCH[portfolio.dispatch](),
                         qmodel.fatigue_after, qmodel.fatigued_efficiency,
                         portfolio.team.rest_hours * 60,
                         handover_minutes=portfolio.team.handover_minutes)
        self.open_by_system: dict[int, Incident] = {}
        self.incidents: list[tuple[int, float, Incident]] = []
        self.pending = len(arrivals)
        self.merged = 0
        self.keep = keep
        self.done = self.env.event()
        self.shift_pending = False
        self.team.wake = self._watch_shifts

    def run(self) -> tuple[tuple[float, ...], list[tuple[Any, ...]]]:
        """The quarter's metrics (``QuarterModel.columns``) and, if kept, one row per incident."""
        env = self.env
        for arrival in self.arrivals:
            env.call_in(arrival.time, self._begin, arrival)
        if self.pending == 0:
            self.done.succeed()
        try:
            env.run(until=self.done)
        except RuntimeError:  # nothing left to happen, and incidents still open
            if self.done.triggered:
                raise
            raise StrategyError(f"strategy {self.label or type(self.strategy).__name__} left a "
                                f"fix unstaffed on day {env.now / MINUTES_PER_DAY:.1f} of the "
                                "quarter with nothing pending: the outage would never end"
                                ) from None
        result = self.record(self.keep)
        # Break reference cycles so reference counting frees the quarter: SimPy binds methods to
        # the environment, and the team calls back into this quarter.
        vars(env).clear()
        self.team.wake = None
        return result

    def _begin(self, arrival: Arrival) -> None:
        if self.qmodel.portfolio.merge_concurrent and arrival.system in self.open_by_system:
            self.merged += 1  # the system is already down: this is the same outage
            self._finished()
            return
        incident = Incident(self.qmodel.models[arrival.system], arrival.draws, self.strategy,
                            self.label, team=self.team, start=self.env.now)
        self.open_by_system[arrival.system] = incident
        self.incidents.append((arrival.system, arrival.time, incident))
        incident.on_restored = lambda restored, s=arrival.system: self._closed(s, restored)
        incident.begin()

    def _closed(self, system: int, incident: Incident) -> None:
        if self.open_by_system.get(system) is incident:
            del self.open_by_system[system]
        incident.view = incident.on_restored = None  # break reference cycles
        self._finished()

    def _finished(self) -> None:
        self.pending -= 1
        if self.pending == 0 and not self.done.triggered:
            self.done.succeed()

    def _watch_shifts(self) -> None:
        """People are short: wake dispatch when business hours begin or the on-call person
        changes, for as long as they are short (most of a quarter, nobody is)."""
        if not self.shift_pending:
            self.shift_pending = True
            self._next_shift()

    def _next_shift(self) -> None:
        now = self.env.now
        self.env.call_in(self.team.roster.next_change(now) - now, self._shift)

    def _shift(self) -> None:
        self.team.dispatch.shift(self.team)
        if self.team.short():
            self._next_shift()
        else:
            self.shift_pending = False

    def minutes(self) -> tuple[list[float], list[float], list[float]]:
        """Each person's minutes engaged, after hours and overtime."""
        people = self.team.responders
        return ([r.engaged_minutes for r in people], [r.after_hours_minutes for r in people],
                [r.overtime_minutes for r in people])


@dataclass(frozen=True)
class QuarterJob:
    """A portfolio under labelled strategies from one root seed: the runner's unit of work."""

    portfolio: Portfolio
    strategies: tuple[tuple[str, Any], ...]
    seed: int
    keep_incidents: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return _qmodel(self).columns

    def chunk(self, block: int, start: int, stop: int) -> dict[str, list]:
        """Quarters ``start:stop`` of ``block`` under every strategy, on the same draws."""
        qmodel = _qmodel(self)
        table = QuarterTable(qmodel, self.seed, block)
        results: dict[str, list] = {label: [] for label, _ in self.strategies}
        fast = {label: rota_supports(strategy) for label, strategy in self.strategies}
        keep = self.keep_incidents
        for i in range(start, stop):  # one quarter's incidents alive at a time: less for the
            arrivals = table.quarter(i)  # garbage collector to trace over and over
            for label, strategy in self.strategies:
                results[label].append(
                    (fast[label] and Rota(qmodel, arrivals, strategy).follow(keep))
                    or Quarter(qmodel, arrivals, strategy, label, keep).run())
        return results


def _qmodel(job: QuarterJob) -> QuarterModel:
    """The compiled portfolio of a job."""
    return compiled(job.portfolio, QuarterModel)


def simulate_quarter(portfolio: Portfolio | str, strategies=("fix-only", "fix-plus-workaround"),
                     replications: int = 1000, seed: int | None = None, workers: int = 1,
                     progress=None, incidents: bool = False):
    """Simulate ``replications`` quarters per strategy, every strategy on the same incidents.

    >>> res = simulate_quarter("scenarios/portfolios/small-online-retailer.yaml",
    ...                        replications=200, seed=1)          # doctest: +SKIP
    >>> res.summary(); res.compare(); res.frame                    # doctest: +SKIP
    """
    from .portfolio import load_portfolio
    from .results import QuarterResults
    from .runner import execute, new_seed, resolve_strategies

    if not isinstance(portfolio, Portfolio):
        portfolio = load_portfolio(portfolio)
    if replications < 1:
        raise ValueError("replications must be at least 1")
    job = QuarterJob(portfolio, resolve_strategies(strategies),
                     new_seed() if seed is None else int(seed), incidents)
    outcomes = execute(job, replications, workers, progress)
    frame, rows = quarter_frames(outcomes, job.columns)
    return QuarterResults(frame, job, replications, rows if incidents else None)


def quarter_frames(outcomes: dict[str, list], columns: tuple[str, ...]):
    """The per-quarter frame and the per-incident frame from the runner's outcomes."""
    import pandas as pd

    labels = list(outcomes)
    frames, incident_frames = [], []
    for label, results in outcomes.items():
        frame = pd.DataFrame.from_records([totals for totals, _ in results], columns=columns)
        frame.insert(0, "replication", np.arange(len(results)))
        frame.insert(0, "strategy", label)
        frames.append(frame)
        rows = [(label, r, *row) for r, (_, kept) in enumerate(results) for row in kept]
        incident_frames.append(pd.DataFrame.from_records(
            rows, columns=("strategy", "replication", *INCIDENT_COLUMNS)))
    frame = pd.concat(frames, ignore_index=True)
    frame["strategy"] = pd.Categorical(frame["strategy"], categories=labels, ordered=True)
    incidents = pd.concat(incident_frames, ignore_index=True)
    incidents["strategy"] = pd.Categorical(incidents["strategy"], categories=labels, ordered=True)
    return frame, incidents
