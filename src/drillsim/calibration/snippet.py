"""Scenario YAML from a calibration, ready to paste, and checkable by ``drillsim validate`` as it is.

A snippet is a scenario file that ``extends`` a base scenario (by a path relative to the snippet,
so the pair can move together) and overrides its fix, plus its workarounds when a whole scenario
was matched. Comments say where every number came from. Numbers keep four significant digits.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from ..distributions import Distribution
from ..results import LABELS
from ..scenario import Scenario
from .fitting import Fit
from .history import History
from .matching import Match


def fit_snippet(fits: list[Fit], history: History, base: Scenario, base_path: Path,
                out: Path) -> str:
    """The best fit as the whole fix of ``base``, the other families as comments."""
    best = fits[0]
    lines = [
        f"# drillsim calibrate: {history.source}, {len(history.durations):,} durations "
        f"({history.measured}).",
        f"# {best.family} ranks first by AIC; observed median {_g(history.quantile(0.5))}, "
        f"p90 {_g(history.quantile(0.9))}; fitted median {_g(best.quantile(0.5))}, "
        f"p90 {_g(best.quantile(0.9))}.",
        "# The history becomes one fix phase: its durations already hold diagnosis, failed repairs",
        "# and verification, hence repair_failure_probability 0. Paste the fix block (or only its",
        f"# duration) into your scenario; as written this file extends {base.name} so that",
        "# `drillsim validate` checks it. The simulation adds detection and response and divides",
        "# work by the team's speed-up: to match a whole scenario to the history, run",
        "# `drillsim calibrate ... --scenario NAME --strategy STRATEGY`.",
    ]
    body = {
        "extends": _relative(base_path, out),
        "name": f"{base.name}-calibrated",
        "title": f"{base.title} (fix fitted to {Path(history.source).name})",
        "fix": {"phases": [{"name": "restore", "duration": _rounded(best.distribution.spec())}],
                "repair_failure_probability": 0},
    }
    others = [f"#   {f.family}: {_flow(_rounded(f.distribution.spec()[f.family]))}"
              f"  (ΔAIC {f.aic - best.aic:,.1f}, KS {f.ks:.3f})" for f in fits[1:]]
    tail = ["# Other families, worse by AIC:", *others] if others else []
    return "\n".join([*lines, _dump(body).rstrip(), *tail]) + "\n"


def match_snippet(match: Match, history: History, base_path: Path, out: Path) -> str:
    """The matched scenario's fix and workarounds as overrides of the original scenario."""
    scenario = match.scenario
    origin = "from detection" if match.from_detection else "from onset"
    (m, p), (ml, mh), (pl, ph) = match.observed, *(_ci(ci) for ci in match.observed_ci)
    lines = [
        f"# drillsim calibrate: {scenario.name} matched to {history.source} "
        f"({len(history.durations):,} durations, {history.measured}).",
        f"# {LABELS[match.target]} {origin} under {match.strategy}: observed median {_g(m)} "
        f"({ml}–{mh}), p90 {_g(p)} ({pl}–{ph});",
        f"# simulated median {_g(match.simulated[0])}, p90 {_g(match.simulated[1])} "
        f"({match.replications:,} replications, seed {match.seed}): "
        f"{'matched' if match.matched else 'NOT matched within the observed 95% intervals'}.",
        f"# Every fix and workaround duration × {match.scale:.3g}; {match.phase} σ "
        f"{match.sigma[0]:.3g} → {match.sigma[1]:.3g}.",
    ]
    body = {
        "extends": _relative(base_path, out),
        "name": f"{scenario.name}-calibrated",
        "title": f"{scenario.title} (calibrated to {Path(history.source).name})",
        "fix": {"phases": [_plain(p) for p in scenario.fix.phases]},
        "workarounds": [_plain(w) for w in scenario.workarounds],
    }
    return "\n".join([*lines, _dump(body).rstrip()]) + "\n"


def _plain(model: BaseModel) -> dict[str, Any]:
    """A schema object as YAML data, leaving out fields at their defaults."""
    out = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if not info.is_required() and value == info.default:
            continue
        out[name] = _rounded(value.spec() if isinstance(value, Distribution) else value)
    return out


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.4g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def _relative(path: Path, out: Path) -> str:
    try:
        return os.path.relpath(path.resolve(), out.resolve().parent)
    except ValueError:  # another drive (Windows): no relative path exists
        return str(path.resolve())


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None,
                          width=100)


def _flow(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=True, width=1000).strip()


def _ci(pair: tuple[float, float] | None) -> tuple[str, str]:
    return ("?", "?") if pair is None else (_g(pair[0]), _g(pair[1]))


def _g(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"
