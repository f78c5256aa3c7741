"""``drillsim calibrate``: fit an incident history, and optionally match a whole scenario to it."""

from __future__ import annotations

from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.table import Table

from ..calibration import TARGETS, History, HistoryError, Match, MatchError, fit_all, read_history
from ..calibration.matching import MAX_EVALUATIONS, match_scenario
from ..calibration.snippet import fit_snippet, match_snippet
from ..results import LABELS
from ..scenario import ScenarioError, find_scenario, load_scenario
from ..strategies import StrategyError
from .common import LazyProgress

DEFAULT_BASE = "website-outage"  # the scenario a plain fit's snippet extends


@click.command()
@click.argument("incidents", type=click.Path(dir_okay=False))
@click.option("--start", metavar="COLUMN", help="incident start timestamps [guessed from names]")
@click.option("--end", metavar="COLUMN", help="incident end timestamps [guessed from names]")
@click.option("--duration", metavar="COLUMN", help="durations, instead of --start and --end")
@click.option("--unit", type=click.Choice(["seconds", "minutes", "hours", "days"]),
              help="unit of --duration [read from its name, else minutes]")
@click.option("--where", multiple=True, metavar="COLUMN=VALUE[,VALUE…]",
              help="keep only rows whose COLUMN is one of the values; repeat to combine")
@click.option("--keep-maintenance", is_flag=True,
              help="keep rows marked maintenance (dropped by default)")
@click.option("--write-snippet", "snippet", type=click.Path(dir_okay=False, writable=True),
              help="write scenario YAML with the fit (or the matched scenario) to FILE")
@click.option("--plot", type=click.Path(dir_okay=False, writable=True),
              help="write the ECDF and QQ plot to FILE.png")
@click.option("--scenario", metavar="SCENARIO",
              help="also match this scenario (a file or library name) to the history")
@click.option("-s", "--strategy", default="fix-only", show_default=True, metavar="STRATEGY",
              help="with --scenario: the strategy the firm used while the history was recorded")
@click.option("--target", type=click.Choice(TARGETS), default="time_to_mitigate",
              show_default=True, help="with --scenario: the metric the history measured")
@click.option("--from", "origin", type=click.Choice(["detection", "onset"]), default="detection",
              show_default=True, help="with --scenario: where the history's clock starts")
@click.option("--spread-phase", metavar="PHASE",
              help="with --scenario: the lognormal fix phase whose σ is fitted [the longest]")
@click.option("-n", "--replications", default=2000, show_default=True,
              type=click.IntRange(min=100), help="with --scenario: replications per simulation")
@click.option("--seed", default=1, show_default=True, type=click.IntRange(min=0),
              help="with --scenario: root seed of the simulations")
def calibrate(incidents, start, end, duration, unit, where, keep_maintenance, snippet, plot,
              scenario, strategy, target, origin, spread_phase, replications, seed) -> None:
    """Fit lognormal, Weibull, gamma and exponential to the durations in INCIDENTS (a CSV file).

    Rows that cannot be durations (empty, negative, zero-length, maintenance windows) are
    dropped and counted. With --scenario, the scenario's fix and workaround durations are scaled
    and one fix phase's spread set so that its simulated metric matches the history's median and
    p90 under --strategy: choose the strategy your team used when these incidents happened.
    """
    if plot and Path(plot).suffix.lower() != ".png":
        raise click.UsageError(f"--plot {plot}: expected a file ending in .png")
    try:
        history = read_history(incidents, start=start, end=end, duration=duration, unit=unit,
                               where=where, keep_maintenance=keep_maintenance)
    except HistoryError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        fits = fit_all(history.durations)
    except ValueError as exc:
        raise click.ClickException(f"{history.source}: {exc}") from None
    console = Console()
    _print_history(console, history, where)
    _print_fits(console, history, fits)
    match = None
    if scenario:
        match, base_path = _match(scenario, history, strategy, target, origin == "detection",
                                  spread_phase, replications, seed)
        _print_match(console, match)
    if snippet:
        if match is not None:
            text = match_snippet(match, history, base_path, Path(snippet))
        else:
            base_path = _find(DEFAULT_BASE)
            text = fit_snippet(fits, history, _open(base_path), base_path, Path(snippet))
        _write(Path(snippet), text)
        console.print(f"Snippet written to {snippet}")
    if plot:
        from ..plots import fit_figure

        figure = fit_figure(history.durations, fits, f"{history.source}: "
                                                     f"{len(history.durations):,} durations")
        Path(plot).parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(plot, dpi=120)
        console.print(f"Plot written to {plot}")


