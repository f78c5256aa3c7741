"""What every command shares: a progress bar that appears only for long work, where the work runs
(``--backend``, ``--workers``, ``--dask``), and the results store's options and recording."""

from __future__ import annotations

import json
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from ..backends import BACKENDS, Backend, BackendError, make_backend
from ..store import DEFAULT_PATH, Store, StoreError
from ..strategies import StrategyError


class LazyProgress:
    """A progress bar on stderr that appears only once work has run for over a second."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done = total, label, 0
        self.started = time.monotonic()
        self.bar: Progress | None = None

    def __call__(self, finished: int) -> None:
        self.done += finished
        if self.bar is None and time.monotonic() - self.started > 1.0 and self.done < self.total:
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                TaskProgressColumn(), TimeRemainingColumn(),
                                console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=self.total)
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def backend_options(command: Callable) -> Callable:
    """``--backend``, ``--workers`` and ``--dask``: where replications run (the numbers are the
    same everywhere)."""
    command = click.option("--dask", metavar="ADDRESS|local",
                           help="run on a Dask cluster: a scheduler address such as "
                                "tcp://scheduler:8786, or local to start one here")(command)
    command = click.option("--workers", type=click.IntRange(min=1), default=None,
                           help="worker processes (processes, or a local Dask cluster) [default: "
                                "one per core]; numbers are the same for any N")(command)
    return click.option("--backend", "backend_name", type=click.Choice(BACKENDS), default=None,
                        help="where replications run: serial, processes (the default) or dask "
                             "(--dask implies it)")(command)


def choose_backend(name: str | None, workers: int | None, dask: str | None) -> Backend:
    """The backend the options ask for, or a one-line error and a non-zero exit."""
    try:
        return make_backend(name or ("dask" if dask else "processes"), workers, dask)
    except BackendError as exc:
        raise click.ClickException(str(exc)) from None


def store_option(command: Callable) -> Callable:
    """``--store PATH``: the results store a command reads or writes."""
    return click.option("--store", "store_path", type=click.Path(dir_okay=False),
                        default=DEFAULT_PATH, show_default=True,
                        help="results store (an SQLite file)")(command)


def recording_options(command: Callable) -> Callable:
    """``--store PATH`` / ``--no-store`` for commands whose results are recorded."""
    command = click.option("--no-store", is_flag=True,
                           help="do not record the results in the store")(command)
    return store_option(command)


def open_store(path: str, create: bool = True) -> Store:
    """The store at ``path``, or a one-line error and a non-zero exit."""
    try:
        return Store(path, create=create)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


def record(store: Store, results: Any, kind: str, baseline: str | None = None) -> None:
    """Record finished results with the command line that made them; say where on stderr."""
    command = shlex.join(["drillsim", *sys.argv[1:]])
    try:
        run_id = store.record(results, command, kind, baseline=baseline)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Recorded as run {run_id} in {store.path}", err=True)


DEFAULT_STRATEGIES = ("fix-only", "fix-plus-workaround")
OUTPUT_KINDS = (".csv", ".parquet")


def comparison_options(replications: int, what: str, rows: str) -> Callable[[Callable], Callable]:
    """The options ``run`` and ``quarter`` share: strategies, size, seed, backend, baseline,
    JSON, a rows file and the store. ``what`` names a replication; ``rows`` what --out holds."""
    options = [
        click.option("-s", "--strategy", "strategies", multiple=True, metavar="STRATEGY",
                     help="name, name:key=value,… or module:Class; repeat to compare "
                          "(default: fix-only and fix-plus-workaround)"),
        click.option("-n", "--replications", default=replications, show_default=True,
                     type=click.IntRange(min=1), help=f"{what} per strategy"),
        click.option("--seed", type=click.IntRange(min=0),
                     help="root seed (default: a fresh one, printed with the results)"),
        backend_options,
        click.option("--baseline",
                     help="strategy the others are compared with (default: the first)"),
        click.option("--json", "as_json", is_flag=True, help="print one JSON document to stdout"),
        click.option("--out", type=click.Path(dir_okay=False, writable=True),
                     help=f"write {rows} to FILE.csv or FILE.parquet"),
        recording_options,
    ]

    def decorate(command: Callable) -> Callable:
        for option in reversed(options):
            command = option(command)
        return command
    return decorate


def checked_strategies(strategies: tuple[str, ...], baseline: str | None,
                       **files: str | None) -> list[str]:
    """The strategies to compare (the defaults if none), after checking the baseline is among
    them and each output file's kind — before any work is done."""
    strategies = strategies or DEFAULT_STRATEGIES
    for option, path in files.items():
        if path and Path(path).suffix.lower() not in OUTPUT_KINDS:
            raise click.UsageError(f"--{option} {path}: expected a file ending in .csv or .parquet")
    if baseline and baseline not in strategies:
        raise click.UsageError(f"--baseline {baseline}: not among the strategies "
                               f"{', '.join(strategies)}")
    return list(strategies)


def carry_out(work: Callable[[Backend, Callable], Any], label: str, total: int,
              backend: tuple, store: Store | None) -> Any:
    """Run ``work(backend, progress)`` with a progress bar; a strategy's mistake becomes a
    one-line error and nothing is recorded."""
    progress = LazyProgress(total, label)
    try:
        with choose_backend(*backend) as runner:
            return work(runner, progress)
    except StrategyError as exc:
        if store is not None:
            store.close()
        raise click.ClickException(str(exc)) from None
    finally:
        progress.close()


def deliver(results: Any, kind: str, baseline: str | None, store: Store | None, as_json: bool,
            show: Callable[[Any, str | None], None]) -> None:
    """Record the results, then print them as JSON or as tables."""
    if store is not None:
        record(store, results, kind, baseline)
        store.close()
    if as_json:
        click.echo(json.dumps(results.to_dict(baseline), indent=2, allow_nan=False))
    else:
        show(results, baseline)
