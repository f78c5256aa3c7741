"""Strategies: the built-ins' rules, their equivalences bit for bit, parsing and user classes."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

import drillsim as ds
from conftest import WEBSITE
from drillsim.strategies import EscalateAfter, FixPlusWorkaround, StrategyError, parse_strategy

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
N = 3000


@pytest.fixture(scope="module")
def website():
    return ds.load_scenario(WEBSITE)


def frame(sc, *strategies, n=N, seed=21):
    return ds.simulate(sc, list(strategies), replications=n, seed=seed).frame


def metrics(f, label):
    return f[f["strategy"] == label].drop(columns="strategy").reset_index(drop=True)


def test_escalate_after_zero_equals_fix_plus_workaround(website):
    f = frame(website, "fix-plus-workaround", "escalate-after:after_minutes=0")
    pd.testing.assert_frame_equal(metrics(f, "fix-plus-workaround"),
                                  metrics(f, "escalate-after:after_minutes=0"))


def test_escalate_after_forever_equals_fix_only(website):
    f = frame(website, "fix-only", "escalate-after:after_minutes=1e9")
    pd.testing.assert_frame_equal(metrics(f, "fix-only"),
                                  metrics(f, "escalate-after:after_minutes=1e9"))


def test_one_responder_makes_fix_plus_workaround_fix_only(website):
    solo = website.model_copy(update={"team": website.team.model_copy(update={"responders": 1})})
    f = frame(solo, "fix-only", "fix-plus-workaround")
    pd.testing.assert_frame_equal(metrics(f, "fix-only"), metrics(f, "fix-plus-workaround"))
    res = ds.simulate(solo, ["fix-only", "fix-plus-workaround"], replications=500, seed=2)
    assert res.comparisons()[0]["tie_share"] == 1.0


def test_escalation_moves_the_newest_fixer_at_the_stated_time(website):
    res = ds.simulate(website, ["escalate-after:after_minutes=45"], replications=200, seed=4)
    for rep in range(200):
        log = res.timeline("escalate-after:after_minutes=45", rep).log
        detected = log[0].time
        moves = [e for e in log if e.kind == "assigned" and e.detail.startswith("workaround")]
        arrivals = [e.who for e in log if e.kind == "arrived"]
        if moves and len(arrivals) == 2:
            first = moves[0]
            assert first.time >= detected + 45 - 1e-9
            assert first.who == arrivals[-1]  # the most recently arrived fixer, never the last


def test_workaround_first_sends_everyone_to_options_first(website):
    res = ds.simulate(website, ["workaround-first"], replications=50, seed=8)
    log = res.timeline("workaround-first", 0).log
    first_jobs = {}
    for e in log:
        if e.kind == "assigned" and e.who not in first_jobs:
            first_jobs[e.who] = e.detail
    assert sorted(first_jobs.values()) == ["workaround:phone-orders",
                                           "workaround:reroute-to-backup-site"]


def test_parsing_names_parameters_and_classes():
    assert isinstance(parse_strategy("fix-plus-workaround"), FixPlusWorkaround)
    assert parse_strategy("fix-plus-workaround:workaround_staff=2").workaround_staff == 2
    assert parse_strategy("escalate-after:after_minutes=15").after_minutes == 15
    custom = parse_strategy("custom_strategy:OneTalksToCustomers:talkers=2")
    assert custom.talkers == 2
    assert isinstance(parse_strategy(EscalateAfter(5)), EscalateAfter)


@pytest.mark.parametrize("spec, message", [
    ("fix-first", "unknown strategy 'fix-first'"),
    ("escalate-after:minutes=3", "has no parameter 'minutes'; it takes after_minutes"),
    ("escalate-after:after_minutes=-1", "after_minutes must be"),
    ("fix-plus-workaround:workaround_staff", "expected key=value"),
    ("no_such_module:Thing", "cannot load strategy"),
])
def test_bad_strategies_say_what_is_wrong(spec, message):
    with pytest.raises(StrategyError, match=message):
        parse_strategy(spec)


def test_user_strategy_runs_and_talking_costs_fix_speed(website):
    f = frame(website, "fix-only", "custom_strategy:OneTalksToCustomers", n=2000)
    talk = metrics(f, "custom_strategy:OneTalksToCustomers")
    assert (talk["time_to_restore"] >= metrics(f, "fix-only")["time_to_restore"] - 1e-9).all()


def test_impossible_assignment_names_strategy_and_time(website):
    with pytest.raises(StrategyError, match=r"strategy custom_strategy:Meddler at T\+[0-9.]+ min "
                                            r"assigned responder 'R\d', who has not arrived"):
        frame(website, "custom_strategy:Meddler", n=50)


def test_a_strategy_that_leaves_the_fix_unstaffed_is_stopped(website):
    with pytest.raises(StrategyError, match="Idler left the fix unstaffed"):
        frame(website, "custom_strategy:Idler", n=5)


def test_duplicate_strategies_are_refused(website):
    with pytest.raises(StrategyError, match="once"):
        frame(website, "fix-only", "fix-only")
