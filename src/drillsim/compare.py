"""Staffing strategies compared over many configurations: sweeps, break-even, sensitivity, tuning.

A planner's question is never one run: which strategy wins at which team size, incident load and
workaround quality, and how sure are we. ``sweep`` runs a full factorial of varied fields
(``vary.py``) for a scenario or a portfolio; ``break_even`` bisects one field for where the winner
flips; ``sensitivity`` moves each parameter to a low and a high value for a tornado chart;
``optimize`` tunes a strategy's parameter. Every configuration (cell) uses the same root seed and
replication indices, so cells are paired on common random numbers (DESIGN §6): a difference
between cells is the configuration's, not the draws', and quantile-mapped draws move smoothly
with a parameter, which is what makes bisection work. Work is cut into (cell, block) pieces and
runs on any backend (``backends.py``) with identical numbers.

>>> sw = sweep("website-outage", ["fix-only", "fix-plus-workaround"],
...            {"team.responders": [1, 2, 3, 4]}, replications=2000, seed=1)   # doctest: +SKIP
>>> sw.frame; sw.plot_lines("team.responders")                                  # doctest: +SKIP
>>> break_even("website-outage", "workarounds[*].success_probability", 0, 1)  # doctest: +SKIP
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import analysis
from .backends import Backend, Progress, opened
from .engine import Outcome
from .portfolio import Portfolio, portfolio_from
from .quarter import QuarterJob
from .results import QuarterResults, Results
from .runner import Columns, Job, chunks, columns, new_seed, resolve_strategies, to_frame
from .scenario import Scenario, find_scenario
from .scenario.loading import read_document, scenario_from
from .strategies import REGISTRY, Strategy, StrategyError, parse_strategy
from .vary import Factor, Field, VaryError, apply, current, parse_value
from .vary import fields as checked_fields

Target = Scenario | Portfolio
DEFAULT_STRATEGIES = ("fix-only", "fix-plus-workaround")
REPLICATIONS = 2000
BISECTION_STEPS = 8  # halvings of the searched range when no tolerance is given
SAFE_NAME = r"^[^.\[\]]+$"  # a list item's name usable in a path


def load_target(target: Target | str | Path) -> Target:
    """A scenario or a portfolio, given as itself, a file or a library scenario's name; the file
    is read and parsed once, whichever it holds."""
    if isinstance(target, Scenario | Portfolio):
        return target
    document = read_document(find_scenario(target))
    return portfolio_from(document) if "systems" in document.data else scenario_from(document)


@dataclass(frozen=True)
class SweepJob:
    """The runner's unit of work for many configurations: one job per cell, all on the same root
    seed and strategies; a piece is (cell, block, start, stop)."""

    jobs: tuple[Job | QuarterJob, ...]

    @property
    def strategies(self) -> tuple[tuple[str, Strategy], ...]:
        return self.jobs[0].strategies

    def chunk(self, cell: int, block: int, start: int, stop: int) -> dict[str, Columns]:
        """Each strategy's outcomes as ``columns``, built here: on a worker, in parallel, and they
        cross back to the parent as a few arrays instead of thousands of tuples."""
        job = self.jobs[cell]
        if isinstance(job, QuarterJob):
            return {label: columns([totals for totals, _ in rows], job.columns)
                    for label, rows in job.chunk(block, start, stop).items()}
        return {label: columns(rows, Outcome._fields)
                for label, rows in job.chunk(block, start, stop).items()}


def evaluate(targets: Sequence[Target], strategies: tuple[tuple[str, Strategy], ...],
             replications: int, seed: int, backend: Backend,
             progress: Progress | None = None,
             ready: Callable[[Results], object] | None = None) -> list[Results]:
    """Every target under every strategy on the same draws, in one run of the backend over all
    their pieces; a ``Results`` (``QuarterResults`` for a portfolio) per target, each built as
    soon as its last piece is in, while the others run, and handed to ``ready`` then (so work
    on it can be done meanwhile)."""
    jobs = tuple(QuarterJob(t, strategies, seed) if isinstance(t, Portfolio) else
                 Job(t, strategies, seed) for t in targets)
    blocks = chunks(replications)
    pieces = [(cell, *piece) for cell in range(len(jobs)) for piece in blocks]
    arrived: dict[int, dict[int, dict[str, Columns]]] = {}
    done: dict[int, Results] = {}
    for i, result in backend.completed(SweepJob(jobs), pieces, progress):
        cell, block = divmod(i, len(blocks))
        parts = arrived.setdefault(cell, {})
        parts[block] = result
        if len(parts) == len(blocks):
            del arrived[cell]
            frame = to_frame({label: [parts[b][label] for b in range(len(blocks))]
                              for label, _ in strategies})
            kind = QuarterResults if isinstance(jobs[cell], QuarterJob) else Results
            done[cell] = kind(frame, jobs[cell], replications)
            if ready is not None:
                ready(done[cell])
    return [done[cell] for cell in range(len(jobs))]


class Sweep:
    """A full factorial of varied fields, every cell under every strategy on the same draws.

    ``frame`` has one row per cell and strategy: the varied fields (multipliers as their
    factor), the headline metric's mean with its 95% CI, median and p90, and against the baseline
    the paired difference and reduction with CIs and the shares of replications better, tied and
    worse. ``results[cell]`` is that cell's ``Results``; ``rows()`` every replication.
    """

    def __init__(self, target: Target, fields: list[Field], cells: list[dict[str, Any]],
                 results: list[Results], baseline: str | None = None) -> None:
        self.target, self.fields, self.cells, self.results = target, fields, cells, results
        self.baseline = baseline or self.strategies[0]
        if self.baseline not in self.strategies:
            raise StrategyError(f"baseline {self.baseline!r} is not among the strategies "
                                f"{', '.join(self.strategies)}")
        self.metric = results[0].headline_metric
        self.frame = self._frame()

    @property
    def strategies(self) -> list[str]:
        return self.results[0].strategies

    @property
    def seed(self) -> int:
        return self.results[0].seed

    @property
    def replications(self) -> int:
        return self.results[0].replications

    @property
    def challengers(self) -> list[str]:
        return [s for s in self.strategies if s != self.baseline]

    def label(self, metric: str | None = None) -> str:
        return self.results[0].label(metric or self.metric)

    def _frame(self) -> pd.DataFrame:
        records = []
        for cell, (values, res) in enumerate(zip(self.cells, self.results, strict=True)):
            for label, (d, c) in res.figures(self.baseline, self.metric).items():
                records.append({
                    "cell": cell, **{f.path: _plain(values[f.path]) for f in self.fields},
                    "strategy": label, "mean": d["mean"], **_bounds("mean", d["mean_ci95"]),
                    "median": d["median"], "p90": d["p90"],
                    "difference": c.get("mean_difference"), **_bounds("difference", c.get("ci95")),
                    "reduction": c.get("reduction"),
                    **_bounds("reduction", c.get("reduction_ci95")),
                    **{k: c.get(k) for k in ("win_share", "tie_share", "loss_share")}})
        frame = pd.DataFrame.from_records(records)
        frame["strategy"] = pd.Categorical(frame["strategy"], categories=self.strategies,
                                           ordered=True)
        return frame.fillna(np.nan).infer_objects()

    def headline(self) -> list[str]:
        """One plain sentence per challenger: in how many cells it wins, loses or ties, and where
        its reduction is largest and smallest."""
        if len(self.cells) == 1:
            return self.results[0].headline(self.baseline)
        lines = []
        what = f"mean {self.label()}"
        for label in self.challengers:
            rows = self.frame[self.frame["strategy"] == label]
            counts = {"cuts": (rows["difference_high"] < 0).sum(),
                      "raises": (rows["difference_low"] > 0).sum(),
                      "ties": (rows["tie_share"] == 1).sum()}
            counts["is within noise of"] = len(rows) - sum(counts.values())
            line = f"{label} against {self.baseline}, {what}, over {len(rows)} cells: " + ", ".join(
                f"{verb} it in {count}" if verb != "ties" else f"ties in {count} (every replication)"
                for verb, count in counts.items() if count)
            known = rows.dropna(subset=["reduction"])
            if not known.empty:
                top, bottom = known.loc[known["reduction"].idxmax()], known.loc[known["reduction"].idxmin()]
                line += (f". Its reduction runs from {bottom['reduction'] * 100:.0f}% "
                         f"({self._where(bottom)}) to {top['reduction'] * 100:.0f}% "
                         f"({self._where(top)})")
            lines.append(line + ".")
        return lines

    def _where(self, row: pd.Series) -> str:
        return ", ".join(f"{f.path}={self.cells[int(row['cell'])][f.path]}" for f in self.fields)

    def rows(self) -> pd.DataFrame:
        """Every replication of every cell: ``cell`` (join ``frame`` on it for the varied fields)
        and the cell's metrics. ``replication`` counts on through the cells (cell c's replication r
        is c·n + r), so each row of the sweep has its own key; rows are ordered by strategy, then
        replication. This is what the results store keeps of a sweep."""
        frames = []
        n = self.replications
        for cell, res in enumerate(self.results):
            frame = res.frame.copy()
            frame["replication"] += cell * n
            frame.insert(2, "cell", cell)
            frames.append(frame)
        kinds = {name: frame[name].dtype for name in frames[0].columns}
        out = pd.concat(frames, ignore_index=True)
        for name, dtype in kinds.items():
            if isinstance(dtype, pd.CategoricalDtype) and name != "strategy":
                out[name] = out[name].astype("category")
        return out.sort_values(["strategy", "replication"], kind="stable", ignore_index=True)

    def to_dict(self, baseline: str | None = None) -> dict[str, Any]:
        """The JSON document of ``drillsim compare --json`` (null, never NaN)."""
        frame = self.frame.astype(object).where(self.frame.notna(), None)
        return {
            "target": self.target.summary(),
            "seed": self.seed,
            "replications": self.replications,
            "strategies": self.strategies,
            "baseline": self.baseline,
            "metric": self.metric,
            "fields": [{"path": f.path, "factor": f.factor, "values": [_plain(v) for v in f.values]}
                       for f in self.fields],
            "cells": frame.to_dict(orient="records"),
            "headline": self.headline(),
        }

    def plot_heatmap(self, x: str, y: str, ax=None, strategy: str | None = None,
                     value: str = "reduction", where: Mapping[str, Any] | None = None):
        """``value`` (reduction, difference or mean) of ``strategy`` (the first challenger) over
        two varied fields; other varied fields at ``where`` (default: their first value)."""
        from .plots import sweep_heatmap

        return sweep_heatmap(self, x, y, strategy, value, where, ax)

    def plot_lines(self, x: str, ax=None, strategy: str | None = None, value: str = "reduction",
                   where: Mapping[str, Any] | None = None):
        """``value`` with its 95% CI band over one varied field, a line per combination of the
        other varied fields (or only those at ``where``)."""
        from .plots import sweep_lines

        return sweep_lines(self, x, strategy, value, where, ax)

    def __repr__(self) -> str:
        return (f"<Sweep {self.target.name}: {len(self.cells)} cells × "
                f"{', '.join(self.strategies)}; {self.replications} replications, seed {self.seed}>")


class SweepRecord:
    """A sweep as the results store records it (``kind="compare"``): every replication of every
    cell as its frame, and the sweep's JSON — with any analyses done with it — as summaries."""

    def __init__(self, sweep: Sweep, analyses: Mapping[str, Any] | None = None) -> None:
        self.sweep, self.analyses = sweep, dict(analyses or {})
        self.frame = sweep.rows()
        self.scenario, self.seed, self.replications = sweep.target, sweep.seed, sweep.replications
        self.job = sweep.results[0].job
        self.strategies = sweep.strategies

    def to_dict(self, baseline: str | None = None) -> dict[str, Any]:
        return {**self.sweep.to_dict(), **self.analyses}


