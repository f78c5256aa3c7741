"""The fast path (engine/course.py) against the SimPy engine: the same numbers, to the bit."""

from __future__ import annotations

import math

import pytest
import yaml

import drillsim as ds
from conftest import BASE, WEBSITE
from drillsim.draws import DrawTable
from drillsim.engine import Incident, Model
from drillsim.engine.course import follow, supports
from drillsim.scenario import Scenario
from drillsim.scenario.loading import merge
from drillsim.strategies import FixPlusWorkaround, StrategyError, parse_strategy

STRATEGIES = ("fix-only", "fix-plus-workaround", "fix-plus-workaround:workaround_staff=2",
              "escalate-after", "escalate-after:after_minutes=0",
              "escalate-after:after_minutes=1000000000", "workaround-first")

PHONE = {"name": "phone-orders", "find": {"fixed": 5}, "activate": {"fixed": 5},
         "success_probability": 0.5, "coverage": 0.3, "holds_staff": 1}
SCRIPT = {"name": "scripted-restart", "find": {"fixed": 5}, "activate": {"fixed": 10},
          "success_probability": 0.5, "coverage": 1.0}

# Each variant stresses one part of the course; the website outage itself is the first.
VARIANTS = {
    "website": {},
    "one responder": {"team": {"responders": 1}},
    "four responders": {"team": {"responders": 4}},
    "tired within the hour": {"team": {"fatigue": {"after_hours": 0.75, "slowdown": 0.5}}},
    "no backup site": {"capabilities": {"backup_site": False}},
    "repairs that rarely hold": {"fix": {"repair_failure_probability": 0.7}},
    "an operated workaround below the MBCO": {
        "mbco": 0.8, "severity": 0.6,
        "workarounds": [{"name": "phone-orders", "find": {"fixed": 30}, "activate": {"fixed": 20},
                         "success_probability": 0.9, "coverage": 0.3, "holds_staff": 1}]},
}


def website(changes: dict) -> Scenario:
    data = yaml.safe_load(WEBSITE.read_text())
    del data["injects"]  # a drill's script: no part of the model, and it names the options
    return Scenario.model_validate(merge(data, changes))


def scenarios() -> dict[str, Scenario]:
    """The variants, plus a bare outage whose fixed times make events tie."""
    found = {name: website(changes) for name, changes in VARIANTS.items()}
    found["ties"] = Scenario.model_validate(merge(BASE, {
        "team": {"responders": 3, "fatigue": {"after_hours": 1, "slowdown": 0.5}},
        "fix": {"phases": [{"name": "fix", "duration": {"fixed": 15}}],
                "repair_failure_probability": 0.5},
        "workarounds": [SCRIPT, PHONE]}))
    return found


def same(a: tuple, b: tuple) -> bool:
    return all(x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))
               for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("name", [*VARIANTS, "ties"])
def test_the_fast_path_gives_the_engines_numbers(name):
    sc = scenarios()[name]
    model = Model(sc)
    table = DrawTable(sc, 11, 0, week=model.week)
    rows = [table.row(i) for i in range(256)]
    for spec in STRATEGIES:
        strategy = parse_strategy(spec)
        assert supports(model, strategy)
        for draws in rows:
            fast = follow(model, draws, strategy)
            engine = tuple(Incident(model, draws, strategy).run())
            assert fast is not None, (name, spec, draws.replication)
            assert same(tuple(fast), engine), (name, spec, draws.replication, fast, engine)


def test_the_variants_reach_the_cases_they_are_for():
    """Guard the test above: someone tires, a repair fails twice, an option is operated."""
    found = scenarios()
    tired = ds.simulate(found["tired within the hour"], ["fix-only"], replications=256, seed=11)
    assert (tired.frame["time_to_restore"] > 45 + 60).mean() > 0.5
    failing = ds.simulate(found["repairs that rarely hold"], ["fix-only"], replications=256,
                          seed=11)
    assert (failing.frame["repair_attempts"] > 4).any()  # beyond the attempts drawn per block
    operated = ds.simulate(found["an operated workaround below the MBCO"],
                           ["workaround-first"], replications=256, seed=11)
    assert (operated.frame["mitigated_by"] == "phone-orders").mean() > 0.5


class Cautious(FixPlusWorkaround):
    """A user's variation on a built-in: the fast path must leave it to the engine."""


def test_what_the_fast_path_does_not_know_goes_to_the_engine():
    sc = website({})
    assert not supports(Model(sc), Cautious())
    vendor = website({"fix": {"owner": "external"}})
    assert not supports(Model(vendor), parse_strategy("fix-only"))
    res = ds.simulate(sc, {"built-in": parse_strategy("fix-plus-workaround"),
                           "subclass": Cautious()}, replications=300, seed=5)
    frame = res.frame.drop(columns="strategy")
    built_in = frame[res.frame["strategy"] == "built-in"].reset_index(drop=True)
    subclass = frame[res.frame["strategy"] == "subclass"].reset_index(drop=True)
    assert built_in.equals(subclass)  # the engine and the fast path agree here too


def test_an_unstaffed_fix_is_still_reported_by_the_engine():
    """Everyone on a workaround that is operated below the MBCO: nobody ever fixes it."""
    sc = Scenario.model_validate(merge(BASE, {
        "mbco": 0.9, "team": {"responders": 1},
        "workarounds": [{**PHONE, "success_probability": 1.0}]}))
    with pytest.raises(StrategyError, match="left the fix unstaffed"):
        ds.simulate(sc, ["workaround-first"], replications=10, seed=1)
