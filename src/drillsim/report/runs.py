"""The runs a report stands on: reused from the results store when a matching run is there,
else simulated and recorded under the report's quarter; and earlier quarters for the trend.

A run matches when it is of the same kind, quarter, scenario (its SHA-256, so an edited file
never matches), strategies, seed, replication count and drillsim version: it would give the same
numbers, so the report reads them back instead of simulating again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import __version__, analysis
from ..portfolio import Portfolio
from ..quarter import QuarterJob, simulate_quarter
from ..results import HEADLINE, QuarterResults, Results
from ..runner import Job, resolve_strategies, simulate
from ..scenario import Scenario
from ..store import Store

Progress = Callable[[int, str], Callable[[int], None] | None]  # (total, label) -> a progress hook


@dataclass(frozen=True)
class Obtained:
    """Results, and where they came from: a run id in the store (reused or newly recorded)."""

    results: Results
    run_id: int | None
    reused: bool


@dataclass
class Source:
    """Where the report's runs come from and go to."""

    store: Store | None
    quarter: str
    command: str
    baseline: str
    workers: int = 1
    progress: Progress | None = None

    def scenario(self, scenario: Scenario, strategies: tuple[str, ...], replications: int,
                 seed: int) -> Obtained:
        """One scenario under the strategies, reused or simulated (and recorded)."""
        found = self._match(scenario, "run", strategies, replications, seed)
        if found is not None:
            job = Job(scenario, resolve_strategies(strategies), seed)
            return Obtained(Results(self.store.frame(found), job, replications), found, True)
        hook = self.progress(replications, scenario.name) if self.progress else None
        results = simulate(scenario, list(strategies), replications, seed, workers=self.workers,
                           progress=hook)
        return self._record(results, "run")

    def portfolio(self, portfolio: Portfolio, strategies: tuple[str, ...], replications: int,
                  seed: int) -> Obtained:
        """A quarter of the portfolio under the strategies, reused or simulated (and recorded)."""
        found = self._match(portfolio, "quarter", strategies, replications, seed)
        if found is not None:
            job = QuarterJob(portfolio, resolve_strategies(strategies), seed)
            return Obtained(QuarterResults(self.store.frame(found), job, replications), found, True)
        hook = self.progress(replications, portfolio.name) if self.progress else None
        results = simulate_quarter(portfolio, list(strategies), replications, seed,
                                   workers=self.workers, progress=hook)
        return self._record(results, "quarter")

    def _match(self, target: Any, kind: str, strategies: tuple[str, ...], replications: int,
               seed: int) -> int | None:
        if self.store is None or not target.digest:
            return None
        runs = self.store.runs(scenario=target.name, quarter=self.quarter)
        same = runs[(runs.kind == kind) & (runs.scenario_sha256 == target.digest)
                    & (runs.seed == seed) & (runs.replications == replications)
                    & (runs.drillsim_version == __version__)
                    & runs.strategies.map(lambda s: tuple(s) == tuple(strategies))]
        return None if same.empty else int(same.id.iloc[-1])

    def _record(self, results: Results, kind: str) -> Obtained:
        if self.store is None:
            return Obtained(results, None, False)
        run_id = self.store.record(results, self.command, kind, quarter=self.quarter,
                                   baseline=self.baseline)
        return Obtained(results, run_id, False)


@dataclass(frozen=True)
class Point:
    """One quarter of one scenario in the trend: each strategy's mean customer-impact minutes
    and the reduction of the challenger against the baseline."""

    quarter: str
    run_id: int
    sha256: str | None
    seed: int
    replications: int
    means: dict[str, tuple[float, float]]  # strategy: (mean, standard error)
    reduction: float | None
    reduction_ci: list[float] | None


def history(store: Store, scenario: str, before: str, baseline: str, challenger: str) -> list[Point]:
    """The latest run of each quarter before ``before`` that compared the two strategies on
    ``scenario``, oldest first."""
    runs = store.runs(scenario=scenario)
    runs = runs[(runs.kind == "run") & (runs.quarter < before)
                & runs.strategies.map(lambda s: baseline in s and challenger in s)]
    latest = runs.groupby("quarter").id.max()
    return [point(store, int(run_id), quarter, baseline, challenger)
            for quarter, run_id in latest.items()]


def point(store: Store, run_id: int, quarter: str, baseline: str, challenger: str) -> Point:
    """A stored run as a point of the trend, computed from its replications."""
    record = store.run(run_id)
    frame = store.frame(run_id)
    values = {s: frame[frame.strategy == s].set_index("replication")[HEADLINE].to_numpy()
              for s in (baseline, challenger)}
    means = {s: (float(np.mean(v)), float(np.std(v, ddof=1) / np.sqrt(len(v))) if len(v) > 1
                 else float("nan")) for s, v in values.items()}
    reduction, interval = analysis.reduction(values[baseline], values[challenger])
    return Point(quarter, run_id, record["scenario"]["sha256"], record["seed"],
                 record["replications"], means, reduction, interval)
