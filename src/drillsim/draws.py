"""Every random input of an incident, drawn before it is simulated, keyed by identity.

A stream is ``SeedSequence(root, spawn_key=(0, block, incident, purpose, index))``: one column of
uniforms for a fixed block of replications. Replication ``r`` reads row ``r % BLOCK`` of block
``r // BLOCK``, so its values never depend on how many replications run, in what order, on which
worker, or under which strategy (common random numbers, DESIGN §6). The rare extra repair attempt
or paging beyond those drawn up front comes from a stream keyed by the replication itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from itertools import pairwise

import numpy as np

from .scenario import Scenario
from .scenario.schema import Response
from .week import MINUTES_PER_DAY, WEEKDAYS, Week, parse_clock

BLOCK = 1024  # replications per block of draws: the unit of parallel work
ATTEMPTS = 4  # repair attempts drawn up front; P(needing more) = p_fail**4

# Stream purposes: fixed integers, never hash(str) (string hashing differs per interpreter).
ONSET, ALERT, COMPLAINT, TRIAGE, RESPONSE, FIX_WORK, REPAIR, FIND, ACTIVATE, SUCCESS = range(1, 11)
BLOCK_KEY, REPLICATION_KEY = 0, 1
PHASES_PER_ATTEMPT = 1000  # index of a fix phase's column: attempt * 1000 + phase


def uniforms(root: int, key: tuple[int, ...], size: int) -> np.ndarray:
    """``size`` uniforms in [0, 1) from the stream named by ``key`` under ``root``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(root, spawn_key=key))) \
        .random(size)


class IncidentDraws:
    """One replication's incident, fully drawn: the engine reads this and nothing random else.

    Its values are one row of its table, read where the engine asks (most lists are never
    wanted whole): ``on_site`` and ``on_call`` per paging k, minutes to arrive when paged in or
    after business hours (the same uniform); ``work`` per repair attempt and fix phase, its work
    content, and ``holds`` whether that repair holds; per workaround option ``find``,
    ``activate`` and ``success``.
    """

    __slots__ = ("business", "copy", "detect", "detected_by", "onset", "replication", "table",
                 "values")

    def __init__(self, replication: int, copy: int, values: list[float], table: DrawTable) -> None:
        self.replication = replication
        self.copy = copy  # which of the replication's incidents of this kind (0 if alone)
        self.values, self.table = values, table
        self.onset: float = values[0]  # minutes from Monday 00:00
        self.detect: float = values[1]  # minutes from onset to detection
        self.detected_by = "customer" if values[2] else "monitoring"
        self.business: bool = values[3] > 0  # detected in business hours

    def _part(self, index: int) -> list[float]:
        return self.values[self.table._slices[index]]

    @property
    def on_site(self) -> list[float]:
        return self._part(ON_SITE_PART)

    @property
    def on_call(self) -> list[float]:
        return self._part(ON_CALL_PART)

    @property
    def find(self) -> list[float]:
        return self._part(FIND_PART)

    @property
    def activate(self) -> list[float]:
        return self._part(ACTIVATE_PART)

    @property
    def holds(self) -> list[bool]:
        return [h > 0 for h in self._part(HOLDS_PART)]

    @property
    def success(self) -> list[bool]:
        return [x > 0 for x in self._part(SUCCESS_PART)]

    @property
    def work(self) -> list[list[float]]:
        return [self._part(ATTEMPT_PART + k) for k in range(ATTEMPTS)]

    def response(self, k: int, business: bool) -> float:
        """Minutes from the k-th paging (0-based) to that person's arrival."""
        table = self.table
        if k < table.pagings:
            return self.values[(table.on_site_at if business else table.on_call_at) + k]
        return table.extra_response(self.replication, self.copy, k, business)

    def succeeds(self, option: int) -> bool:
        """Whether workaround ``option`` works once found and activated."""
        return self.values[self.table.success_at + option] > 0

    def option_work(self, option: int) -> list[float]:
        """Workaround ``option``'s work content: minutes to find it, then to activate it."""
        table, values = self.table, self.values
        return [values[table.find_at + option], values[table.activate_at + option]]

    def attempt(self, k: int) -> tuple[list[float], bool]:
        """Work per phase and whether the repair holds, for repair attempt ``k`` (0-based)."""
        if k < ATTEMPTS:
            return self._part(ATTEMPT_PART + k), self.values[self.table.holds_at + k] > 0
        return self.table.extra_attempt(self.replication, self.copy, k)


# Where each part of a row is in the table's slices (after onset, detection and its class).
ON_SITE_PART, ON_CALL_PART, HOLDS_PART, FIND_PART, ACTIVATE_PART, SUCCESS_PART, ATTEMPT_PART = \
    range(7)


