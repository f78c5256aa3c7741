"""Matplotlib figures: ECDFs of a metric per strategy, one replication's timeline, incident
durations against fitted families, and a sweep's heatmap, lines and tornado chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from .calibration import Fit
    from .compare import Sweep
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
    """One outage: service level over minutes from onset (top) and who did what (one lane per
    responder below), with the RTO and the MBCO marked."""
    import matplotlib.pyplot as plt

    end = incident.end
    lanes = _lanes(incident)
    if ax is None:
        _, (ax, people) = plt.subplots(2, 1, sharex=True, figsize=(8, 3.2 + 0.35 * len(lanes)),
                                       gridspec_kw={"height_ratios": [3, 1 + 0.3 * len(lanes)]})
    else:
        people = None
    times = [t for t, _ in incident.levels] + [end]
    levels = [s for _, s in incident.levels] + [1.0]
    ax.step(times, levels, where="post", color="tab:blue", label="service level")
    ax.axhline(incident.model.scenario.mbco, color="grey", ls=":", label="MBCO")
    rto = incident.model.scenario.rto_minutes
    if rto is not None:
        ax.axvline(rto, color="tab:red", ls="--", alpha=0.6, label="RTO")
    ax.axvline(incident.draws.detect, color="tab:orange", alpha=0.5, label="detected")
    ax.set_ylim(-0.02, 1.05)
    ax.set_ylabel("service level")
    ax.set_title(f"{incident.strategy_name}, replication {incident.draws.replication}: restored "
                 f"at T+{end:.0f} min", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    if people is not None:
        colours = {"fix": "tab:blue", "workaround": "tab:green", "communicate": "tab:purple",
                   "rest": "tab:grey"}
        for row, spans in enumerate(lanes.values()):
            for start, stop, task in spans:
                kind = task.split(":")[0]
                people.barh(row, stop - start, left=start, color=colours.get(kind, "tab:brown"),
                            alpha=0.8, edgecolor="white")
                if stop - start > 0.06 * end:
                    people.text(start + (stop - start) / 2, row, task.replace("workaround:", ""),
                                ha="center", va="center", fontsize=7, color="white")
        people.set_yticks(range(len(lanes)), list(lanes))
        people.invert_yaxis()
        people.set_xlabel("minutes from onset")
    else:
        ax.set_xlabel("minutes from onset")
    return ax


def _lanes(incident: Incident) -> dict[str, list[tuple[float, float, str]]]:
    """Each responder's tasks as (start, stop, task) spans, read from the event log."""
    spans: dict[str, list[list]] = {}
    for event in incident.log or ():
        if event.kind in ("assigned", "handed-over"):
            rows = spans.setdefault(event.who, [])
            if rows and rows[-1][1] is None:
                rows[-1][1] = event.time  # the previous task ends here
            if event.kind == "assigned":
                rows.append([event.time, None, event.detail])
    return {name: [(start, incident.end if stop is None else stop, task)
                   for start, stop, task in rows] for name, rows in spans.items()}


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


SWEPT = {"reduction": "reduction of mean {label}", "difference": "Δ mean {label}",
         "mean": "mean {label}"}


def _swept(sweep: Sweep, strategy: str | None, value: str, where, free: list[str]):
    """The frame rows of one strategy, other varied fields held at ``where``, and its heading."""
    if value not in SWEPT:
        raise ValueError(f"value: expected one of {', '.join(SWEPT)}, found {value!r}")
    paths = [f.path for f in sweep.fields]
    for name in free:
        if name not in paths:
            raise ValueError(f"{name}: not a varied field; the sweep varies {', '.join(paths) or 'nothing'}")
    strategy = strategy or (sweep.challengers or sweep.strategies)[0]
    if value != "mean" and strategy == sweep.baseline:
        raise ValueError(f"{strategy} is the baseline: plot another strategy's {value}")
    rows = sweep.frame[sweep.frame["strategy"] == strategy]
    held = dict(where or {})
    for name, wanted in held.items():
        rows = rows[rows[name] == wanted]
    heading = SWEPT[value].format(label=sweep.label())
    if value != "mean":
        heading += f", {strategy} against {sweep.baseline}"
    return rows, held, heading, strategy


