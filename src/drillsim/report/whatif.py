"""What-ifs from ``drillsim.compare``: where continuity-first stops paying as the team shrinks and
the incident load grows, and which assumption the conclusion leans on most.

Both sections need ``drillsim.compare``; without it they are left out of the report (and the
command says so), never filled with made-up numbers. Every cell and every moved assumption runs
on the report's seed, so they are paired with each other on common random numbers.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..portfolio import Portfolio
from ..scenario import Scenario
from .findings import CrossoverCell, Lean, verdict
from .numbers import value


def available() -> bool:
    """Whether ``drillsim.compare`` is installed with this drillsim."""
    return importlib.util.find_spec("drillsim.compare") is not None


TEAM, LOAD = "team.responders", "systems[*].rate"  # the crossover's two varied fields
LOW_HIGH = ("#9aa5b1", "#b45309")  # the tornado's bars at each assumption's low and high value


def crossover(portfolio: Portfolio, baseline: str, challenger: str, team_sizes: Sequence[int],
              loads: Sequence[float], replications: int, seed: int, workers: int | None = None
              ) -> tuple[list[CrossoverCell], pd.DataFrame]:
    """The challenger against the baseline on every team size × incident load (every system's
    rate times the load), all cells on common random numbers; the cells, and the sweep's rows
    for the CSV."""
    from ..compare import sweep

    result = sweep(portfolio, [baseline, challenger],
                   {TEAM: list(team_sizes), LOAD: [f"x{load:g}" for load in loads]},
                   replications, seed=seed, workers=workers, baseline=baseline)
    frame = result.frame.rename(columns={TEAM: "team", LOAD: "load"})
    cells = []
    for row in frame[frame["strategy"] == challenger].to_dict("records"):
        low, high = _float(row["reduction_low"]), _float(row["reduction_high"])
        interval = None if low is None or high is None else [low, high]
        reduction = _float(row["reduction"])
        cells.append(CrossoverCell(int(row["team"]), float(row["load"]), reduction, interval,
                                   verdict(reduction, interval, _float(row["tie_share"]) or 0.0)))
    return cells, frame


def lean(scenario: Scenario, baseline: str, challenger: str, spread: float, replications: int,
         seed: int, workers: int | None = None) -> tuple[Lean, pd.DataFrame]:
    """Move each assumption of ``scenario`` to a low and a high value (±``spread``; the team by
    one person): the one that moves the paired difference most, and the whole table (largest
    swing first, ``attrs["base"]`` the difference as written)."""
    from ..compare import sensitivity

    frame = sensitivity(scenario, spread=spread, strategies=(baseline, challenger),
                        replications=replications, seed=seed, workers=workers)
    top = frame.iloc[0]
    return Lean(assumption(str(top["field"])), str(top["low"]), str(top["high"]),
                _float(top["difference_low"]), top["difference_low_ci95"],
                _float(top["difference_high"]), top["difference_high_ci95"],
                _float(frame.attrs.get("base")), scenario.name, challenger, spread), frame


def tornado(frame: pd.DataFrame, ax) -> None:
    """``compare``'s tornado chart, with each assumption in words."""
    from ..compare import plot_tornado

    plot_tornado(frame, ax)
    rows = frame.iloc[::-1]
    ax.set_yticks(range(len(rows)), [f"{assumption(r.field)} ({value(str(r.low))} / "
                                     f"{value(str(r.high))})" for r in rows.itertuples()],
                  fontsize=7.5)
    for bars, colour in zip(ax.containers, LOW_HIGH, strict=False):
        for bar in bars:
            bar.set_color(colour)
    ax.legend(fontsize=8, loc="lower right")
    attrs = frame.attrs
    ax.set_xlabel(f"Δ mean CIM (below 0: {attrs.get('strategy')} better)")
    ax.set_title("")


ASSUMPTIONS = (  # a varied path, as a reader would name it
    (re.compile(r"^fix\.phases\[(.+)\]\.duration$"), "the duration of the fix's {} phase"),
    (re.compile(r"^workarounds\[(.+)\]\.success_probability$"), "how often {} succeeds"),
    (re.compile(r"^workarounds\[(.+)\]\.coverage$"), "how much of the demand {} serves"),
    (re.compile(r"^workarounds\[(.+)\]\.activate$"), "how long {} takes to activate"),
    (re.compile(r"^team\.response\.business_hours$"), "how fast responders arrive in business hours"),
    (re.compile(r"^team\.response\.after_hours$"), "how fast responders arrive after hours"),
    (re.compile(r"^team\.responders$"), "the size of the team"),
    (re.compile(r"^systems\[(.+)\]\.rate$"), "how often {} fails"),
)


def assumption(path: str) -> str:
    """A varied field in words: ``workarounds[phone-orders].success_probability`` → how often
    phone-orders succeeds."""
    for pattern, text in ASSUMPTIONS:
        found = pattern.match(path)
        if found:
            return text.format(*found.groups())
    return path


def _float(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else float(x)