class DrawTable:
    """The random inputs of one block of replications for one scenario's incident.

    A quarter needs several incidents of a system in a month: ``copies`` of them are drawn at
    once, copy ``k`` reading values ``k·BLOCK … (k+1)·BLOCK`` of each stream, so a copy's values
    do not depend on how many copies are drawn. Most replications have fewer incidents than the
    most any has: ``used`` (copies × BLOCK, true where a replication has that copy) limits the
    work to the values that will be read, kept replication by replication: ``first[i]`` is
    replication i's first.
    """

    def __init__(self, scenario: Scenario, root: int, block: int, incident: int = 0,
                 week: Week | None = None, onsets: np.ndarray | None = None,
                 pagings: int | None = None, response: Response | None = None,
                 copies: int = 1, used: np.ndarray | None = None) -> None:
        """In a quarter, ``onsets`` (minutes from Monday 00:00, one per used copy) replace the
        scenario's onset and ``response`` the scenario team's response times; ``pagings`` is
        how many response times to draw up front (default: the team's size)."""
        self.scenario, self.root, self.block, self.incident = scenario, root, block, incident
        self.response = response or scenario.team.response
        week = week or scenario.week()
        if used is None:
            used = np.ones((copies, BLOCK), dtype=bool)
        elif onsets is None:
            raise ValueError("a table of chosen copies needs their onsets")
        self.first: list[int] = np.concatenate([[0], np.cumsum(used.sum(axis=0))]).tolist()
        shape = (self.first[-1],)

        column = partial(_block_column, root, (BLOCK_KEY, block, incident), copies, used)
        onset = np.resize(_onset(scenario, week, column(ONSET)[:BLOCK]), shape) \
            if onsets is None else onsets
        alert = np.full(shape, math.inf)
        if scenario.detection.monitoring is not None:
            alert = scenario.detection.monitoring.delay.ppf(column(ALERT))
        complaint = _first_complaint(scenario, week, onset, column(COMPLAINT))
        reports = scenario.detection.customer_reports
        if reports is not None and reports.triage is not None:
            complaint = complaint + reports.triage.ppf(column(TRIAGE))
        by_customer = complaint < alert
        detect = np.where(by_customer, complaint, alert)
        business = week.is_business(onset + detect)

        response = self.response
        pagings = len(scenario.team.names) if pagings is None else pagings
        response_u = [column(RESPONSE, k) for k in range(pagings)]
        on_site = [response.business_hours.ppf(u) for u in response_u]
        on_call = [response.after_hours.ppf(u) for u in response_u]

        attempts = [self._attempt_columns(column, k)
                    for k in range(ATTEMPTS)]
        holds = [column(REPAIR, k) >= scenario.fix.repair_failure_probability
                 for k in range(ATTEMPTS)]
        options = scenario.workarounds
        find = [w.find.ppf(column(FIND, i)) for i, w in enumerate(options)]
        activate = [w.activate.ppf(column(ACTIVATE, i)) for i, w in enumerate(options)]
        success = [column(SUCCESS, i) < w.success for i, w in enumerate(options)]

        # Everything one replication reads, side by side: a row is one slice, turned into
        # Python floats only when that replication runs (most quarter copies never do).
        groups = [[onset, detect, by_customer, business], on_site, on_call, holds, find,
                  activate, success, *attempts]
        bounds = np.cumsum([0] + [len(g) for g in groups]).tolist()
        self._slices = [slice(a, z) for a, z in pairwise(bounds[1:])]
        self.pagings = pagings  # response times drawn per block
        self.on_site_at, self.on_call_at, self.holds_at, self.find_at, self.activate_at, \
            self.success_at = (self._slices[part].start for part in (
                ON_SITE_PART, ON_CALL_PART, HOLDS_PART, FIND_PART, ACTIVATE_PART, SUCCESS_PART))
        self._values = np.stack([np.broadcast_to(np.asarray(c, dtype=float), shape)
                                 for g in groups for c in g], axis=-1)

    def _attempt_columns(self, column: Callable[[int, int], np.ndarray], k: int) -> list[np.ndarray]:
        """Repair attempt ``k``'s phase durations from ``column(purpose, index)``'s uniforms."""
        phases = self.scenario.fix.phases
        return [p.duration.ppf(column(FIX_WORK, k * PHASES_PER_ATTEMPT + i))
                for i, p in enumerate(phases)]

    def row(self, i: int, copy: int = 0) -> IncidentDraws:
        """The draws of replication ``block * BLOCK + i`` (its ``copy``-th incident)."""
        values = self._values[self.first[i] + copy].tolist()
        return IncidentDraws(self.block * BLOCK + i, copy, values, self)

    def rows(self, i: int, copies: int) -> list[IncidentDraws]:
        """The draws of replication ``block * BLOCK + i``'s first ``copies`` incidents."""
        first, replication = self.first[i], self.block * BLOCK + i
        return [IncidentDraws(replication, copy, values, self)
                for copy, values in enumerate(self._values[first:first + copies].tolist())]

    def extra_response(self, replication: int, copy: int, k: int, business: bool) -> float:
        """A paging beyond those drawn per block, from the replication's own stream."""
        key = (REPLICATION_KEY, replication, self.incident, copy, RESPONSE, k)
        response = self.response
        chosen = response.business_hours if business else response.after_hours
        return float(chosen.ppf(uniforms(self.root, key, 1))[0])

    def extra_attempt(self, replication: int, copy: int, k: int) -> tuple[list[float], bool]:
        """A repair attempt beyond those drawn per block, from the replication's own stream."""
        column = partial(_replication_column, self.root,
                         (REPLICATION_KEY, replication, self.incident, copy))
        work = [float(c[0]) for c in self._attempt_columns(column, k)]
        key = (REPLICATION_KEY, replication, self.incident, copy, REPAIR, k)
        u = uniforms(self.root, key, 1)[0]
        return work, bool(u >= self.scenario.fix.repair_failure_probability)