def sweep(target: Target | str | Path,
          strategies: Sequence[str | Strategy] | Mapping[str, Strategy] = DEFAULT_STRATEGIES,
          vary: Mapping[str, Sequence] | Sequence[str] | None = None,
          replications: int = REPLICATIONS, seed: int | None = None,
          backend: str | Backend = "processes", workers: int | None = None, dask: Any = None,
          progress: Progress | None = None, baseline: str | None = None) -> Sweep:
    """Every combination of the varied fields under every strategy, on common random numbers.

    ``vary`` is ``{"team.responders": [1, 2, 3]}`` or ``["team.responders=1..6", ...]`` (see
    ``vary.py``); without it the sweep has one cell, the target as written. ``backend`` is
    ``serial``, ``processes`` (``workers`` of them, default one per core) or ``dask`` (``dask``:
    a scheduler address, ``"local"`` or a Client), or a ``Backend``; the numbers are the same on
    each. ``progress`` is called with replications done, ``cells × replications`` in all.
    """
    target = load_target(target)
    _check(replications)
    varied = checked_fields(target, vary)
    cells = [dict(zip([f.path for f in varied], combo, strict=True))
             for combo in itertools.product(*(f.values for f in varied))]
    labelled = resolve_strategies(strategies)
    if baseline is not None and baseline not in dict(labelled):
        raise StrategyError(f"baseline {baseline!r} is not among the strategies "
                            f"{', '.join(dict(labelled))}")
    seed = new_seed() if seed is None else int(seed)
    base = baseline or labelled[0][0]
    with opened(backend, workers, dask) as runner:  # each cell's figures while the others run
        results = evaluate([apply(target, cell) for cell in cells], labelled, replications, seed,
                           runner, progress, lambda res: res.figures(base, res.headline_metric))
    return Sweep(target, varied, cells, results, baseline)


