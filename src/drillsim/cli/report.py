"""``drillsim report``: the quarterly preparedness report from a recipe."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from ..report import load_recipe, publish
from ..report.pdf import PdfError
from ..runner import default_workers
from ..scenario import ScenarioError
from ..store import StoreError
from ..strategies import StrategyError
from .common import LazyProgress, open_store, recording_options


@click.command()
@click.argument("recipe", type=click.Path(dir_okay=False))
@click.option("--quarter", metavar="YYYYQN", help="the quarter to report on, e.g. 2026Q4 "
              "(default: the recipe's)")
@click.option("--pdf", is_flag=True, help="also print report.pdf (needs Chromium)")
@click.option("--open", "open_it", is_flag=True, help="open report.html when it is written")
@click.option("--out", type=click.Path(file_okay=False),
              help="the folder to write [default: out/QUARTER beside the recipe]")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="worker processes [default: one per core]; numbers are the same for any N")
@recording_options
def report(recipe, quarter, pdf, open_it, out, workers, store_path, no_store) -> None:
    """Write the quarterly preparedness report of RECIPE: report.html (self-contained), the
    figures as PNG and SVG, the tables as CSV and, with --pdf, report.pdf.

    Runs are reused from the results store when one matches (same scenario file, strategies,
    seed, replications and quarter), else simulated and recorded there; earlier quarters in the
    store give the trend, and drills' improvement plans the exercises section.
    """
    try:
        loaded = load_recipe(recipe, quarter)
    except ScenarioError as exc:
        raise click.ClickException(str(exc)) from None
    store = None if no_store else open_store(store_path)
    bars: list[LazyProgress] = []

    def progress(total: int, label: str) -> LazyProgress:
        bars.append(LazyProgress(total, f"{label}: {total:,} replications"))
        return bars[-1]

    command = shlex.join(["drillsim", *sys.argv[1:]])
    try:
        done = publish(loaded, Path(out) if out else None, store, pdf=pdf,
                       workers=workers or default_workers(), progress=progress, command=command,
                       say=lambda text: click.echo(text, err=True))
    except (ScenarioError, StrategyError, StoreError, PdfError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        for bar in bars:
            bar.close()
        if store is not None:
            store.close()
    written = done.report
    reused = sum(s.reused for s in written.scenarios) + bool(written.quarter and written.quarter.reused)
    click.echo(f"{written.recipe.organisation}: {written.recipe.title} {written.period.label}")
    for line in written.summary[:1]:
        click.echo(line.replace("\u2060", ""))  # the page's no-break joiners, not the terminal's
    click.echo(f"Report: {done.page}" + (f" and {done.pdf}" if done.pdf else ""))
    click.echo(f"Figures and tables: {done.folder / 'figures'}, {done.folder / 'tables'}"
               + (f" ({reused} run{'s' * (reused != 1)} reused from the store)" if reused else ""))
    for note in written.notes:
        click.echo(f"note: {note}", err=True)
    if open_it:
        click.launch(str(done.page))
