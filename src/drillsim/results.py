"""The results of a simulation: the per-replication frame and what people ask of it."""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import analysis
from .engine import Incident
from .runner import Job, replay

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

    def __init__(self, frame: pd.DataFrame, job: Job, replications: int) -> None:
        self.frame = frame
        self.job = job
        self.replications = replications

    @property
    def scenario(self):
        return self.job.scenario

    @property
    def seed(self) -> int:
        return self.job.seed

    @property
    def strategies(self) -> list[str]:
        return [label for label, _ in self.job.strategies]

    def values(self, strategy: str, metric: str = HEADLINE) -> pd.Series:
        """One strategy's metric, indexed by replication."""
        rows = self.frame[self.frame["strategy"] == strategy]
        return rows.set_index("replication")[metric]

    def stats(self) -> dict[str, dict[str, Any]]:
        """Per strategy: each metric's description, plus RTO and MTPD shares where defined."""
        out: dict[str, dict[str, Any]] = {}
        for label in self.strategies:
            rows = self.frame[self.frame["strategy"] == label]
            entry: dict[str, Any] = {m: analysis.describe(rows[m].to_numpy()) for m in SUMMARISED
                                     if rows[m].notna().any()}
            for flag in ("rto_met", "mtpd_breached"):
                if rows[flag].notna().any():
                    result = analysis.share(rows[flag].to_numpy())
                    entry[f"{flag}_share"] = result["share"]
                    entry[f"{flag}_share_ci95"] = result["ci95"]
            entry["mitigated_by"] = {k: float(v) for k, v in
                                     rows["mitigated_by"].value_counts(normalize=True).items()
                                     if v > 0}
            out[label] = entry
        return out

    def summary(self, metrics: tuple[str, ...] = SUMMARISED) -> pd.DataFrame:
        """A table: strategy × metric rows with mean (CI), median, p90, p95, p99."""
        records = []
        for label, entry in self.stats().items():
            for metric in metrics:
                d = entry.get(metric)
                if d is None:
                    continue
                ci = d["mean_ci95"] or [None, None]
                records.append({"strategy": label, "metric": metric, "mean": d["mean"],
                                "mean_low": ci[0], "mean_high": ci[1], "median": d["median"],
                                "p90": d["p90"], "p95": d["p95"], "p99": d["p99"]})
        return pd.DataFrame.from_records(records).set_index(["strategy", "metric"])

    def comparisons(self, baseline: str | None = None,
                    metrics: tuple[str, ...] = COMPARED) -> list[dict[str, Any]]:
        """Paired comparisons of every other strategy against ``baseline`` (default: the first)."""
        baseline = baseline or self.strategies[0]
        if baseline not in self.strategies:
            raise KeyError(f"no strategy {baseline!r}; have {self.strategies}")
        out = []
        for label in self.strategies:
            if label == baseline:
                continue
            for metric in metrics:
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
        """One plain sentence per strategy about mean customer-impact minutes vs the baseline."""
        lines = []
        for c in self.comparisons(baseline, (HEADLINE,)):
            r, ci = c["reduction"], c["reduction_ci95"]
            if r is None:
                lines.append(f"{c['strategy']}: no customer impact under {c['baseline']} to "
                             "compare against")
                continue
            verb = "cuts" if r > 0 else "raises"
            interval = f" (95% CI {_pct(ci[0])}–{_pct(ci[1])})" if ci else ""
            if ci and ci[0] <= 0 <= ci[1]:
                verb, interval = "changes", interval + ", within noise"
            amount = f"{abs(r) * 100:.0f}%" if verb != "changes" else f"{-r * 100:+.0f}%"
            lines.append(f"{c['strategy']} {verb} mean customer-impact minutes by {amount}"
                         f"{interval} against {c['baseline']}; better in "
                         f"{c['win_share'] * 100:.0f}% of replications, tied in "
                         f"{c['tie_share'] * 100:.0f}%, worse in {c['loss_share'] * 100:.0f}%.")
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