def break_even(target: Target | str | Path, field: str, low: Any, high: Any,
               strategies: Sequence[str] = DEFAULT_STRATEGIES, replications: int = REPLICATIONS,
               seed: int | None = None, metric: str | None = None, tolerance: float | None = None,
               backend: str | Backend = "processes", workers: int | None = None, dask: Any = None,
               progress: Progress | None = None) -> dict[str, Any]:
    """Where between ``low`` and ``high`` of ``field`` the winner of two strategies flips.

    The paired mean difference of ``metric`` (default the headline), challenger − baseline, is
    bisected on common random numbers to ``tolerance`` (default the range / 2⁸; whole numbers
    for a whole-number field, where ``value`` is the first whole number on the far side of the
    flip). Its 95% CI holds the values where the difference's CI contains 0: the places where
    the CI's two bounds cross 0, bisected the same way (``ci95`` is None when one lies outside
    the range). ``direction`` says on which side of ``value`` the challenger wins;
    ``evaluations`` lists every value simulated.
    """
    target = load_target(target)
    _check(replications)
    labelled = resolve_strategies(strategies)
    if len(labelled) != 2:
        raise StrategyError("break-even compares two strategies: a baseline and a challenger")
    search = _Search(target, field, low, high, labelled, replications,
                     new_seed() if seed is None else int(seed), metric, tolerance)
    with opened(backend, workers, dask) as runner:
        return search.run(runner, progress)


