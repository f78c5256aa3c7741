"""``drillsim run``, ``validate`` and ``strategies``: simulate a scenario and compare strategies."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from ..results import Results
from ..runner import simulate
from ..scenario import ScenarioError, find_scenario, load_scenario
from ..strategies import REGISTRY
from .common import carry_out, checked_strategies, comparison_options, deliver, open_store
from .tables import ci, fmt, money, paired, share, table, write_rows


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@comparison_options(10_000, "outages", "per-replication rows")
def run(scenario, strategies, replications, seed, backend_name, workers, dask, baseline, as_json, out,
        store_path, no_store) -> None:
    """Simulate SCENARIO under each strategy on the same random draws and compare them."""
    strategies = checked_strategies(strategies, baseline, out=out)
    loaded = _load(scenario)
    store = None if no_store else open_store(store_path)  # a bad store fails before the work
    results = carry_out(
        lambda backend, progress: simulate(loaded, strategies, replications, seed, backend,
                                           progress),
        f"{loaded.name}: {replications:,} replications", replications,
        (backend_name, workers, dask), store)
    if out:
        write_rows(results.frame, Path(out))
    deliver(results, "run", baseline, store, as_json, print_results)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(files) -> None:
    """Check scenario FILES without running them."""
    failed = 0
    for name in files:
        try:
            scenario = load_scenario(name)
        except ScenarioError as exc:
            click.echo(str(exc), err=True)
            failed += 1
        else:
            click.echo(f"ok  {name}: {scenario.name} — {scenario.title}")
    if failed:
        raise SystemExit(1)


@click.command("strategies")
def list_strategies() -> None:
    """List the built-in strategies and their parameters."""
    import inspect

    table = Table("strategy", "parameters", "what it does")
    for name, factory in REGISTRY.items():
        params = [f"{p.name}={p.default}" for p in
                  inspect.signature(factory).parameters.values()]
        doc = " ".join((factory.__doc__ or "").split())
        table.add_row(name, ", ".join(params) or "—", doc)
    Console().print(table)


def _load(path: str):
    """A scenario named by file or by library name (``drillsim run website-outage``)."""
    try:
        return load_scenario(find_scenario(path))
    except ScenarioError as exc:
        raise click.ClickException(str(exc)) from None


def print_results(results: Results, baseline: str | None) -> None:
    console = Console()
    scenario = results.scenario
    console.print(f"[bold]{scenario.title}[/] ({scenario.name})\n"
                  f"{results.replications:,} replications per strategy, seed {results.seed}")
    stats = results.stats()
    labels = results.strategies
    impact = table("Customer-impact minutes", labels, "strategy", "mean (95% CI)", "median", "p90",
                    "p99")
    for label, entry in stats.items():
        cim = entry["customer_impact_minutes"]
        impact.add_row(label, fmt(cim["mean"]) + ci(cim["mean_ci95"]), fmt(cim["median"]),
                       fmt(cim["p90"]), fmt(cim["p99"]))
    console.print(impact)
    columns = ["strategy", "detect", "mitigate", "restore", "RTO met", "MTPD\nbreach"]
    cost = scenario.cost_per_minute is not None
    if cost:
        columns.append(f"mean\ncost {scenario.currency}".strip())
    recovery = table("Recovery (median minutes from onset) and continuity targets", labels,
                      *columns)
    for label, entry in stats.items():
        row = [label] + [fmt(entry[m]["median"]) for m in
                         ("time_to_detect", "time_to_mitigate", "time_to_restore")]
        row += [share(entry.get("rto_met_share")), share(entry.get("mtpd_breached_share"))]
        if cost:
            row.append(money(entry["cost"]["mean"]))
        recovery.add_row(*row)
    console.print(recovery)
    comparison = paired(results, baseline, "customer_impact_minutes", "CIM")
    if comparison is not None:
        console.print(comparison)
    for line in results.headline(baseline):
        console.print(line, style="bold")
