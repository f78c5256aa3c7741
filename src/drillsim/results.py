"""The results of a simulation: the per-replication frame and what people ask of it."""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import analysis
from .engine import Incident
from .runner import replay

# Metrics summarised for every strategy; all are "lower is better".
HEADLINE = "customer_impact_minutes"
SUMMARISED = (
    "customer_impact_minutes", "customers_affected", "time_to_detect", "time_to_mitigate",
    "time_to_resume", "time_to_restore", "staff_minutes", "cost",
)
COMPARED = ("customer_impact_minutes", "customers_affected", "time_to_detect",
            "time_to_mitigate", "time_to_resume", "time_to_restore")
LABELS = {
    "customer_impact_minutes": "customer-impact minutes",
    "customers_affected": "customers affected",
    "time_to_detect": "time to detect",
    "time_to_mitigate": "time to mitigate",
    "time_to_resume": "time to resume",
    "time_to_restore": "time to restore",
    "staff_minutes": "staff minutes",
    "cost": "cost",
}


class Results:
    """Outcomes of ``replications`` runs per strategy on common random numbers.

    ``frame`` has one row per replication and strategy. ``summary()`` and ``compare()`` give
    tables; ``to_dict()`` the JSON document of ``drillsim run --json``.
    """

    headline_metric = HEADLINE
    summarised: tuple[str, ...] = SUMMARISED
    compared: tuple[str, ...] = COMPARED

    def __init__(self, frame: pd.DataFrame, job, replications: int) -> None:
        self.frame = frame
        self.job = job
        self.replications = replications
        self._figures: dict[tuple[str, str], dict[str, tuple[dict, dict]]] = {}

    @property
    def scenario(self):
        return self.job.scenario

    @property
    def seed(self) -> int:
        return self.job.seed

    @property
    def strategies(self) -> list[str]:
        return [label for label, _ in self.job.strategies]

    def label(self, metric: str) -> str:
        """A metric's name in words."""
        return LABELS.get(metric, metric)

    def values(self, strategy: str, metric: str | None = None) -> pd.Series:
        """One strategy's metric, indexed by replication (taken from the two columns alone)."""
        name = metric or self.headline_metric
        chosen = (self.frame["strategy"] == strategy).to_numpy()
        return pd.Series(self.frame[name].array[chosen], name=name,
                         index=pd.Index(self.frame["replication"].array[chosen], name="replication"))

    def figures(self, baseline: str, metric: str) -> dict[str, tuple[dict, dict]]:
        """Per strategy: ``metric``'s description (``analysis.describe``) and its paired
        comparison with ``baseline`` (``analysis.paired``; empty for the baseline itself), as a
        sweep shows a cell. Kept once computed: a sweep computes them as each cell's results come
        in, while the other cells still run."""
        key = (baseline, metric)
        if key not in self._figures:
            values = {label: self.values(label, metric).to_numpy() for label in self.strategies}
            self._figures[key] = {
                label: (analysis.describe(v),
                        {} if label == baseline else analysis.paired(values[baseline], v))
                for label, v in values.items()}
        return self._figures[key]

    def differences(self, baseline: str | None = None, metric: str | None = None) -> pd.DataFrame:
        """Replication by replication: each strategy's metric minus the baseline's (paired)."""
        baseline = baseline or self.strategies[0]
        wide = self.frame.pivot(index="replication", columns="strategy",
                                values=metric or self.headline_metric)
        return wide.drop(columns=baseline).sub(wide[baseline], axis=0)

    def stats(self) -> dict[str, dict[str, Any]]:
        """Per strategy: each metric's description, plus shares such as RTO attainment."""
        out: dict[str, dict[str, Any]] = {}
        for label in self.strategies:
            rows = self.frame[self.frame["strategy"] == label]
            entry: dict[str, Any] = {m: analysis.describe(rows[m].to_numpy())
                                     for m in self.summarised if rows[m].notna().any()}
            entry.update(self._shares(rows))
            out[label] = entry
        return out

    def _shares(self, rows: pd.DataFrame) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        for flag in ("rto_met", "mtpd_breached"):
            if rows[flag].notna().any():
                result = analysis.share(rows[flag].to_numpy())
                entry[f"{flag}_share"] = result["share"]
                entry[f"{flag}_share_ci95"] = result["ci95"]
        entry["mitigated_by"] = {k: float(v) for k, v in
                                 rows["mitigated_by"].value_counts(normalize=True).items() if v > 0}
        return entry

    def summary(self, metrics: tuple[str, ...] | None = None) -> pd.DataFrame:
        """A table: strategy × metric rows with mean (CI), median, p90, p95, p99."""
        records = []
        for label, entry in self.stats().items():
            for metric in metrics or self.summarised:
                d = entry.get(metric)
                if d is None:
                    continue
                ci = d["mean_ci95"] or [None, None]
                records.append({"strategy": label, "metric": metric, "mean": d["mean"],
                                "mean_low": ci[0], "mean_high": ci[1], "median": d["median"],
                                "p90": d["p90"], "p95": d["p95"], "p99": d["p99"]})
        return pd.DataFrame.from_records(records).set_index(["strategy", "metric"])

    def comparisons(self, baseline: str | None = None,
                    metrics: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        """Paired comparisons of every other strategy against ``baseline`` (default: the first)."""
        baseline = baseline or self.strategies[0]
        if baseline not in self.strategies:
            raise KeyError(f"no strategy {baseline!r}; have {self.strategies}")
        out = []
        for label in self.strategies:
            if label == baseline:
                continue
            for metric in metrics or self.compared:
                result = analysis.paired(self.values(baseline, metric).to_numpy(),
                                         self.values(label, metric).to_numpy())
                out.append({"baseline": baseline, "strategy": label, "metric": metric, **result})
        return out

    def compare(self, baseline: str | None = None) -> pd.DataFrame:
        """Paired comparison table against ``baseline``: difference, CI, reduction, wins."""
        frame = pd.DataFrame.from_records(self.comparisons(baseline))
        if frame.empty:
            return frame
        return frame.set_index(["strategy", "metric"]).drop(columns=["baseline", "n"])

    def headline(self, baseline: str | None = None) -> list[str]:
        """One plain sentence per strategy about the headline metric's mean against the baseline."""
        lines = []
        what = f"mean {self.label(self.headline_metric)}"
        for c in self.comparisons(baseline, (self.headline_metric,)):
            r, ci, them, base = c["reduction"], c["reduction_ci95"], c["strategy"], c["baseline"]
            record = (f"better in {_pct(c['win_share'])} of replications, tied in "
                      f"{_pct(c['tie_share'])}, worse in {_pct(c['loss_share'])}")
            if r is None:
                lines.append(f"{them}: nothing to compare, {base} has no {what}.")
            elif c["tie_share"] == 1:
                lines.append(f"{them} gives the same {what} as {base}: every replication tied.")
            elif ci and ci[0] <= 0 <= ci[1]:
                lines.append(f"{them} changes {what} by {-r * 100:+.0f}% against {base} (95% CI "
                             f"{-ci[1] * 100:+.0f}% to {-ci[0] * 100:+.0f}%): within noise; {record}.")
            elif r > 0:
                interval = f" (95% CI {_pct(ci[0])}–{_pct(ci[1])})" if ci else ""
                lines.append(f"{them} cuts {what} by {_pct(r)}{interval} against {base}; {record}.")
            else:
                interval = f" (95% CI {_pct(-ci[1])}–{_pct(-ci[0])})" if ci else ""
                lines.append(f"{them} raises {what} by {_pct(-r)}{interval} against {base}; "
                             f"{record}.")
        return lines

    def to_dict(self, baseline: str | None = None) -> dict[str, Any]:
        """The JSON document of ``drillsim run --json`` (null, never NaN)."""
        return {
            "seed": self.seed,
            "replications": self.replications,
            "scenario": self.scenario.summary(),
            "strategies": self.stats(),
            "comparisons": self.comparisons(baseline),
            "headline": self.headline(baseline),
        }

    def timeline(self, strategy: str, replication: int = 0) -> Incident:
        """Replay one replication with its event log: ``.log`` events and ``.levels`` steps."""
        if not 0 <= replication < self.replications:
            raise IndexError(f"replication {replication} is outside 0–{self.replications - 1}")
        return replay(self.job, strategy, replication)

    def plot_ecdf(self, metric: str = HEADLINE, ax=None):
        """Empirical CDF of a metric per strategy (log scale: durations are heavy-tailed)."""
        from .plots import ecdf

        return ecdf(self, metric, ax)

    def plot_timeline(self, strategy: str, replication: int = 0, ax=None):
        """Service level over time for one replication, with who did what."""
        from .plots import timeline

        return timeline(self.timeline(strategy, replication), ax)

    def __repr__(self) -> str:
        return (f"<Results {self.scenario.name}: {', '.join(self.strategies)}; "
                f"{self.replications} replications, seed {self.seed}>")


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


class QuarterResults(Results):
    """Quarters of a portfolio per strategy: totals per quarter, and per system.

    ``frame`` has one row per quarter and strategy; ``incidents`` one row per incident when
    asked for. Totals across systems are in cost (minutes of different systems are different
    units), with customer-impact minutes per system.
    """

    def __init__(self, frame: pd.DataFrame, job, replications: int,
                 incidents: pd.DataFrame | None = None) -> None:
        super().__init__(frame, job, replications)
        self.incidents = incidents
        qmodel_columns = [c for c in frame.columns if c.startswith("cim:")]
        self.systems = [c.removeprefix("cim:") for c in qmodel_columns]
        costed = frame["cost"].notna().any()
        self.headline_metric = "cost" if costed else "customers_affected"
        self.summarised = (*(("cost",) if costed else ()), "customers_affected", *qmodel_columns,
                           "incidents", "waiting_minutes", "staff_hours", "utilisation",
                           "after_hours_hours", "overtime_hours", "mtpd_breaches")
        self.compared = (self.headline_metric, *qmodel_columns, "waiting_minutes",
                         "overtime_hours")

    @property
    def portfolio(self):
        return self.job.portfolio

    @property
    def scenario(self):
        return self.job.portfolio

    def label(self, metric: str) -> str:
        if metric.startswith("cim:"):
            return f"customer-impact minutes of {metric.removeprefix('cim:')}"
        return QUARTER_LABELS.get(metric, LABELS.get(metric, metric))

    def _shares(self, rows: pd.DataFrame) -> dict[str, Any]:
        """Shares over incidents, clustered by quarter (incidents of one quarter share a team)."""
        entry: dict[str, Any] = {}
        for name, hits, total in (("rto_met", "rto_met", "rto_incidents"),
                                  ("waited", "waited", "incidents")):
            result = analysis.ratio(rows[hits].to_numpy(), rows[total].to_numpy())
            entry[f"{name}_share"], entry[f"{name}_share_ci95"] = result
        return entry

    def timeline(self, strategy: str, replication: int = 0):  # pragma: no cover - not per quarter
        raise NotImplementedError("a quarter has many incidents: see .incidents")

    def __repr__(self) -> str:
        return (f"<QuarterResults {self.portfolio.name}: {', '.join(self.strategies)}; "
                f"{self.replications} quarters, seed {self.seed}>")


QUARTER_LABELS = {
    "cost": "outage cost per quarter",
    "customers_affected": "customers affected per quarter",
    "incidents": "incidents",
    "waiting_minutes": "minutes incidents waited for a responder",
    "staff_hours": "staff hours on incidents",
    "utilisation": "staff utilisation",
    "after_hours_hours": "after-hours work (hours)",
    "overtime_hours": "overtime (hours)",
    "mtpd_breaches": "MTPD breaches",
}