class _Search:
    """The bisections of ``break_even``, sharing every evaluation: a value once simulated is
    never simulated again, and the CI bounds' searches start from the brackets found so far."""

    def __init__(self, target: Target, field: str, low: Any, high: Any,
                 strategies: tuple[tuple[str, Strategy], ...], replications: int, seed: int,
                 metric: str | None, tolerance: float | None) -> None:
        low, high = parse_value(low, field), parse_value(high, field)
        checked_fields(target, {field: [low, high]})  # a bad path or value fails before any work
        self.factor = isinstance(low, Factor)
        self.a, self.b = (low.value, high.value) if self.factor else (float(low), float(high))
        if not self.a < self.b:
            raise VaryError(f"{field}: a break-even search needs its low end below its high end")
        self.whole = not self.factor and all(
            isinstance(v, int) and not isinstance(v, bool) for v in (low, high, *current(target, field)))
        span = self.b - self.a
        steps = BISECTION_STEPS if tolerance is None else math.ceil(math.log2(span / tolerance))
        self.stop = 1 if self.whole else span / 2 ** max(1, steps)
        self.target, self.field, self.strategies = target, field, strategies
        self.replications, self.seed, self.metric = replications, seed, metric
        self.seen: dict[float, dict[str, Any]] = {}

    def given(self, v: float) -> Any:
        """A searched number as the field's value."""
        return Factor(v) if self.factor else int(v) if self.whole else v

    def measure(self, values: list[float]) -> None:
        fresh = [v for v in values if v not in self.seen]
        if not fresh:
            return
        cells = [apply(self.target, {self.field: self.given(v)}) for v in fresh]
        for v, res in zip(fresh, evaluate(cells, self.strategies, self.replications, self.seed,
                                          self.runner, self.progress), strict=True):
            self.metric = self.metric or res.headline_metric
            (c,) = res.comparisons(self.strategies[0][0], (self.metric,))
            self.seen[v] = {"value": _plain(self.given(v)), "difference": c["mean_difference"],
                            "ci95": c["ci95"]}

    def root(self, height: Callable[[dict], float | None], near: float) -> float | None:
        """Where ``height`` crosses 0, bisected in the bracket of known values nearest ``near``."""
        def h(v: float) -> float:
            value = height(self.seen[v])
            return math.nan if value is None else value

        points = sorted(self.seen)
        brackets = [(p, q) for p, q in itertools.pairwise(points) if h(p) * h(q) < 0]
        if not brackets:
            return None
        p, q = min(brackets, key=lambda pq: abs(pq[0] + pq[1] - 2 * near))
        while q - p > self.stop:
            m = (p + q) // 2 if self.whole else (p + q) / 2
            self.measure([m])
            p, q = (m, q) if h(m) * h(p) > 0 else (p, m)
        if self.whole:
            return q
        return p + (q - p) * h(p) / (h(p) - h(q))

    def run(self, runner: Backend, progress: Progress | None) -> dict[str, Any]:
        self.runner, self.progress = runner, progress
        self.measure([self.a, self.b])
        value = self.root(lambda e: e["difference"], (self.a + self.b) / 2)
        ci = None
        if value is not None:
            bounds = [self.root(lambda e, k=k: (e["ci95"] or [None, None])[k], value) for k in (0, 1)]
            ci = None if None in bounds else sorted(bounds)
        return self.result(value, ci)

    def result(self, value: float | None, ci: list[float] | None) -> dict[str, Any]:
        (baseline, _), (challenger, _) = self.strategies
        high_side = self.seen[self.b]["difference"]
        wins_above = high_side is not None and high_side < 0
        label = _label(self.target, self.metric)
        name = f"{self.field} (×)" if self.factor else self.field
        shown = (lambda v: f"x{v:.3g}") if self.factor else (lambda v: f"{v:.3g}")
        if value is None:
            ends = [self.seen[v]["difference"] for v in (self.a, self.b)]
            winner = challenger if all(d is not None and d < 0 for d in ends) else \
                baseline if all(d is not None and d > 0 for d in ends) else None
            text = (f"{winner} has the lower mean {label} from {shown(self.a)} to {shown(self.b)} "
                    f"of {self.field}: the winner does not flip in that range." if winner else
                    f"{challenger} and {baseline} tie at an end of {shown(self.a)}–{shown(self.b)} "
                    f"of {self.field}: no flip to locate.")
        else:
            side, other = ("above", "below") if wins_above else ("below", "above")
            if self.whole:
                value, ci = int(value), ci and [int(c) for c in ci]
                where = (f"from {self.field} = {value} up" if wins_above else
                         f"up to {self.field} = {value - 1}")
            else:
                where = f"{side} {name} = {shown(value)}"
            interval = f" (95% CI of the flip {shown(ci[0])}–{shown(ci[1])})" if ci else \
                " (the 95% CI of the flip reaches past the searched range)"
            text = (f"{challenger} beats {baseline} on mean {label} {where}{interval}; "
                    f"{other} that, {baseline} wins.")
        return {"field": self.field, "low": _plain(self.given(self.a)),
                "high": _plain(self.given(self.b)), "baseline": baseline, "strategy": challenger,
                "metric": self.metric, "value": value, "ci95": ci,
                "direction": None if value is None else "above" if wins_above else "below",
                "text": text, "evaluations": [self.seen[v] for v in sorted(self.seen)]}


