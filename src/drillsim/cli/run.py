"""``drillsim run``, ``validate`` and ``strategies``: simulate a scenario and compare strategies."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.table import Table

from ..results import Results
from ..runner import default_workers, simulate
from ..scenario import ScenarioError, load_scenario
from ..strategies import REGISTRY, StrategyError
from .common import LazyProgress

DEFAULT_STRATEGIES = ("fix-only", "fix-plus-workaround")
OUTPUT_KINDS = (".csv", ".parquet")


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("-s", "--strategy", "strategies", multiple=True, metavar="STRATEGY",
              help="name, name:key=value,… or module:Class; repeat to compare "
                   "(default: fix-only and fix-plus-workaround)")
@click.option("-n", "--replications", default=10_000, show_default=True,
              type=click.IntRange(min=1))
@click.option("--seed", type=click.IntRange(min=0), help="root seed (default: a fresh one, "
              "printed with the results)")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="worker processes [default: one per core]; numbers are the same for any N")
@click.option("--baseline", help="strategy the others are compared with (default: the first)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document to stdout")
@click.option("--out", type=click.Path(dir_okay=False, writable=True),
              help="write per-replication rows to FILE.csv or FILE.parquet")
def run(scenario, strategies, replications, seed, workers, baseline, as_json, out) -> None:
    """Simulate SCENARIO under each strategy on the same random draws and compare them."""
    strategies = strategies or DEFAULT_STRATEGIES
    if out and Path(out).suffix.lower() not in OUTPUT_KINDS:
        raise click.UsageError(f"--out {out}: expected a file ending in .csv or .parquet")
    if baseline and baseline not in strategies:
        raise click.UsageError(f"--baseline {baseline}: not among the strategies "
                               f"{', '.join(strategies)}")
    scenario_obj = _load(scenario)
    progress = LazyProgress(replications, f"{scenario_obj.name}: {replications:,} replications")
    try:
        results = simulate(scenario_obj, list(strategies), replications, seed,
                           workers or default_workers(), progress)
    except StrategyError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        progress.close()
    if out:
        _write_rows(results, Path(out))
    if as_json:
        click.echo(json.dumps(results.to_dict(baseline), indent=2, allow_nan=False))
    else:
        _print_results(results, baseline)


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
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        raise click.ClickException(str(exc)) from None


def _write_rows(results: Results, path: Path) -> None:
    """Write the per-replication rows atomically: a crash leaves no half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(handle)
    try:
        if path.suffix.lower() == ".parquet":
            try:
                results.frame.to_parquet(temp, index=False)
            except ImportError:
                raise click.ClickException("Parquet output needs pyarrow: "
                                           "pip install 'drillsim[parquet]'") from None
        else:
            results.frame.to_csv(temp, index=False)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def _fmt(x: float | None, digits: int = 0) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def _ci(pair: list | None, digits: int = 0) -> str:
    return "" if not pair else f" ({_fmt(pair[0], digits)} to {_fmt(pair[1], digits)})"


def _money(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x / 1e6:,.2f}M" if abs(x) >= 1e6 else f"{x / 1e3:,.1f}k" if abs(x) >= 1e4 else \
        f"{x:,.0f}"


def _share(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.0f}%"


def _table(title: str, labels: list[str], *columns: str) -> Table:
    """A compact table whose first column fits the longest strategy label."""
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(columns[0], min_width=min(max(map(len, labels)), 34), overflow="fold")
    for column in columns[1:]:
        table.add_column(column, justify="right", no_wrap=True)
    return table


def _print_results(results: Results, baseline: str | None) -> None:
    console = Console()
    scenario = results.scenario
    console.print(f"[bold]{scenario.title}[/] ({scenario.name})\n"
                  f"{results.replications:,} replications per strategy, seed {results.seed}")
    stats = results.stats()
    labels = results.strategies
    impact = _table("Customer-impact minutes", labels, "strategy", "mean (95% CI)", "median", "p90",
                    "p99")
    for label, entry in stats.items():
        cim = entry["customer_impact_minutes"]
        impact.add_row(label, _fmt(cim["mean"]) + _ci(cim["mean_ci95"]), _fmt(cim["median"]),
                       _fmt(cim["p90"]), _fmt(cim["p99"]))
    console.print(impact)
    columns = ["strategy", "detect", "mitigate", "restore", "RTO met", "MTPD\nbreach"]
    cost = scenario.cost_per_minute is not None
    if cost:
        columns.append(f"mean\ncost {scenario.currency}".strip())
    recovery = _table("Recovery (median minutes from onset) and continuity targets", labels,
                      *columns)
    for label, entry in stats.items():
        row = [label] + [_fmt(entry[m]["median"]) for m in
                         ("time_to_detect", "time_to_mitigate", "time_to_restore")]
        row += [_share(entry.get("rto_met_share")), _share(entry.get("mtpd_breached_share"))]
        if cost:
            row.append(_money(entry["cost"]["mean"]))
        recovery.add_row(*row)
    console.print(recovery)
    comparisons = [c for c in results.comparisons(baseline)
                   if c["metric"] == "customer_impact_minutes"]
    if comparisons:
        paired = _table(f"Paired against {comparisons[0]['baseline']} on the same draws", labels,
                        "strategy", "Δ mean CIM\n(95% CI)", "reduction\n(95% CI)",
                        "better/\ntied/worse")
        for c in comparisons:
            reduction = _share(c["reduction"]) + (
                f" ({_share(c['reduction_ci95'][0])}–{_share(c['reduction_ci95'][1])})"
                if c["reduction_ci95"] else "")
            paired.add_row(c["strategy"], _fmt(c["mean_difference"]) + _ci(c["ci95"]),
                           reduction, f"{_share(c['win_share'])}/{_share(c['tie_share'])}/"
                           f"{_share(c['loss_share'])}")
        console.print(paired)
    for line in results.headline(baseline):
        console.print(line, style="bold")
