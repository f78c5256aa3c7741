"""Run replications of a scenario under several strategies, serially or on worker processes.

Work is split into chunks of one block of draws (``draws.BLOCK``); every strategy runs on the same
chunk's draws (common random numbers), and chunks are reassembled in replication order, so the
numbers are identical for any worker count and on every run.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from .draws import BLOCK, DrawTable
from .engine import Incident, Model, Outcome
from .scenario import Scenario, load_scenario
from .strategies import Strategy, StrategyError, parse_strategy

Progress = Callable[[int], None]  # called with the number of replications just finished


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

    def chunk(self, block: int, start: int, stop: int) -> dict[str, list[Outcome]]:
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


def run_chunk(job: Job, block: int, start: int, stop: int) -> dict[str, list[Outcome]]:
    """Simulate rows ``start:stop`` of one block under every strategy of the job."""
    model = _model(job)
    table = DrawTable(job.scenario, job.seed, block, week=model.week)
    rows = [table.row(i) for i in range(start, stop)]
    return {label: [Incident(model, draws, strategy, label).run() for draws in rows]
            for label, strategy in job.strategies}


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a finished incident holds no reference cycle, so
    reference counting frees it, and collections would only re-scan the results kept so far."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def execute(job: Chunked, replications: int, workers: int = 1,
            progress: Progress | None = None) -> dict[str, list]:
    """Run all chunks (on ``workers`` processes when above 1) and join them in order."""
    pieces = chunks(replications)
    outcomes: dict[str, list] = {label: [] for label, _ in job.strategies}

    def collect(result: dict[str, list]) -> None:
        for label, rows in result.items():
            outcomes[label].extend(rows)
        if progress is not None:
            progress(len(next(iter(result.values()))))

    workers = max(1, min(workers, len(pieces)))
    if workers == 1:
        with _collector_paused():
            for piece in pieces:
                collect(job.chunk(*piece))
        return outcomes
    with ProcessPoolExecutor(workers, mp_context=_context(), initializer=_set_job,
                             initargs=(job,)) as pool:
        for result in pool.map(_run_piece, pieces):  # map keeps submission order
            collect(result)
    return outcomes


def to_frame(outcomes: dict[str, list[Outcome]]) -> pd.DataFrame:
    """One row per replication and strategy; ``strategy`` is ordered as given."""
    labels = list(outcomes)
    frames = []
    for label, rows in outcomes.items():
        frame = pd.DataFrame.from_records(rows, columns=Outcome._fields)
        frame.insert(0, "replication", np.arange(len(rows)))
        frame.insert(0, "strategy", label)
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    frame["strategy"] = pd.Categorical(frame["strategy"], categories=labels, ordered=True)
    frame["mitigated_by"] = frame["mitigated_by"].astype("category")
    return frame


def simulate(scenario: Scenario | str | Path,
             strategies: Sequence[str | Strategy] | Mapping[str, Strategy] =
             ("fix-only", "fix-plus-workaround"),
             replications: int = 10_000, seed: int | None = None, workers: int = 1,
             progress: Progress | None = None) -> Any:
    """Simulate ``replications`` outages per strategy on common random numbers.

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
    frame = to_frame(execute(job, replications, workers, progress))
    return Results(frame, job, replications)


def replay(job: Job, label: str, replication: int) -> Incident:
    """Re-run one replication under one strategy with its event log (deterministic)."""
    strategy = dict(job.strategies)[label]
    model = _model(job)
    table = DrawTable(job.scenario, job.seed, replication // BLOCK, week=model.week)
    incident = Incident(model, table.row(replication % BLOCK), strategy, label, log=True)
    incident.run()
    return incident


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


_MODELS: dict[int, tuple[Scenario, Model]] = {}
_JOB: Chunked | None = None


def _model(job: Job) -> Model:
    """The compiled model of a job's scenario, built once per process."""
    cached = _MODELS.get(id(job.scenario))
    if cached is None or cached[0] is not job.scenario:
        _MODELS.clear()
        cached = _MODELS[id(job.scenario)] = (job.scenario, Model(job.scenario))
    return cached[1]


def _set_job(job: Chunked) -> None:
    """Worker start-up: keep the job; workers only simulate, so they run without the collector."""
    global _JOB
    _JOB = job
    gc.disable()


def _run_piece(piece: tuple[int, int, int]) -> dict[str, list]:
    assert _JOB is not None
    return _JOB.chunk(*piece)


def _context() -> multiprocessing.context.BaseContext:
    """Fork where the platform has it (fast, and user strategies defined in a notebook work)."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)