def _print_history(console: Console, history: History, where: tuple[str, ...]) -> None:
    console.print(f"[bold]{history.source}[/]: {history.rows:,} rows; durations from "
                  f"{history.measured}")
    parts = []
    if history.filtered:
        parts.append(f"{history.filtered:,} left out by --where {' '.join(where)}")
    parts += [f"{n:,} {reason}" for reason, n in history.dropped.items()]
    kept = len(history.durations)
    console.print(f"kept {kept:,}" + (f"; dropped {', '.join(parts)}" if parts else ""))
    notes = []
    if history.multi_day:
        notes.append(f"{history.multi_day:,} kept rows last over a day")
    if history.distinct < kept:
        notes.append(f"{history.distinct:,} distinct values among {kept:,} (ties, fitted as exact)")
    if kept < 30:
        notes.append("[yellow]fewer than 30 durations: the fit is rough[/]")
    if notes:
        console.print("; ".join(notes))


def _print_fits(console: Console, history: History, fits: list) -> None:
    table = Table(title="Fits with location 0, best first by AIC (minutes)", title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    for column, justify in (("family", "left"), ("parameters (95% CI)", "left"), ("ΔAIC", "right"),
                            ("KS D", "right"), ("median", "right"), ("p90", "right"),
                            ("p99", "right")):
        table.add_column(column, justify=justify)
    best = fits[0].aic
    for fit in fits:
        ci = fit.ci()
        params = "\n".join(f"{_name(k)} {_num(v)} ({_num(ci[k][0])}–{_num(ci[k][1])})"
                           for k, v in fit.params.items())
        table.add_row(fit.family, params, f"{fit.aic - best:,.1f}", f"{fit.ks:.3f}",
                      *(_num(fit.quantile(q)) for q in (0.5, 0.9, 0.99)))
    table.add_row("[bold]data[/]", f"n = {len(history.durations):,}", "", "",
                  *(f"[bold]{_num(history.quantile(q))}[/]" for q in (0.5, 0.9, 0.99)))
    console.print(table)
    console.print(f"{fits[0].family} fits best (AIC {best:,.1f}; next best {fits[1].family}, "
                  f"ΔAIC {fits[1].aic - best:,.1f}). KS D: the largest gap between fitted and "
                  "observed shares of incidents.")


def _match(name: str, history: History, strategy: str, target: str, from_detection: bool,
           phase: str | None, replications: int, seed: int) -> tuple[Match, Path]:
    path = _find(name)
    scenario = _open(path)
    progress = LazyProgress(MAX_EVALUATIONS * replications, f"matching {scenario.name}")
    try:
        match = match_scenario(scenario, history.durations, strategy, target, from_detection,
                               phase, replications, seed, progress)
    except (MatchError, StrategyError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        progress.close()
    return match, path


def _print_match(console: Console, match: Match) -> None:
    origin = "from detection" if match.from_detection else "from onset"
    console.print(f"[bold]{match.scenario.name}[/] matched to the history: {LABELS[match.target]} "
                  f"{origin} under {match.strategy} (minutes)")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column, justify in (("", "left"), ("median", "right"), ("p90", "right")):
        table.add_column(column, justify=justify)
    observed = [f"{_num(v)} ({_num(ci[0])}–{_num(ci[1])})" if ci else _num(v)
                for v, ci in zip(match.observed, match.observed_ci, strict=True)]
    table.add_row("observed (95% CI)", *observed)
    table.add_row("simulated", *(_num(v) for v in match.simulated))
    console.print(table)
    console.print(f"Every fix and workaround duration × {match.scale:.3g}; {match.phase} σ "
                  f"{match.sigma[0]:.3g} → {match.sigma[1]:.3g} ({match.evaluations} simulations of "
                  f"{match.replications:,} replications, seed {match.seed}).")
    if match.matched:
        console.print("Matched: both simulated figures lie inside the observed 95% intervals.",
                      style="bold")
    else:
        console.print("Not matched: the scenario's shape cannot give both figures with one scale "
                      "and one spread; check the strategy and target, or the scenario's other "
                      "durations.", style="bold yellow")


def _find(name: str) -> Path:
    try:
        return find_scenario(name)
    except ScenarioError as exc:
        raise click.ClickException(str(exc)) from None


def _open(path: Path):
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        raise click.ClickException(str(exc)) from None


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot write the file ({exc.strerror or exc})") from None


def _name(parameter: str) -> str:
    return "σ" if parameter == "sigma" else parameter


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"
