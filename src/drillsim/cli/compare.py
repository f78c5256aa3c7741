"""``drillsim compare``: strategies over a sweep of configurations, with break-even, sensitivity
and tuning, on any backend."""

from __future__ import annotations

import inspect
import json
import math
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.measure import Measurement

from ..backends import BackendError
from ..compare import BISECTION_STEPS as STEPS
from ..compare import (
    REPLICATIONS,
    Sweep,
    SweepRecord,
    break_even,
    default_fields,
    load_target,
    optimize,
    plot_tornado,
    sensitivity,
    sweep,
)
from ..scenario import ScenarioError
from ..strategies import REGISTRY, StrategyError, parse_strategy
from ..vary import VaryError, fields, parse_value
from .common import (
    DEFAULT_STRATEGIES,
    LazyProgress,
    backend_options,
    choose_backend,
    open_store,
    record,
    recording_options,
)
from .tables import fmt, interval, money, plus_minus, share, table, write_rows
from .tables import record as shares

FAILURES = (VaryError, StrategyError, ScenarioError, BackendError, ValueError)
SHORT = {"customer_impact_minutes": "CIM", "customers_affected": "customers", "cost": "cost"}


@click.command()
@click.argument("target", metavar="TARGET")
@click.option("-s", "--strategy", "strategies", multiple=True, metavar="STRATEGY",
              help="name, name:key=value,… or module:Class; repeat to compare "
                   "(default: fix-only and fix-plus-workaround; the first is the baseline)")
@click.option("--vary", "vary", multiple=True, metavar="PATH=VALUES",
              help="a field and its values: team.responders=1..6, "
                   "workarounds[0].success_probability=0.5,0.7,0.9, systems[*].rate=x0.5,x1,x2; "
                   "repeat for a full factorial")
@click.option("-n", "--replications", default=REPLICATIONS, show_default=True,
              type=click.IntRange(min=1), help="replications per cell and strategy")
@click.option("--seed", type=click.IntRange(min=0), help="root seed (default: a fresh one, "
              "printed with the results)")
@backend_options
@click.option("--baseline", help="strategy the others are compared with (default: the first)")
@click.option("--break-even", "break_even_spec", metavar="PATH=LOW..HIGH",
              help="find where the winner of the baseline and the next strategy flips, e.g. "
                   "workarounds[0].success_probability=0..1")
@click.option("--sensitivity", "sensitive", is_flag=True,
              help="how much each parameter moves the difference (a tornado chart's numbers)")
@click.option("--spread", default=0.2, show_default=True,
              type=click.FloatRange(0, 1, min_open=True, max_open=True),
              help="with --sensitivity: move durations, rates and probabilities by ± this share")
@click.option("--optimize", "optimize_spec", metavar="PARAMETER=LOW..HIGH",
              help="tune a strategy's parameter, e.g. after_minutes=0..240 (of the first strategy "
                   "that takes it)")
@click.option("--objective", type=click.Choice(["mean", "p90"]), default="mean", show_default=True,
              help="with --optimize: minimise the mean or the p90 of the headline metric")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document to stdout")
@click.option("--plot", type=click.Path(dir_okay=False, writable=True),
              help="write the sweep's heatmap (two varied fields or more) or lines (one) to FILE.png")
@click.option("--tornado", type=click.Path(dir_okay=False, writable=True),
              help="with --sensitivity: write the tornado chart to FILE.png")
@click.option("--out", type=click.Path(dir_okay=False, writable=True),
              help="write one row per cell and strategy to FILE.csv or FILE.parquet")
@recording_options
def compare(target, strategies, vary, replications, seed, backend_name, workers, dask, baseline,
            break_even_spec, sensitive, spread, optimize_spec, objective, as_json, plot, tornado,
            out, store_path, no_store) -> None:
    """Compare strategies on TARGET (a scenario or a portfolio) over every combination of the
    varied fields, every cell on the same random draws."""
    strategies = list(strategies or DEFAULT_STRATEGIES)
    _check_files(plot, tornado, out, sensitive)
    if baseline and baseline not in strategies:
        raise click.UsageError(f"--baseline {baseline}: not among the strategies {', '.join(strategies)}")
    ordered = [baseline, *(s for s in strategies if s != baseline)] if baseline else strategies
    try:
        loaded = load_target(target)
        cells = math.prod(len(f.values) for f in fields(loaded, vary))  # bad ones fail here
        edge = _break_even_spec(loaded, break_even_spec, ordered)
        tuned = _optimize_spec(optimize_spec, strategies)
        if sensitive and len(strategies) < 2:
            raise click.UsageError("--sensitivity compares two strategies: give two with -s")
        store = None if no_store else open_store(store_path)
        with choose_backend(backend_name, workers, dask) as runner:
            swept, analyses = _work(loaded, strategies, ordered, vary, cells, replications, seed,
                                    runner, edge, sensitive, spread, tuned, objective)
    except FAILURES as exc:
        raise click.ClickException(str(exc)) from None
    if plot:
        _save(swept, plot)
    if tornado:
        _save_tornado(analyses["sensitivity"]["frame"], Path(tornado))
    if out:
        write_rows(swept.frame, Path(out))
    document = {**swept.to_dict(), **_jsonable(analyses)}
    if store is not None:
        record(store, SweepRecord(swept, _jsonable(analyses)), "compare", swept.baseline)
        store.close()
    if as_json:
        click.echo(json.dumps(document, indent=2, allow_nan=False))
    else:
        print_compare(swept, analyses)


