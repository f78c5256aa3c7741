"""The report's figures: matplotlib (no pyplot, so never a window), one house style, saved as PNG
and SVG and embedded in the page as a data URI, so the page fetches nothing.

Every strategy keeps its colour in every figure; the baseline is slate, the challenger teal.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..plots import ecdf
from .findings import LOSES, PAYS, SAME, CrossoverCell, ScenarioFinding

if TYPE_CHECKING:
    from ..results import Results
    from .runs import Point

INK, GRID = "#1f2933", "#d9dee5"
STRATEGY_COLOURS = ("#52606d", "#0f766e", "#b45309", "#7e22ce", "#be185d")
VERDICT_COLOURS = {PAYS: "#0f766e", LOSES: "#b91c1c"}
NEUTRAL = "#8a94a6"
DPI = 170
WIDTH = 7.2  # inches: the page's text column at print size
HALF = 4.4  # a figure shown beside another: its text stays readable at half the column
STYLE = {
    "font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9,
    "axes.edgecolor": "#9aa5b1", "axes.labelcolor": INK, "xtick.color": INK, "ytick.color": INK,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "grid.color": GRID, "grid.linewidth": 0.6, "legend.frameon": False, "svg.fonttype": "none",
    "svg.hashsalt": "drillsim",  # the same figure gives the same SVG text
}


@dataclass(frozen=True)
class Picture:
    """A saved figure: its files and the data URI the page embeds."""

    name: str
    title: str
    caption: str
    png: Path
    svg: Path
    uri: str


def colours(strategies: list[str]) -> dict[str, str]:
    return {s: STRATEGY_COLOURS[i % len(STRATEGY_COLOURS)] for i, s in enumerate(strategies)}


def new(height: float, width: float = WIDTH) -> Figure:
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def save(figure: Figure, folder: Path, name: str, title: str, caption: str) -> Picture:
    """Write ``name.png`` and ``name.svg`` into ``folder``; the PNG becomes the data URI."""
    png, svg = folder / f"{name}.png", folder / f"{name}.svg"
    with matplotlib.rc_context(STYLE):
        figure.savefig(png, dpi=DPI, facecolor="white", metadata={"Software": None})
        figure.savefig(svg, facecolor="white", metadata={"Date": None})
    uri = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")
    return Picture(name, title, caption, png, svg, uri)


def plain(ax) -> None:
    """Numbers on the x axis as people write them (1,000, not 10³), also on a log scale."""
    if ax.get_xscale() == "log":
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def overview(findings: list[ScenarioFinding], baseline: str, challenger: str) -> Figure:
    """Each scenario's reduction with its 95% interval, largest first, coloured by verdict."""
    rows = sorted((f for f in findings if f.reduction is not None), key=lambda f: f.reduction)
    figure = new(0.9 + 0.32 * len(rows))
    with matplotlib.rc_context(STYLE):
        ax = figure.subplots()
        for y, f in enumerate(rows):
            colour = VERDICT_COLOURS.get(f.verdict, NEUTRAL)
            low, high = f.reduction_ci or (f.reduction, f.reduction)
            ax.plot([low * 100, high * 100], [y, y], color=colour, lw=2.2, solid_capstyle="butt")
            ax.plot(f.reduction * 100, y, "o", color=colour, ms=6)
            ax.annotate(f"{f.reduction * 100:.0f}%", (high * 100, y), xytext=(6, 0),
                        textcoords="offset points", va="center", fontsize=8, color=INK)
        ax.axvline(0, color=INK, lw=0.8)
        ax.set_yticks(range(len(rows)), [f.name for f in rows])
        ax.grid(axis="y", visible=False)
        lows = [min(0.0, (f.reduction_ci or [f.reduction])[0]) for f in rows]
        highs = [(f.reduction_ci or [0, f.reduction])[1] for f in rows]
        ax.set_xlim(min(lows, default=0) * 100 - 5, max(highs, default=0) * 100 + 12)
        ax.set_xlabel(f"cut in mean CIM with {challenger} (%)")
    return figure


def impact(results: Results, palette: dict[str, str]) -> Figure:
    """The distribution of customer-impact minutes per strategy (ECDF, log scale)."""
    figure = new(3.0, HALF)
    with matplotlib.rc_context(STYLE):
        ax = figure.subplots()
        ax.set_prop_cycle(color=[palette[s] for s in results.strategies])
        ecdf(results, "customer_impact_minutes", ax)
        plain(ax)
        ax.set_title("")
        ax.set_ylabel("share of outages at or below")
        ax.legend(title=None, loc="lower right")
    return figure


MILESTONES = (("time_to_mitigate", "mitigated"), ("time_to_resume", "resumed"),
              ("time_to_restore", "restored"))