def default_fields(target: Target, spread: float = 0.2) -> dict[str, tuple[Any, Any]]:
    """The parameters a tornado chart moves by default, each to (low, high): for a scenario each
    fix phase's duration, each usable workaround's success probability, coverage and activation
    time, the team's size and its response times; for a portfolio each system's incident rate
    and the team's size. Durations and rates move by ×(1 ± spread), probabilities by the same
    share (at most 1), the team by one person."""
    factors = (Factor(round(1 - spread, 6)), Factor(round(1 + spread, 6)))
    out: dict[str, tuple[Any, Any]] = {}

    def share(p: float) -> tuple[float, float]:
        return round(p * (1 - spread), 6), round(min(1.0, p * (1 + spread)), 6)

    if isinstance(target, Portfolio):
        for i, system in enumerate(target.systems):
            out[f"systems[{_key(system.name or system.scenario, i)}].rate"] = factors
    else:
        for i, phase in enumerate(target.fix.phases):
            out[f"fix.phases[{_key(phase.name, i)}].duration"] = factors
        for i, option in enumerate(target.workarounds):
            if target.available(option):
                key = f"workarounds[{_key(option.name, i)}]"
                out[f"{key}.success_probability"] = share(option.success)
                out[f"{key}.coverage"] = share(option.coverage)
                out[f"{key}.activate"] = factors
        out["team.response.business_hours"] = out["team.response.after_hours"] = factors
    size = len(target.team.names)
    out["team.responders"] = (max(1, size - 1), size + 1)
    return out


