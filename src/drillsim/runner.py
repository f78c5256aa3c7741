"""Run replications of a scenario under several strategies, on any backend (``backends.py``).

Work is split into chunks of one block of draws (``draws.BLOCK``); every strategy runs on the same
chunk's draws (common random numbers), and chunks are reassembled in replication order, so the
numbers are identical for any backend or worker count and on every run. A frame is joined from
each chunk's ``columns``: one array per metric, which crosses between processes and joins far
faster than rows or frames.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from .backends import Backend, Processes, Progress, Serial
from .backends import default_workers as default_workers  # the runner's public name for it
from .draws import BLOCK, DrawTable
from .engine import Incident, Model, Outcome
from .engine.course import follow, supports
from .scenario import Scenario, load_scenario
from .strategies import Strategy, StrategyError, parse_strategy

Columns = dict[str, np.ndarray]  # a chunk's outcomes under one strategy: an array per metric


class Chunked(Protocol):
    """A unit of work the runner can split: ``chunk`` simulates rows ``start:stop`` of a block
    under every strategy, on the same draws."""

    strategies: tuple[tuple[str, Strategy], ...]

    def chunk(self, block: int, start: int, stop: int) -> dict[str, list]: ...


@dataclass(frozen=True)
class Job:
    """Single incidents: the scenario, labelled strategies and the root seed."""

    scenario: Scenario
    strategies: tuple[tuple[str, Strategy], ...]
    seed: int

    def chunk(self, block: int, start: int, stop: int) -> dict[str, list[tuple]]:
        return run_chunk(self, block, start, stop)


def resolve_strategies(strategies: Iterable[str | Strategy] | Mapping[str, Strategy]
                       ) -> tuple[tuple[str, Strategy], ...]:
    """Label each strategy (its spec as written, or its ``name``/class) and build it."""
    items = strategies.items() if isinstance(strategies, Mapping) else \
        [(s if isinstance(s, str) else getattr(s, "name", type(s).__name__), s)
         for s in strategies]
    resolved = tuple((label, parse_strategy(spec)) for label, spec in items)
    labels = [label for label, _ in resolved]
    if not labels:
        raise StrategyError("give at least one strategy")
    if len(set(labels)) != len(labels):
        raise StrategyError(f"each strategy may be given once; found {labels}")
    return resolved


def new_seed() -> int:
    """A fresh root seed from the operating system's entropy (recorded with the results)."""
    return int(np.random.SeedSequence().entropy % (2**63))


