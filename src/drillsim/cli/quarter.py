"""``drillsim quarter``: a quarter of incidents competing for one team, strategy against strategy."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console

from ..portfolio import load_portfolio
from ..quarter import simulate_quarter
from ..results import QuarterResults
from ..scenario import ScenarioError
from ..strategies import StrategyError
from .common import LazyProgress, backend_options, choose_backend, open_store, record, recording_options
from .run import DEFAULT_STRATEGIES, OUTPUT_KINDS
from .tables import fmt, money, paired, share, table, write_rows


@click.command()
@click.argument("portfolio", type=click.Path(dir_okay=False))
@click.option("-s", "--strategy", "strategies", multiple=True, metavar="STRATEGY",
              help="name, name:key=value,… or module:Class; repeat to compare "
                   "(default: fix-only and fix-plus-workaround)")
@click.option("-n", "--replications", default=1000, show_default=True,
              type=click.IntRange(min=1), help="quarters per strategy")
@click.option("--seed", type=click.IntRange(min=0), help="root seed (default: a fresh one, "
              "printed with the results)")
@backend_options
@click.option("--baseline", help="strategy the others are compared with (default: the first)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document to stdout")
@click.option("--out", type=click.Path(dir_okay=False, writable=True),
              help="write one row per quarter and strategy to FILE.csv or FILE.parquet")
@click.option("--incidents", "incidents_out", type=click.Path(dir_okay=False, writable=True),
              help="write one row per incident to FILE.csv or FILE.parquet")
@recording_options
def quarter(portfolio, strategies, replications, seed, backend_name, workers, dask, baseline, as_json,
            out, incidents_out, store_path, no_store) -> None:
    """Simulate quarters of PORTFOLIO under each strategy on the same incidents and compare them."""
    strategies = strategies or DEFAULT_STRATEGIES
    for option, path in (("--out", out), ("--incidents", incidents_out)):
        if path and Path(path).suffix.lower() not in OUTPUT_KINDS:
            raise click.UsageError(f"{option} {path}: expected a file ending in .csv or .parquet")
    if baseline and baseline not in strategies:
        raise click.UsageError(f"--baseline {baseline}: not among the strategies "
                               f"{', '.join(strategies)}")
    try:
        loaded = load_portfolio(portfolio)
    except ScenarioError as exc:
        raise click.ClickException(str(exc)) from None
    store = None if no_store else open_store(store_path)
    progress = LazyProgress(replications, f"{loaded.name}: {replications:,} quarters")
    try:
        with choose_backend(backend_name, workers, dask) as runner:  # quarter's workers take one
            results = simulate_quarter(loaded, list(strategies), replications, seed, runner,
                                       progress, incidents=bool(incidents_out))
    except StrategyError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        progress.close()
    if out:
        write_rows(results.frame, Path(out))
    if incidents_out:
        write_rows(results.incidents, Path(incidents_out))
    if store is not None:
        record(store, results, "quarter", baseline)
        store.close()
    if as_json:
        click.echo(json.dumps(results.to_dict(baseline), indent=2, allow_nan=False))
    else:
        print_quarter(results, baseline)


def print_quarter(results: QuarterResults, baseline: str | None) -> None:
    """The quarter's totals, its staff, each system, and the paired comparison."""
    console = Console()
    portfolio = results.portfolio
    console.print(f"[bold]{portfolio.title}[/] ({portfolio.name})\n{results.replications:,} "
                  f"quarters of {portfolio.period.days} days per strategy, seed {results.seed}")
    stats = results.stats()
    labels = results.strategies
    head = results.headline_metric
    amounts = money  # compact: 78.1k, 1.20M
    totals = table(f"Per quarter: {results.label(head)}", labels, "strategy", "mean (95% CI)",
                   "median", "p90", "incidents")
    for label, entry in stats.items():
        d = entry[head]
        interval = d["mean_ci95"]
        totals.add_row(label, amounts(d["mean"]) + (
            f" ({amounts(interval[0])}–{amounts(interval[1])})" if interval else ""),
            amounts(d["median"]), amounts(d["p90"]), fmt(entry["incidents"]["mean"], 1))
    console.print(totals)
    targets = table("Continuity targets and waiting for a responder", labels, "strategy",
                    "RTO met", "MTPD breaches\nper quarter", "incidents\nthat waited",
                    "minutes waited\nper quarter")
    for label, entry in stats.items():
        targets.add_row(label, share(entry["rto_met_share"]), fmt(entry["mtpd_breaches"]["mean"], 2),
                        share(entry["waited_share"]), fmt(entry["waiting_minutes"]["mean"]))
    console.print(targets)
    staff = table("The team's hours per quarter", labels, "strategy", "on incidents",
                  "utilisation", "after hours", "overtime")
    for label, entry in stats.items():
        staff.add_row(label, fmt(entry["staff_hours"]["mean"]), share(entry["utilisation"]["mean"]),
                      fmt(entry["after_hours_hours"]["mean"]), fmt(entry["overtime_hours"]["mean"]))
    console.print(staff)
    systems = table("Customer-impact minutes per system (mean per quarter)", results.systems,
                    "system", *labels)
    for name in results.systems:
        systems.add_row(name, *(fmt(stats[label][f"cim:{name}"]["mean"]) for label in labels))
    console.print(systems)
    comparison = paired(results, baseline, head, results.label(head).split(" per ")[0],
                        amounts)
    if comparison is not None:
        console.print(comparison)
    for line in results.headline(baseline):
        console.print(line, style="bold")
