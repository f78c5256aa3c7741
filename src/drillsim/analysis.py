"""Summaries and paired comparisons with honest uncertainty (DESIGN §3, §12). Pure functions.

Quantile intervals come from order statistics and are ``None`` when the sample is too small to
give one; the headline reduction is ``1 - mean(B)/mean(A)`` with a delta-method interval on the
paired data, never a mean of per-replication ratios.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import stats

Z95 = float(stats.norm.ppf(0.975))
QUANTILES = {"median": 0.5, "p90": 0.9, "p95": 0.95, "p99": 0.99}


def _clean(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _pair(low: float, high: float) -> list[float | None] | None:
    low, high = _clean(low), _clean(high)
    return None if low is None or high is None else [low, high]


def mean_ci(values: np.ndarray, level: float = 0.95) -> list[float | None] | None:
    """Student-t interval for the mean; ``None`` for fewer than two values."""
    n = len(values)
    if n < 2:
        return None
    half = _t(n - 1, level) * np.std(values, ddof=1) / math.sqrt(n)
    mean = float(np.mean(values))
    return _pair(mean - half, mean + half)


def quantile_ci(ordered: np.ndarray, q: float, level: float = 0.95) -> list[float] | None:
    """Distribution-free interval for the q-quantile from order statistics of sorted values.

    Ranks l < u with P(X_(l) ≤ ξ_q ≤ X_(u)) ≥ level; ``None`` when n is too small (e.g. a 95%
    interval for p99 needs n ≥ 367).
    """
    n = len(ordered)
    low, high = _ranks(n, q, level)
    if n == 0 or low < 1 or high > n:
        return None
    return _pair(ordered[low - 1], ordered[high - 1])


@lru_cache(maxsize=1024)
def _ranks(n: int, q: float, level: float) -> tuple[int, int]:
    """The 1-based ranks (low, high) of ``quantile_ci``; kept, as a sweep asks for the same
    few sizes in every cell."""
    tail = (1 - level) / 2
    return int(stats.binom.ppf(tail, n, q)), int(stats.binom.ppf(1 - tail, n, q)) + 1


@lru_cache(maxsize=1024)
def _t(df: int, level: float) -> float:
    """Student's t quantile of ``mean_ci``, kept for the same reason."""
    return float(stats.t.ppf(0.5 + level / 2, df))


def describe(values: np.ndarray) -> dict[str, Any]:
    """Mean, median, p90, p95, p99 with 95% intervals (``None`` where they cannot be given)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return {"n": 0, "mean": None, "mean_ci95": None,
                **{k: None for k in QUANTILES}, **{f"{k}_ci95": None for k in QUANTILES}}
    ordered = np.sort(values)
    out: dict[str, Any] = {"n": len(values), "mean": _clean(np.mean(values)),
                           "mean_ci95": mean_ci(values)}
    quantiles = np.quantile(ordered, list(QUANTILES.values()))  # one call: each as if alone
    for (name, q), value in zip(QUANTILES.items(), quantiles, strict=True):
        out[name] = _clean(value)
        out[f"{name}_ci95"] = quantile_ci(ordered, q)
    return out


def share(flags: np.ndarray) -> dict[str, Any]:
    """A proportion with its Wilson 95% interval; ``None`` where nothing applies (all NaN)."""
    flags = np.asarray(flags, dtype=float)
    flags = flags[~np.isnan(flags)]
    n = len(flags)
    if n == 0:
        return {"share": None, "ci95": None}
    p = float(flags.mean())
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return {"share": p, "ci95": _pair(max(centre - half, 0.0), min(centre + half, 1.0))}


def paired(baseline: np.ndarray, other: np.ndarray) -> dict[str, Any]:
    """Compare ``other`` with ``baseline`` replication by replication (lower is better).

    mean_difference is mean(other - baseline); win_share is the share where ``other`` is lower,
    tie_share where they are equal; reduction is 1 - mean(other)/mean(baseline).
    """
    a = np.asarray(baseline, dtype=float)
    b = np.asarray(other, dtype=float)
    diff = b - a
    n = len(diff)
    out: dict[str, Any] = {
        "n": n,
        "mean_difference": _clean(diff.mean()) if n else None,
        "ci95": mean_ci(diff),
        "win_share": _clean(np.mean(diff < 0)) if n else None,
        "tie_share": _clean(np.mean(diff == 0)) if n else None,
        "loss_share": _clean(np.mean(diff > 0)) if n else None,
    }
    out["reduction"], out["reduction_ci95"] = reduction(a, b)
    return out


def reduction(a: np.ndarray, b: np.ndarray) -> tuple[float | None, list[float | None] | None]:
    """1 - mean(b)/mean(a) with a delta-method 95% interval over paired replications."""
    n = len(a)
    mean_a, mean_b = (float(np.mean(a)), float(np.mean(b))) if n else (0.0, 0.0)
    if n < 2 or mean_a <= 0:
        return None, None
    ratio = mean_b / mean_a
    cov = np.cov(a, b, ddof=1)
    var = (cov[1, 1] - 2 * ratio * cov[0, 1] + ratio**2 * cov[0, 0]) / (n * mean_a**2)
    half = Z95 * math.sqrt(max(var, 0.0))
    return _clean(1 - ratio), _pair(1 - ratio - half, 1 - ratio + half)


def ratio(hits: np.ndarray, totals: np.ndarray) -> tuple[float | None, list[float] | None]:
    """Σhits / Σtotals over clusters (e.g. incidents grouped by quarter), with a cluster-robust
    delta-method 95% interval; ``None`` where nothing counts."""
    hits = np.asarray(hits, dtype=float)
    totals = np.asarray(totals, dtype=float)
    m, total = len(totals), float(totals.sum())
    if m == 0 or total == 0:
        return None, None
    r = float(hits.sum()) / total
    if m < 2:
        return r, None
    residual = hits - r * totals
    se = math.sqrt(float(np.sum(residual**2)) / (m - 1) / m) / (total / m)
    return r, _pair(max(r - Z95 * se, 0.0), min(r + Z95 * se, 1.0))