def chunks(replications: int) -> list[tuple[int, int, int]]:
    """(block, first row, end row) pieces covering replications 0 … n-1 in order."""
    return [(block, 0, min(BLOCK, replications - block * BLOCK))
            for block in range(-(-replications // BLOCK))]


def run_chunk(job: Job, block: int, start: int, stop: int) -> dict[str, list[tuple]]:
    """Simulate rows ``start:stop`` of one block under every strategy of the job: each outcome
    as a plain tuple in ``Outcome``'s field order (a tuple crosses to another process three
    times faster than a named one)."""
    model = _model(job)
    table = DrawTable(job.scenario, job.seed, block, week=model.week)
    rows = [table.row(i) for i in range(start, stop)]
    return {label: simulate_rows(model, rows, strategy, label) for label, strategy in job.strategies}


def simulate_rows(model: Model, rows: list, strategy: Strategy, label: str) -> list[tuple]:
    """Each replication's outcome: by the fast path where it applies (the same numbers, DESIGN
    §6), by the SimPy engine otherwise."""
    fast = supports(model, strategy)
    return [tuple((fast and follow(model, draws, strategy))
                  or Incident(model, draws, strategy, label).run()) for draws in rows]


def execute(job: Chunked, replications: int, workers: int | Backend = 1,
            progress: Progress | None = None) -> dict[str, list]:
    """Run all chunks and join them in replication order: on ``workers`` local processes (one
    runs in this process), or on the backend given instead of a count."""
    pieces = chunks(replications)
    backend = workers if isinstance(workers, Backend) else Serial() if workers <= 1 else \
        Processes(workers)
    outcomes: dict[str, list] = {label: [] for label, _ in job.strategies}
    for result in backend.run(job, pieces, progress):
        for label, rows in result.items():
            outcomes[label].extend(rows)
    return outcomes


def columns(rows: Sequence[tuple], names: Sequence[str]) -> Columns:
    """Rows as one array per named column, each typed as pandas types a frame's column (a float
    column with a missing value is float, a text column holds objects)."""
    frame = pd.DataFrame.from_records(rows, columns=names)
    return {name: frame[name].to_numpy() for name in names}


def to_frame(outcomes: Mapping[str, Sequence[Columns]]) -> pd.DataFrame:
    """One row per replication and strategy; ``strategy`` is ordered as given. Each strategy's
    outcomes come as ``columns`` of its chunks, in replication order: each column is one
    concatenation, and the frame is built once."""
    labels = list(outcomes)
    parts = [part for chunks in outcomes.values() for part in chunks]
    first = next(iter(parts[0]))  # any column gives a chunk's length
    counts = [sum(len(part[first]) for part in chunks) for chunks in outcomes.values()]
    metrics = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    if "mitigated_by" in metrics:  # sorted categories, as astype("category") makes: twice as fast
        codes, categories = pd.factorize(metrics["mitigated_by"], sort=True)
        metrics["mitigated_by"] = pd.Categorical.from_codes(codes, categories)
    return pd.DataFrame({
        "strategy": pd.Categorical.from_codes(np.repeat(np.arange(len(labels)), counts),
                                              categories=labels, ordered=True),
        "replication": np.concatenate([np.arange(count) for count in counts]),
        **metrics})


def simulate(scenario: Scenario | str | Path,
             strategies: Sequence[str | Strategy] | Mapping[str, Strategy] =
             ("fix-only", "fix-plus-workaround"),
             replications: int = 10_000, seed: int | None = None, workers: int | Backend = 1,
             progress: Progress | None = None) -> Any:
    """Simulate ``replications`` outages per strategy on common random numbers, on ``workers``
    local processes or on a backend (``backends.make_backend``).

    >>> res = simulate("scenarios/website-outage.yaml", ["fix-only", "fix-plus-workaround"],
    ...                replications=2000, seed=1)          # doctest: +SKIP
    >>> res.summary(); res.compare("fix-only"); res.frame   # doctest: +SKIP
    """
    from .results import Results

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if replications < 1:
        raise ValueError("replications must be at least 1")
    job = Job(scenario, resolve_strategies(strategies), new_seed() if seed is None else int(seed))
    outcomes = execute(job, replications, workers, progress)
    frame = to_frame({label: [columns(rows, Outcome._fields)] for label, rows in outcomes.items()})
    return Results(frame, job, replications)


def replay(job: Job, label: str, replication: int) -> Incident:
    """Re-run one replication under one strategy with its event log (deterministic)."""
    strategy = dict(job.strategies)[label]
    model = _model(job)
    table = DrawTable(job.scenario, job.seed, replication // BLOCK, week=model.week)
    incident = Incident(model, table.row(replication % BLOCK), strategy, label, log=True)
    incident.run()
    return incident


_COMPILED: dict[int, tuple[Any, Any]] = {}


def compiled(subject: Any, build: Callable[[Any], Any]) -> Any:
    """``build(subject)`` once per process — a scenario's model, a portfolio's — kept while the
    same object is in use (a few at a time)."""
    cached = _COMPILED.get(id(subject))
    if cached is None or cached[0] is not subject:
        if len(_COMPILED) >= 8:
            _COMPILED.clear()
        cached = _COMPILED[id(subject)] = (subject, build(subject))
    return cached[1]


def _model(job: Job) -> Model:
    """The compiled model of a job's scenario."""
    return compiled(job.scenario, Model)