def _block_column(root: int, prefix: tuple[int, ...], copies: int, used: np.ndarray, purpose: int,
                  index: int = 0) -> np.ndarray:
    """A block's uniforms for ``purpose`` and ``index``: the values of the incidents ``used``
    marks. (A partial of this, not a closure: a compiled closure would hold a reference cycle.)"""
    return chosen(uniforms(root, (*prefix, purpose, index), copies * BLOCK), used)


def _replication_column(root: int, prefix: tuple[int, ...], purpose: int, index: int) -> np.ndarray:
    """One uniform for ``purpose`` and ``index`` from a replication's own stream."""
    return uniforms(root, (*prefix, purpose, index), 1)


def chosen(u: np.ndarray, used: np.ndarray) -> np.ndarray:
    """The values of a stream of ``used.size`` uniforms, copy-major, that ``used`` (copies ×
    BLOCK) marks, replication by replication."""
    return u.reshape(used.shape).T[used.T]


def _onset(scenario: Scenario, week: Week, u: np.ndarray) -> np.ndarray:
    """Onset as minutes from Monday 00:00: fixed, or drawn in proportion to demand."""
    onset = scenario.onset
    random_day, random_time = onset.weekday == "random", onset.time_of_day == "random"
    if not random_day and not random_time:
        day = WEEKDAYS.index(onset.weekday)
        return np.full(BLOCK, day * MINUTES_PER_DAY + float(parse_clock(onset.time_of_day)))
    if random_day and random_time:
        start, span = np.zeros(BLOCK), np.full(BLOCK, 7.0 * MINUTES_PER_DAY)
    elif random_time:
        start = np.full(BLOCK, WEEKDAYS.index(onset.weekday) * float(MINUTES_PER_DAY))
        span = np.full(BLOCK, float(MINUTES_PER_DAY))
    else:  # a fixed time of day on a weekday drawn by that hour's demand
        clock = parse_clock(onset.time_of_day) % MINUTES_PER_DAY
        weights = np.array([week.hourly[d * 24 + clock // 60] for d in range(7)])
        days = np.searchsorted(np.cumsum(weights) / weights.sum(), u, side="right")
        return np.minimum(days, 6) * MINUTES_PER_DAY + float(clock)
    low = week.cumulative_array(start)
    high = week.cumulative_array(start + span)
    return week.inverse_cumulative(low + u * (high - low))


def _first_complaint(scenario: Scenario, week: Week, onset: np.ndarray,
                     u: np.ndarray) -> np.ndarray:
    """Minutes from onset to the first customer report: a Poisson process at affected demand.

    Its intensity is customers_per_minute · severity · report_probability · w(t); the first event
    comes where the cumulative intensity reaches an Exp(1) variate (DESIGN §11).
    """
    reports = scenario.detection.customer_reports
    rate = 0.0
    if reports is not None:
        rate = scenario.demand.customers_per_minute * scenario.severity * reports.report_probability
    if rate <= 0:
        return np.full(np.shape(u), math.inf)
    exposure = -np.log1p(-u) / rate  # minutes at mean demand until the first report
    start = week.cumulative_array(onset)
    return week.inverse_cumulative(start + exposure) - onset