def _work(target, strategies, ordered, vary, cells, replications, seed, runner, edge, sensitive,
          spread, tuned, objective) -> tuple[Sweep, dict[str, Any]]:
    """The sweep and the analyses asked for, all on the same seed and backend."""
    progress = LazyProgress(cells * replications,
                            f"{target.name}: {cells} cells × {replications:,} replications")
    try:
        swept = sweep(target, strategies, list(vary), replications, seed, runner,
                      progress=progress, baseline=ordered[0])
    finally:
        progress.close()
    seed = swept.seed
    analyses: dict[str, Any] = {}
    pair = ordered[:2]
    if edge:
        field, low, high = edge
        progress = LazyProgress((2 + 3 * STEPS) * replications, f"break-even on {field}")
        try:
            analyses["break_even"] = break_even(target, field, low, high, pair, replications, seed,
                                                backend=runner, progress=progress)
        finally:
            progress.close()
    if sensitive:
        moves = 1 + 2 * len(default_fields(target, spread))
        progress = LazyProgress(moves * replications, "sensitivity")
        try:
            frame = sensitivity(target, None, spread, pair, replications, seed, backend=runner,
                                progress=progress)
        finally:
            progress.close()
        analyses["sensitivity"] = {"frame": frame, "spread": spread}
    if tuned:
        strategy, parameter, low, high = tuned
        progress = LazyProgress(2 * replications, f"tuning {parameter} of {strategy}")  # 2 rounds
        try:
            analyses["optimize"] = optimize(target, strategy, parameter, low, high, objective,
                                            replications, seed, backend=runner, progress=progress)
        finally:
            progress.close()
    return swept, analyses


def _range(option: str, spec: str) -> tuple[str, Any, Any]:
    """``NAME=LOW..HIGH`` as (name, low, high)."""
    name, eq, span = spec.partition("=")
    ends = span.split("..")
    if not eq or not name.strip() or len(ends) != 2 or not all(e.strip() for e in ends):
        raise click.UsageError(f"{option} {spec}: expected NAME=LOW..HIGH, e.g. "
                               "workarounds[0].success_probability=0..1")
    return name.strip(), *(parse_value(e.strip(), name.strip()) for e in ends)


def _break_even_spec(target, spec: str | None, ordered: list[str]):
    if not spec:
        return None
    if len(ordered) < 2:
        raise click.UsageError("--break-even compares two strategies: give two with -s")
    field, low, high = _range("--break-even", spec)
    fields(target, {field: [low, high]})
    return field, low, high


def _optimize_spec(spec: str | None, strategies: list[str]):
    """(strategy, parameter, low, high): the first strategy given that takes the parameter."""
    if not spec:
        return None
    parameter, low, high = _range("--optimize", spec)
    for number in (low, high):
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise click.UsageError(f"--optimize {spec}: LOW and HIGH are numbers")
    for strategy in strategies:
        if hasattr(parse_strategy(strategy), parameter):
            return strategy, parameter, low, high
    takers = [name for name, factory in REGISTRY.items()
              if parameter in inspect.signature(factory).parameters]
    hint = f"; e.g. -s {takers[0]}" if takers else ""
    raise click.UsageError(f"--optimize {spec}: no strategy given takes {parameter}{hint}")


def _check_files(plot, tornado, out, sensitive) -> None:
    for option, path, kinds in (("--plot", plot, (".png",)), ("--tornado", tornado, (".png",)),
                                ("--out", out, (".csv", ".parquet"))):
        if path and Path(path).suffix.lower() not in kinds:
            raise click.UsageError(f"{option} {path}: expected a file ending in {' or '.join(kinds)}")
    if tornado and not sensitive:
        raise click.UsageError("--tornado draws the sensitivity analysis: add --sensitivity")


def _save(swept: Sweep, path: str) -> None:
    """Heatmap over the first two varied fields, lines over one; nothing to draw for one cell."""
    from matplotlib.figure import Figure

    names = [f.path for f in swept.fields]
    if not names:
        raise click.ClickException(f"--plot {path}: nothing varies, so there is nothing to plot; "
                                   "add --vary")
    figure = Figure(figsize=(8, 5), layout="constrained")
    ax = figure.subplots()
    if len(names) >= 2:
        swept.plot_heatmap(names[0], names[1], ax=ax)
    else:
        swept.plot_lines(names[0], ax=ax)
    _write_png(figure, Path(path))


def _save_tornado(frame, path: Path) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 2 + 0.35 * len(frame)), layout="constrained")
    plot_tornado(frame, ax=figure.subplots())
    _write_png(figure, path)


