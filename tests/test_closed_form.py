"""The model against closed-form results: races of exponentials, success and coverage, detection.

Seeds are fixed and every tolerance is a 99.9% interval (tests/stats.py), with n large enough to
catch a 2–3% bias.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import drillsim as ds
from conftest import scenario
from drillsim.week import BUSINESS_DAY, Week
from stats import assert_mean, assert_share

N = 40_000
F, W = 100.0, 30.0  # mean fix and mean workaround activation, minutes


def race(success: float = 1.0, coverage: float = 1.0, **changes) -> ds.Scenario:
    """Fix Exp(F) against one workaround activated in Exp(W), found at once."""
    option = {"name": "switch", "find": {"fixed": 0}, "activate": {"exponential": {"mean": W}},
              "success_probability": success, "coverage": coverage}
    return scenario(workarounds=[option], **changes)


def run(sc, strategy="fix-plus-workaround", n=N, seed=11):
    return ds.simulate(sc, [strategy], replications=n, seed=seed, workers=2).frame


def test_race_of_exponentials():
    frame = run(race())
    expected = 1 / (1 / F + 1 / W)
    assert_mean(frame["customer_impact_minutes"], expected)
    assert_mean(frame["time_to_mitigate"], expected)
    assert_share(frame["mitigated_by"] == "switch", F / (F + W))
    assert np.allclose(frame["customers_affected"], 10 * frame["customer_impact_minutes"])


def test_workaround_that_succeeds_with_probability_p():
    p = 0.6
    frame = run(race(success=p))
    assert_mean(frame["customer_impact_minutes"], p * F * W / (F + W) + (1 - p) * F)
    assert_share(frame["mitigated_by"] == "switch", p * F / (F + W))


def test_partial_coverage_and_severity():
    c, severity = 0.4, 0.5
    frame = run(race(coverage=c, severity=severity))
    first = F * W / (F + W)
    assert_mean(frame["customer_impact_minutes"], severity * (first + (1 - c) * (F - first)))
    assert_mean(frame["time_to_restore"], F)  # with alpha 0 the second person adds no speed


def test_fix_only_ignores_the_workaround():
    frame = run(race(), strategy="fix-only")
    assert_mean(frame["customer_impact_minutes"], F)
    assert (frame["mitigated_by"] == "fix").all()


def test_detection_is_the_first_of_alert_and_complaint():
    alert, p = 20.0, 0.005  # complaints at 10 customers/min × 0.005 = one per 20 minutes
    sc = scenario(detection={"monitoring": {"delay": {"exponential": {"mean": alert}}},
                             "customer_reports": {"report_probability": p}})
    frame = run(sc, "fix-only")
    assert_mean(frame["time_to_detect"], 1 / (1 / alert + 10 * p))


@pytest.mark.parametrize("minutes", [30.0, 120.0, 400.0])
def test_complaints_follow_the_demand_profile(minutes):
    """With no monitoring, P(undetected at t) = exp(-rate · C(onset, t)) under business-day demand."""
    p = 0.002
    sc = scenario(demand={"customers_per_minute": 10, "profile": "business-day"},
                  onset={"time_of_day": "06:00"},
                  detection={"monitoring": None, "customer_reports": {"report_probability": p}})
    frame = run(sc, "fix-only", n=20_000, seed=5)
    week = Week(BUSINESS_DAY)
    onset = 24 * 60 + 6 * 60  # Tuesday 06:00
    exposure = week.cumulative(onset + minutes) - week.cumulative(onset)
    assert_share(frame["time_to_detect"] > minutes, math.exp(-10 * p * exposure))


def test_repair_failures_send_work_back():
    q = 0.3
    frame = run(scenario(fix={"repair_failure_probability": q}), "fix-only")
    assert_mean(frame["repair_attempts"], 1 / (1 - q))
    assert_mean(frame["time_to_restore"], F / (1 - q))
