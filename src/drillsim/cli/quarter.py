"""``drillsim quarter``: a quarter of incidents competing for one team, strategy against strategy."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from ..portfolio import load_portfolio
from ..quarter import simulate_quarter
from ..results import QuarterResults
from ..scenario import ScenarioError
from .common import carry_out, checked_strategies, comparison_options, deliver, open_store
from .tables import fmt, money, paired, share, table, write_rows


@click.command()
@click.argument("portfolio", type=click.Path(dir_okay=False))
@comparison_options(1000, "quarters", "one row per quarter and strategy")
@click.option("--incidents", "incidents_out", type=click.Path(dir_okay=False, writable=True),
              help="write one row per incident to FILE.csv or FILE.parquet")
def quarter(portfolio, strategies, replications, seed, backend_name, workers, dask, baseline,
            as_json, out, store_path, no_store, incidents_out) -> None:
    """Simulate quarters of PORTFOLIO under each strategy on the same incidents and compare them."""
    strategies = checked_strategies(strategies, baseline, out=out, incidents=incidents_out)
    try:
        loaded = load_portfolio(portfolio)
    except ScenarioError as exc:
        raise click.ClickException(str(exc)) from None
    store = None if no_store else open_store(store_path)
    results = carry_out(
        lambda backend, progress: simulate_quarter(loaded, strategies, replications, seed,
                                                   backend, progress,
                                                   incidents=bool(incidents_out)),
        f"{loaded.name}: {replications:,} quarters", replications,
        (backend_name, workers, dask), store)
    if out:
        write_rows(results.frame, Path(out))
    if incidents_out:
        write_rows(results.incidents, Path(incidents_out))
    deliver(results, "quarter", baseline, store, as_json, print_quarter)


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