def milestones(results: Results, palette: dict[str, str]) -> Figure:
    """Time to mitigate, resume and restore per strategy: median with the 10th–90th percentile
    range, against the scenario's RTO and MTPD."""
    scenario = results.scenario
    strategies = results.strategies
    figure = new(3.0, HALF)
    with matplotlib.rc_context(STYLE):
        ax = figure.subplots()
        step = 0.8 / len(strategies)
        for row, (metric, _) in enumerate(reversed(MILESTONES)):
            for k, strategy in enumerate(strategies):
                values = results.values(strategy, metric).dropna().to_numpy()
                if not len(values):
                    continue
                y = row + 0.4 - step * (k + 0.5)
                low, mid, high = np.quantile(values, [0.1, 0.5, 0.9])
                ax.plot([low, high], [y, y], color=palette[strategy], lw=2.4,
                        solid_capstyle="butt")
                ax.plot(mid, y, "o", color=palette[strategy], ms=6,
                        label=strategy if row == 0 else None)
        ax.set_yticks(range(len(MILESTONES)), [word for _, word in reversed(MILESTONES)])
        ax.set_ylim(-0.6, len(MILESTONES) - 0.4)
        ax.grid(axis="y", visible=False)
        ax.set_xscale("log")
        for value, name, style in ((scenario.rto_minutes, "RTO", "--"),
                                   (scenario.mtpd_minutes, "MTPD", ":")):
            if value is not None:
                ax.axvline(value, color="#b91c1c", ls=style, lw=1)
                ax.annotate(name, (value, 1), xycoords=("data", "axes fraction"), xytext=(3, -2),
                            textcoords="offset points", fontsize=8, color="#b91c1c", va="top")
        plain(ax)
        ax.set_xlabel("minutes from onset (dot: median; line: 10th–90th percentile)")
        figure.legend(loc="outside upper center", ncols=len(strategies), fontsize=8)
    return figure


def quarter_distribution(results: Results, palette: dict[str, str]) -> Figure:
    """The quarter's headline (cost or customers affected) per strategy, as an ECDF."""
    figure = new(2.8)
    with matplotlib.rc_context(STYLE):
        ax = figure.subplots()
        ax.set_prop_cycle(color=[palette[s] for s in results.strategies])
        ecdf(results, results.headline_metric, ax)
        plain(ax)
        ax.set_title("")
        ax.set_xlabel(results.label(results.headline_metric))
        ax.set_ylabel("share of quarters at or below")
        ax.legend(title=None, loc="lower right")
    return figure


def crossover(cells: list[CrossoverCell], challenger: str) -> Figure:
    """The cut on a grid of team size × incident load; hatched where it is within noise or the
    two procedures are the same."""
    teams = sorted({c.team for c in cells})
    loads = sorted({c.load for c in cells})
    grid = np.full((len(teams), len(loads)), np.nan)
    for c in cells:
        if c.reduction is not None:
            grid[teams.index(c.team), loads.index(c.load)] = c.reduction * 100
    figure = new(1.0 + 0.45 * len(teams))
    with matplotlib.rc_context(STYLE):
        ax = figure.subplots()
        top = float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 0.0
        span = max(20.0, 1.6 * top)
        image = ax.imshow(grid, cmap="BrBG", vmin=-span, vmax=span, aspect="auto", origin="lower")
        for c in cells:
            i, j = teams.index(c.team), loads.index(c.load)
            strong = c.reduction is not None and abs(c.reduction * 100) > 0.55 * span
            text = "—" if c.reduction is None else f"{c.reduction * 100:.0f}%"
            if c.verdict not in (PAYS, LOSES):
                text = "same" if c.verdict == SAME else f"{text}\n(noise)"
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///",
                                       edgecolor="#9aa5b1", lw=0))
            ax.text(j, i, text, ha="center", va="center", fontsize=8.5,
                    color="white" if strong else INK)
        ax.set_xticks(range(len(loads)), [f"{load:g}×" for load in loads])
        ax.set_yticks(range(len(teams)), [str(t) for t in teams])
        ax.grid(False)
        ax.set_xlabel("incident load (× today's rate)")
        ax.set_ylabel("people on the team")
        figure.colorbar(image, ax=ax, label=f"cut with {challenger} (%)", shrink=0.9)
    return figure


def trend(points: dict[str, list[Point]], challenger: str) -> Figure:
    """Mean customer-impact minutes under the challenger per quarter, one line per scenario."""
    quarters = sorted({p.quarter for series in points.values() for p in series})
    figure = new(3.0)
    with matplotlib.rc_context(STYLE):
        ax = figure.subplots()
        for i, (name, series) in enumerate(sorted(points.items())):
            x = [quarters.index(p.quarter) for p in series]
            y = [p.means[challenger][0] for p in series]
            err = [1.96 * p.means[challenger][1] for p in series]
            ax.errorbar(x, y, yerr=err, marker="o", ms=4, capsize=3, lw=1.4, label=name,
                        color=f"C{i % 10}")
        ax.set_xticks(range(len(quarters)), quarters)
        ax.set_ylabel(f"mean customer-impact minutes\nwith {challenger} (95% CI)")
        ax.legend(fontsize=7.5, ncols=2)
    return figure