def _write_png(figure, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    click.echo(f"Wrote {path}", err=True)


def _jsonable(analyses: dict[str, Any]) -> dict[str, Any]:
    """The analyses for JSON: the sensitivity frame as records, with the base difference."""
    out = dict(analyses)
    if "sensitivity" in out:
        frame = out["sensitivity"]["frame"]
        records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        out["sensitivity"] = {**frame.attrs, "spread": out["sensitivity"]["spread"],
                              "fields": records}
    return out


def print_compare(swept: Sweep, analyses: dict[str, Any]) -> None:
    """The sweep's table and headline, then each analysis asked for."""
    console = Console(markup=False, highlight=False)  # paths have [brackets]: no markup
    target = swept.target
    cells = len(swept.cells)
    console.print(f"{target.title} ({target.name})", style="bold")
    console.print(f"{cells} cell{'s' * (cells != 1)} × {len(swept.strategies)} strategies × "
                  f"{swept.replications:,} replications, seed {swept.seed}")
    amounts = money if swept.metric == "cost" else fmt
    _print_wide(console, _sweep_table(swept, amounts))
    for line in swept.headline():
        console.print(line, style="bold")
    if "break_even" in analyses:
        console.print(f"\nBreak-even on {analyses['break_even']['field']}", style="bold")
        console.print(analyses["break_even"]["text"])
    if "sensitivity" in analyses:
        _print_wide(console, _sensitivity_table(analyses["sensitivity"]["frame"], amounts))
    if "optimize" in analyses:
        _print_optimize(console, analyses["optimize"], amounts)


def _sweep_table(swept: Sweep, amounts):
    """A row per cell and challenger (per cell and strategy when there is none to pair): the
    varied fields, the means, and the paired difference and reduction with 95% CIs."""
    short = SHORT.get(swept.metric, swept.label())
    names = [f.path for f in swept.fields]
    shown = swept.challengers or swept.strategies
    named = len(shown) > 1 or not names  # a strategy column
    columns = [*(_header(f.label) for f in swept.fields), *(["strategy"] if named else [])]
    columns.append(("" if named else _header(shown[0]) + "\n") + f"mean {short}")
    if swept.challengers:
        columns += [f"{swept.baseline}\nmean", f"Δ mean {short}\n(95% CI)", "reduction\n(95% CI)",
                    "better/\ntied/worse"]
    title = f"Mean {swept.label()} per cell" + (
        f", paired against {swept.baseline} on the same draws" if swept.challengers else "")
    rows = swept.frame
    out = table(title, [str(v) for v in rows[names[0]]] if names else shown, *columns)
    base = rows[rows["strategy"] == swept.baseline].set_index("cell")["mean"]
    for row in rows[rows["strategy"].isin(shown)].to_dict(orient="records"):
        values = [str(swept.cells[row["cell"]][name]) for name in names]
        if named:
            values.append(str(row["strategy"]))
        values.append(amounts(_none(row["mean"])))
        if swept.challengers:
            values += [amounts(base[row["cell"]]),
                       plus_minus(_none(row["difference"]), _pair(row, "difference"), amounts),
                       plus_minus(_none(row["reduction"]), _pair(row, "reduction"), share),
                       shares(row["win_share"], row["tie_share"], row["loss_share"])]
        out.add_row(*values)
    return out


def _header(label: str) -> str:
    """A field path as a narrow column heading: a line per part."""
    return label.replace(".", ".\n").replace("_", "_\n")


def _print_wide(console: Console, renderable) -> None:
    """Print a table whole: into a file or a pipe as wide as it needs, never cut."""
    if not console.is_terminal:
        wide = console.options.update_width(10_000)
        console.width = max(console.width, Measurement.get(console, wide, renderable).maximum)
    console.print(renderable)
    console.width = None


def _sensitivity_table(frame, amounts):
    attrs = frame.attrs
    out = table(f"Sensitivity: Δ mean {attrs['label']} ({attrs['strategy']} − {attrs['baseline']})"
                f" is {amounts(attrs['base'])} as written", list(frame["field"]), "field",
                "low / high", "Δ at low\n(95% CI)", "Δ at high\n(95% CI)", "swing")
    for row in frame.itertuples(index=False):
        out.add_row(row.field, f"{row.low} / {row.high}",
                    interval(_none(row.difference_low), row.difference_low_ci95, amounts),
                    interval(_none(row.difference_high), row.difference_high_ci95, amounts),
                    amounts(_none(row.swing)))
    return out


def _print_optimize(console: Console, tuned: dict[str, Any], amounts) -> None:
    console.print(f"\nTuning {tuned['parameter']} of {tuned['strategy']}", style="bold")
    console.print(tuned["text"])
    out = table("", [str(e["value"]) for e in tuned["curve"]], tuned["parameter"],
                f"{tuned['objective']}\n(95% CI)")
    for entry in tuned["curve"]:
        out.add_row(f"{entry['value']:g}", interval(entry["objective_value"], entry["ci95"], amounts))
    console.print(out)


def _pair(row: dict, name: str) -> list | None:
    low, high = _none(row[f"{name}_low"]), _none(row[f"{name}_high"])
    return None if low is None or high is None else [low, high]


def _none(x: Any) -> Any:
    return None if x is None or x != x else x  # NaN is not equal to itself
