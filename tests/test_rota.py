"""The quarter's fast path (rota.py) against the SimPy engine: the same numbers, to the bit."""

from __future__ import annotations

import math

import pytest

from conftest import ROOT
from drillsim.engine.dispatch import DISPATCH, DefaultDispatch
from drillsim.portfolio import Portfolio, load_portfolio
from drillsim.quarter import Quarter, QuarterModel, QuarterTable
from drillsim.rota import Rota, rota_supports
from drillsim.strategies import FixOnly, StrategyError, parse_strategy

RETAILER = ROOT / "scenarios" / "portfolios" / "small-online-retailer.yaml"
STRATEGIES = ("fix-only", "fix-plus-workaround", "fix-plus-workaround:workaround_staff=2",
              "escalate-after", "escalate-after:after_minutes=0", "workaround-first")


def variant(portfolio: Portfolio, busier: float = 1.0, team: dict | None = None,
            fatigue: dict | None = None, **changes) -> Portfolio:
    """The portfolio with incident rates × ``busier`` and other fields changed."""
    systems = [s.model_copy(update={"rate": s.rate.model_copy(
        update={"per_month": s.rate.per_month * busier})}) for s in portfolio.systems]
    team = dict(team or {})
    if fatigue:
        team["fatigue"] = portfolio.team.fatigue.model_copy(update=fatigue)
    changed = portfolio.model_copy(update={
        "systems": systems, "team": portfolio.team.model_copy(update=team), **changes})
    changed._source, changed._scenarios = portfolio._source, portfolio.scenarios()
    return changed


# Each variant stresses one part of dispatch; the retailer itself (with its vendor-run payment
# provider) is the first. "Busy" quarters have several incidents open at once most weeks.
VARIANTS = {
    "retailer": {},
    "busy": {"busier": 12},
    "busy, tired within hours, short rests": {"busier": 12, "fatigue": {"after_hours": 1.5},
                                              "team": {"rest_hours": 0.5}},
    "busy, no rest needed, instant hand-over": {"busier": 12, "fatigue": {"after_hours": 2},
                                                "team": {"rest_hours": 0,
                                                         "handover_minutes": 0}},
    "two people, nobody paged in, no merging": {
        "busier": 6, "team": {"responders": ["A", "B"], "page_extra": 0},
        "merge_concurrent": False},
    "cost first, three paged in, daily rotation": {
        "busier": 12, "dispatch": "cost-first", "team": {"page_extra": 3, "rotation_days": 1}},
}


def same(a, b) -> bool:
    return all(x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))
               for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("name", VARIANTS)
def test_the_fast_path_gives_the_engines_quarters(name):
    qmodel = QuarterModel(variant(load_portfolio(RETAILER), **VARIANTS[name]))
    table = QuarterTable(qmodel, 5, 0)
    quarters = [table.quarter(i) for i in range(12)]
    for spec in STRATEGIES:
        strategy = parse_strategy(spec)
        assert rota_supports(strategy)
        for i, arrivals in enumerate(quarters):
            fast = Rota(qmodel, arrivals, strategy).follow(keep=True)
            engine = Quarter(qmodel, arrivals, strategy, spec, keep=True).run()
            assert fast is not None, (name, spec, i)
            assert same(fast[0], engine[0]), (name, spec, i, fast[0], engine[0])
            assert len(fast[1]) == len(engine[1])
            assert all(same(f, e) for f, e in zip(fast[1], engine[1], strict=True)), (name, spec, i)


def test_a_strategy_it_does_not_know_goes_to_the_engine():
    class Cautious(FixOnly):
        """A user's strategy: the fast path cannot know what it reads."""

    assert not rota_supports(Cautious())
    assert rota_supports(FixOnly())


def test_a_quarter_whose_fix_is_left_unstaffed_is_the_engines_to_report():
    """Nobody on the fix and nothing pending: the fast path declines, the engine raises."""
    qmodel = QuarterModel(load_portfolio(RETAILER))
    table = QuarterTable(qmodel, 5, 0)
    arrivals = next(a for a in map(table.quarter, range(100)) if a)
    idle = parse_strategy("fix-plus-workaround:workaround_staff=0")
    idle.decide = lambda view: None  # an instance's own decide: still its built-in type
    assert Rota(qmodel, arrivals, idle).follow(keep=False) is None
    with pytest.raises(StrategyError, match="left a fix unstaffed on day"):
        Quarter(qmodel, arrivals, idle, "idle").run()


def test_a_dispatch_policy_of_ones_own_extends_the_default(monkeypatch):
    """A policy subclassing the default (compiled, as it may be) places people on both paths."""
    seen = []

    class Counting(DefaultDispatch):
        def detected(self, team, incident):
            seen.append(incident)
            super().detected(team, incident)

    monkeypatch.setitem(DISPATCH, "default", Counting)
    qmodel = QuarterModel(variant(load_portfolio(RETAILER), busier=12))
    arrivals = QuarterTable(qmodel, 5, 0).quarter(0)
    strategy = parse_strategy("fix-plus-workaround")
    fast = Rota(qmodel, arrivals, strategy).follow(keep=True)
    on_rota = len(seen)
    engine = Quarter(qmodel, arrivals, strategy, keep=True).run()
    # every incident detected before a vendor fixed it, once on each path
    assert on_rota == len(seen) - on_rota > fast[0][0] * 0.9
    assert same(fast[0], engine[0])
