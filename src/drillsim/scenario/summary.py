"""A scenario in figures, for people: each duration's median and p90, and the key figures.

Pure functions behind ``drillsim scenarios list`` and ``show``. The fix is summarised as one
attempt by one person (phase durations added up), since staffing and repeats depend on the
strategy; ``drillsim run`` gives the rest.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..distributions import Distribution
from .schema import Scenario

SAMPLES = 20_000  # draws used to add phase durations (fixed seed: the same figures every time)


def median_p90(distribution: Distribution) -> tuple[float, float]:
    """The distribution's median and 90th percentile."""
    low, high = distribution.quantile([0.5, 0.9])
    return float(low), float(high)


def fix_attempt(scenario: Scenario) -> tuple[float, float]:
    """Median and p90 of one fix attempt by one person: the phases' durations added up."""
    phases = scenario.fix.phases
    if len(phases) == 1:
        return median_p90(phases[0].duration)
    rng = np.random.default_rng(0)
    total = sum(p.duration.ppf(rng.random(SAMPLES)) for p in phases)
    low, high = np.quantile(total, [0.5, 0.9])
    return float(low), float(high)


def durations(scenario: Scenario) -> list[tuple[str, Distribution]]:
    """Every duration of the scenario, labelled, in the order an incident meets them."""
    out: list[tuple[str, Distribution]] = []
    if scenario.detection.monitoring:
        out.append(("detection: monitoring alert", scenario.detection.monitoring.delay))
    reports = scenario.detection.customer_reports
    if reports and reports.triage:
        out.append(("detection: service-desk triage", reports.triage))
    out.append(("response: business hours", scenario.team.response.business_hours))
    out.append(("response: after hours", scenario.team.response.after_hours))
    out += [(f"fix: {p.name}", p.duration) for p in scenario.fix.phases]
    for w in scenario.workarounds:
        out += [(f"{w.name}: find", w.find), (f"{w.name}: activate", w.activate)]
    return out


def key_figures(scenario: Scenario) -> dict[str, Any]:
    """What ``scenarios list`` shows: severity, targets, the fix, and the workarounds on offer."""
    median, p90 = fix_attempt(scenario)
    return {
        "severity": scenario.severity,
        "rto_minutes": scenario.rto_minutes,
        "mtpd_minutes": scenario.mtpd_minutes,
        "responders": len(scenario.team.names),
        "fix_owner": scenario.fix.owner,
        "fix_median": median,
        "fix_p90": p90,
        "workarounds": len(scenario.workarounds),
        "workarounds_available": sum(scenario.available(w) for w in scenario.workarounds),
    }
