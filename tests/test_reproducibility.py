"""Reproducibility and common random numbers (DESIGN §6)."""

from __future__ import annotations

import pandas as pd
import pytest

import drillsim as ds
from conftest import WEBSITE
from drillsim.draws import DrawTable

STRATEGIES = ["fix-only", "fix-plus-workaround", "workaround-first"]


@pytest.fixture(scope="module")
def website():
    return ds.load_scenario(WEBSITE)


def test_same_numbers_on_one_and_two_workers_and_across_runs(website):
    one = ds.simulate(website, STRATEGIES, replications=2500, seed=9, workers=1).frame
    two = ds.simulate(website, STRATEGIES, replications=2500, seed=9, workers=2).frame
    again = ds.simulate(website, STRATEGIES, replications=2500, seed=9, workers=1).frame
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(one, again)


def test_a_replication_does_not_depend_on_how_many_run(website):
    short = ds.simulate(website, ["fix-plus-workaround"], replications=1500, seed=9).frame
    long = ds.simulate(website, ["fix-plus-workaround"], replications=3000, seed=9).frame
    pd.testing.assert_frame_equal(short, long.iloc[:1500])


def test_different_seeds_differ(website):
    a = ds.simulate(website, ["fix-only"], replications=200, seed=1).frame
    b = ds.simulate(website, ["fix-only"], replications=200, seed=2).frame
    assert not a["customer_impact_minutes"].equals(b["customer_impact_minutes"])


def test_every_strategy_sees_the_same_incident(website):
    res = ds.simulate(website, STRATEGIES, replications=300, seed=5)
    detect = res.frame.pivot(index="replication", columns="strategy", values="time_to_detect")
    assert (detect.nunique(axis=1) == 1).all()
    for rep in (0, 17, 299):
        logs = {s: res.timeline(s, rep) for s in STRATEGIES}
        draws = {s: incident.draws for s, incident in logs.items()}
        onsets = {d.onset for d in draws.values()}
        arrivals = {tuple(e.time for e in inc.log if e.kind == "arrived")
                    for inc in logs.values()}
        works = {tuple(map(tuple, d.work)) for d in draws.values()}
        assert len(onsets) == len(arrivals) == len(works) == 1


def test_draws_are_keyed_by_identity_not_by_scenario_shape(website):
    """Adding a responder leaves every other slot's and the fix's draws unchanged."""
    bigger = website.model_copy(update={"team": website.team.model_copy(update={"responders": 3})})
    a, b = DrawTable(website, 7, 0).row(5), DrawTable(bigger, 7, 0).row(5)
    assert b.on_site[:2] == a.on_site and b.on_call[:2] == a.on_call
    assert b.work == a.work and b.find == a.find


def test_random_onsets_follow_the_profile(website):
    random_onset = website.model_copy(update={"onset": website.onset.model_copy(
        update={"time_of_day": "random", "weekday": "random"})})
    res = ds.simulate(random_onset, ["fix-only"], replications=2048, seed=3)
    onsets = [DrawTable(random_onset, 3, b).row(i).onset for b in (0, 1) for i in range(0, 1024, 8)]
    hours = [int(t // 60) % 24 for t in onsets]
    night = sum(h < 6 for h in hours) / len(hours)
    day = sum(9 <= h < 17 for h in hours) / len(hours)
    assert day > 0.45 and night < 0.1  # weighted by demand, not uniform (which gives 0.33, 0.25)
    assert res.frame["time_to_restore"].notna().all()