def sensitivity(target: Target | str | Path,
                fields: Mapping[str, tuple[Any, Any]] | None = None, spread: float = 0.2,
                strategies: Sequence[str] = DEFAULT_STRATEGIES, replications: int = REPLICATIONS,
                seed: int | None = None, metric: str | None = None,
                backend: str | Backend = "processes", workers: int | None = None, dask: Any = None,
                progress: Progress | None = None) -> pd.DataFrame:
    """How far each parameter, moved to its low and its high value, moves the paired mean
    difference of two strategies (challenger − baseline; ``metric`` default the headline).

    ``fields`` maps a path to (low, high) — numbers or multipliers such as ``("x0.8", "x1.2")``;
    by default ``default_fields(target, spread)``. One row per field, largest swing first:
    low, high, the difference at each with its 95% CI, and the swing between them;
    ``frame.attrs`` holds the difference at the target as written (``base``), the strategies
    and the metric. Every value runs on the same draws, in one run of the backend.
    """
    target = load_target(target)
    _check(replications)
    labelled = resolve_strategies(strategies)
    if len(labelled) != 2:
        raise StrategyError("sensitivity compares two strategies: a baseline and a challenger")
    moves = default_fields(target, spread) if fields is None else dict(fields)
    for path, ends in moves.items():
        if len(ends) != 2:
            raise VaryError(f"{path}: give a low and a high value")
    checked = checked_fields(target, {path: list(ends) for path, ends in moves.items()})
    cells = [apply(target, {})] + [apply(target, {f.path: v}) for f in checked for v in f.values]
    with opened(backend, workers, dask) as runner:
        results = evaluate(cells, labelled, replications, new_seed() if seed is None else int(seed),
                           runner, progress)
    metric = metric or results[0].headline_metric
    baseline = labelled[0][0]
    differences = [res.comparisons(baseline, (metric,))[0] for res in results]
    records = []
    for i, f in enumerate(checked):
        at_low, at_high = differences[1 + 2 * i], differences[2 + 2 * i]
        low, high = (at_low["mean_difference"], at_high["mean_difference"])
        records.append({"field": f.path, "low": str(f.values[0]) if f.factor else f.values[0],
                        "high": str(f.values[1]) if f.factor else f.values[1],
                        "difference_low": low, "difference_high": high,
                        "difference_low_ci95": at_low["ci95"], "difference_high_ci95": at_high["ci95"],
                        "swing": abs(high - low) if None not in (low, high) else None})
    frame = pd.DataFrame.from_records(records)
    frame = frame.sort_values("swing", ascending=False, kind="stable", ignore_index=True)
    frame.attrs = {"base": differences[0]["mean_difference"], "base_ci95": differences[0]["ci95"],
                   "baseline": baseline, "strategy": labelled[1][0], "metric": metric,
                   "label": _label(target, metric)}
    return frame


def plot_tornado(frame: pd.DataFrame, ax=None):
    """A tornado chart of ``sensitivity``'s frame: each field's difference at its low and high
    value as bars from the difference at the target as written, largest swing on top."""
    from .plots import tornado

    return tornado(frame, ax)