def sweep_heatmap(sweep: Sweep, x: str, y: str, strategy: str | None, value: str, where, ax=None):
    """A cell per (x, y) pair coloured by ``value`` — red where the strategy does worse than the
    baseline, blue where better — with the number written in it."""
    ax = _axes(ax)
    others = [f.path for f in sweep.fields if f.path not in (x, y)]
    where = {**{name: sweep.frame[name].iloc[0] for name in others}, **dict(where or {})}
    rows, held, heading, _ = _swept(sweep, strategy, value, where, [x, y])
    grid = rows.pivot_table(index=y, columns=x, values=value, aggfunc="first")
    data = grid.to_numpy(dtype=float)
    scale = 100 if value == "reduction" else 1
    shown = data * scale
    if value == "mean":
        image = ax.imshow(shown, cmap="viridis_r", origin="lower", aspect="auto")
    else:
        sign = 1 if value == "reduction" else -1  # blue where the strategy is better
        limit = np.nanmax(np.abs(shown)) if np.isfinite(shown).any() else 1.0
        image = ax.imshow(sign * shown, cmap="RdBu", vmin=-limit, vmax=limit, origin="lower",
                          aspect="auto")
    colours = image.cmap(image.norm(image.get_array()))
    for (i, j), number in np.ndenumerate(shown):
        if np.isfinite(number):
            red, green, blue, _ = colours[i, j]
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            ax.text(j, i, f"{number:.0f}{'%' if value == 'reduction' else ''}", ha="center",
                    va="center", fontsize=8, color="white" if dark else "black")
    ax.set_xticks(range(len(grid.columns)), [f"{v:g}" if isinstance(v, float) else v
                                              for v in grid.columns])
    ax.set_yticks(range(len(grid.index)), [f"{v:g}" if isinstance(v, float) else v
                                            for v in grid.index])
    ax.set_xlabel(_field_label(sweep, x))
    ax.set_ylabel(_field_label(sweep, y))
    ax.figure.colorbar(image, ax=ax, label=heading.split(",")[0] + (" (%)" if scale == 100 else ""))
    ax.set_title(_sweep_title(sweep, heading, held), fontsize=10)
    return ax


def sweep_lines(sweep: Sweep, x: str, strategy: str | None, value: str, where, ax=None):
    """``value`` over one varied field with its 95% CI band, a line per combination of the other
    varied fields."""
    ax = _axes(ax)
    rows, held, heading, _ = _swept(sweep, strategy, value, where, [x])
    others = [f.path for f in sweep.fields if f.path != x and f.path not in held]
    scale = 100 if value == "reduction" else 1
    groups = rows.groupby(others, sort=False) if others else [((), rows)]
    numeric = _numeric(rows[x])
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        group = group.sort_values(x) if numeric else group
        xs = group[x].to_numpy() if numeric else np.arange(len(group))
        name = ", ".join(f"{o}={k}" for o, k in zip(others, key, strict=True)) or None
        line, = ax.plot(xs, group[value] * scale, marker="o", label=name)
        ax.fill_between(xs, group[f"{value}_low"] * scale, group[f"{value}_high"] * scale,
                        color=line.get_color(), alpha=0.2, lw=0)
        if not numeric:
            ax.set_xticks(xs, group[x].astype(str))
    if value != "mean":
        ax.axhline(0, color="grey", lw=1)
    ax.set_xlabel(_field_label(sweep, x))
    ax.set_ylabel(heading.split(",")[0] + (" (%)" if scale == 100 else ""))
    ax.grid(alpha=0.3)
    if others:
        ax.legend(fontsize=8)
    ax.set_title(_sweep_title(sweep, heading + " (band: 95% CI)", held), fontsize=10)
    return ax


def tornado(frame: pd.DataFrame, ax=None):
    """Bars from the difference at the target as written to the difference at each field's low
    and high value, largest swing on top."""
    ax = _axes(ax)
    attrs = frame.attrs
    base = attrs.get("base")
    if base is None:
        base = float(np.nanmean(frame[["difference_low", "difference_high"]].to_numpy(dtype=float)))
    rows = frame.iloc[::-1]
    ys = np.arange(len(rows))
    for column, colour, name in (("difference_low", "tab:blue", "low value"),
                                 ("difference_high", "tab:orange", "high value")):
        widths = rows[column].to_numpy(dtype=float) - base
        ax.barh(ys, widths, left=base, color=colour, alpha=0.8, label=name)
    ax.axvline(base, color="black", lw=1)
    ax.set_yticks(ys, [f"{r.field}  ({r.low} / {r.high})" for r in rows.itertuples()], fontsize=8)
    label = attrs.get("label", "the headline metric")
    ax.set_xlabel(f"Δ mean {label}\n({attrs.get('strategy', 'challenger')} − "
                  f"{attrs.get('baseline', 'baseline')}; line: as written)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("What moves the difference most", fontsize=10)
    return ax


def _numeric(series) -> bool:
    return series.dtype.kind in "iuf"


def _field_label(sweep: Sweep, path: str) -> str:
    return next(f.label for f in sweep.fields if f.path == path)


def _sweep_title(sweep: Sweep, heading: str, held: dict) -> str:
    fixed = "; " + ", ".join(f"{k}={v}" for k, v in held.items()) if held else ""
    return (f"{sweep.target.title}\n{heading}{fixed}\n{sweep.replications:,} replications per cell, "
            f"seed {sweep.seed}")
