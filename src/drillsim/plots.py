"""Matplotlib figures: ECDFs of a metric per strategy, one replication's timeline, and
incident durations against fitted families."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .calibration import Fit
    from .engine import Incident
    from .results import Results


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 4))
    return ax


def ecdf(results: Results, metric: str, ax=None):
    """Share of replications at or below each value, one line per strategy."""
    from .results import LABELS

    ax = _axes(ax)
    for label in results.strategies:
        values = np.sort(results.values(label, metric).dropna().to_numpy())
        if len(values) == 0:
            continue
        shares = np.arange(1, len(values) + 1) / len(values)
        ax.step(values, shares, where="post", label=label)
    if metric.startswith(("time_", "customer_impact")) and (results.frame[metric] > 0).any():
        ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlabel(LABELS.get(metric, metric))
    ax.set_ylabel("share of replications")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(title="strategy")
    ax.set_title(f"{results.scenario.title}\n{results.replications:,} replications, "
                 f"seed {results.seed}", fontsize=10)
    return ax


def timeline(incident: Incident, ax=None):
    """Service level as a step line over minutes from onset, with the log's key moments."""
    ax = _axes(ax)
    times = [t for t, _ in incident.levels] + [incident.end]
    levels = [s for _, s in incident.levels] + [1.0]
    ax.step(times, levels, where="post", color="tab:blue", label="service level")
    ax.axhline(incident.model.scenario.mbco, color="grey", ls=":", label="MBCO")
    rto = incident.model.scenario.rto_minutes
    if rto is not None:
        ax.axvline(rto, color="tab:red", ls="--", alpha=0.6, label="RTO")
    for event in incident.log or ():
        if event.kind in ("detected", "arrived", "restored", "repair-failed") or \
                (event.kind == "workaround" and "activating" not in event.detail):
            ax.axvline(event.time, color="tab:grey", alpha=0.25)
            text = f"{event.who}: {event.detail}" if event.who else event.kind
            ax.annotate(text, (event.time, 0.02), rotation=90, fontsize=7, va="bottom",
                        ha="right")
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("minutes from onset")
    ax.set_ylabel("service level")
    ax.set_title(f"{incident.strategy_name}, replication {incident.draws.replication}",
                 fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    return ax


def fit_figure(durations: np.ndarray, fits: list[Fit], title: str = ""):
    """Incident durations against fitted families: ECDF with fitted CDFs, and a QQ plot.

    Both on a log time axis, where heavy tails show; in the QQ plot a good fit lies on the
    diagonal. Built without pyplot, so it never opens a window; save it with ``savefig``.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 4.5), layout="constrained")
    left, right = figure.subplots(1, 2)
    x = np.sort(np.asarray(durations, dtype=float))
    n = len(x)
    left.step(x, np.arange(1, n + 1) / n, where="post", color="black", lw=1.5,
              label=f"data (n = {n:,})")
    grid = np.geomspace(x[0], x[-1], 400)
    positions = (np.arange(1, n + 1) - 0.5) / n
    low, high = x[0], x[-1]
    for fit in fits:
        left.plot(grid, fit.cdf(grid), lw=1, label=f"{fit.family} (KS {fit.ks:.3f})")
        fitted = fit.distribution.ppf(positions)
        right.plot(fitted, x, ".", ms=3, alpha=0.6, label=fit.family)
        low, high = min(low, fitted[0]), max(high, fitted[-1])
    left.set(xscale="log", ylim=(0, 1), xlabel="duration (minutes)",
             ylabel="share of incidents at or below", title="ECDF and fitted CDFs")
    right.plot([low, high], [low, high], color="grey", ls="--", lw=1, label="perfect fit")
    right.set(xscale="log", yscale="log", xlabel="fitted quantile (minutes)",
              ylabel="observed duration (minutes)", title="QQ plot")
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        figure.suptitle(title, fontsize=10)
    return figure