def optimize(target: Target | str | Path, strategy: str, parameter: str, low: float, high: float,
             objective: str = "mean", replications: int = REPLICATIONS, seed: int | None = None,
             metric: str | None = None, points: int = 9, rounds: int = 2,
             backend: str | Backend = "processes", workers: int | None = None, dask: Any = None,
             progress: Progress | None = None) -> dict[str, Any]:
    """The value of a strategy's ``parameter`` in [low, high] that minimises the ``objective``
    (``mean`` or ``p90``) of ``metric`` (default the headline).

    Each round evaluates ``points`` values on one grid — as many strategies on the same draws,
    in one run — and the next round a finer grid between the best value's neighbours. Whole
    numbers where the parameter is one (``workaround_staff``). Returns ``value``, the
    ``objective_value`` with its 95% CI, a sentence and the ``curve`` of every value evaluated.
    """
    if objective not in ("mean", "p90"):
        raise ValueError(f"objective: expected mean or p90, found {objective!r}")
    target = load_target(target)
    _check(replications)
    if not low < high or points < 2:
        raise ValueError(f"{parameter}: tuning needs low < high and at least two points")
    whole = isinstance(getattr(parse_strategy(_with(strategy, parameter, low)), parameter, None), int) \
        and float(low).is_integer() and float(high).is_integer()
    seed = new_seed() if seed is None else int(seed)
    seen: dict[float, dict[str, Any]] = {}
    grid = np.linspace(low, high, points)
    with opened(backend, workers, dask) as runner:
        for _ in range(rounds):
            values = sorted({round(v) if whole else float(f"{v:.6g}") for v in grid} - set(seen))
            if not values:
                break
            specs = {_with(strategy, parameter, v): v for v in values}
            (res,) = evaluate([target], resolve_strategies(list(specs)), replications, seed, runner,
                              progress)
            metric = metric or res.headline_metric
            for spec, v in specs.items():
                d = analysis.describe(res.values(spec, metric).to_numpy())
                seen[v] = {"value": v, "objective_value": d[objective],
                           "ci95": d[f"{objective}_ci95"]}
            ordered = sorted(seen)
            best = ordered.index(min(ordered, key=lambda v: _order(seen[v]["objective_value"])))
            grid = np.linspace(ordered[max(0, best - 1)], ordered[min(len(ordered) - 1, best + 1)],
                               points)
    curve = [seen[v] for v in sorted(seen)]
    top = min(curve, key=lambda e: _order(e["objective_value"]))
    label = _label(target, metric)
    spread = [e["objective_value"] for e in curve if e["objective_value"] is not None]
    interval = f" (95% CI {top['ci95'][0]:,.0f}–{top['ci95'][1]:,.0f})" if top["ci95"] else ""
    text = (f"{strategy} with {parameter} = {top['value']:g} gives the lowest {objective} {label}: "
            f"{top['objective_value']:,.0f}{interval}; over {low:g}–{high:g} it runs from "
            f"{min(spread):,.0f} to {max(spread):,.0f}.") if spread else \
        f"{strategy}: no {label} to tune on."
    return {"strategy": strategy, "parameter": parameter, "objective": objective, "metric": metric,
            "value": top["value"], "objective_value": top["objective_value"], "ci95": top["ci95"],
            "text": text, "curve": curve}


def _with(spec: str, parameter: str, value: float) -> str:
    """A strategy spec with one more parameter: ``escalate-after:after_minutes=15``."""
    head, _, rest = spec.partition(":")
    text = f"{parameter}={value!r}"
    if head in REGISTRY:
        return f"{spec},{text}" if rest else f"{spec}:{text}"
    module_class, colon, params = spec.rpartition(":") if spec.count(":") >= 2 else (spec, "", "")
    return f"{module_class}:{params},{text}" if colon else f"{spec}:{text}"


def _check(replications: int) -> None:
    if replications < 1:
        raise ValueError("replications must be at least 1")


def _plain(value: Any) -> Any:
    """A cell's value for frames and JSON: a multiplier as its factor."""
    return value.value if isinstance(value, Factor) else value


def _bounds(name: str, pair: list | None) -> dict[str, float | None]:
    low, high = pair or (None, None)
    return {f"{name}_low": low, f"{name}_high": high}


def _order(x: float | None) -> float:
    return math.inf if x is None else x


def _key(name: str | None, index: int) -> str:
    """A list item in a path: by name where the name fits in one, else by position."""
    return name if name and re.match(SAFE_NAME, name) else str(index)


def _label(target: Target, metric: str | None) -> str:
    """A metric in words, as the results of this kind of target call it."""
    from .results import LABELS, QUARTER_LABELS

    labels = {**LABELS, **QUARTER_LABELS} if isinstance(target, Portfolio) else LABELS
    return labels.get(metric, metric or "")
