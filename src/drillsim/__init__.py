"""drillsim: a tabletop-exercise simulator for IT outages.

It compares staffing strategies — everyone on the fix, or one person on a workaround while the
others fix — on common random numbers, measuring customer-impact minutes and the
business-continuity figures around them.

>>> import drillsim as ds                                             # doctest: +SKIP
>>> sc = ds.load_scenario("scenarios/website-outage.yaml")            # doctest: +SKIP
>>> res = ds.simulate(sc, ["fix-only", "fix-plus-workaround"], replications=10_000, seed=1)
>>> res.summary(); res.compare("fix-only"); res.frame                 # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

from .compare import Sweep, break_even, optimize, sensitivity, sweep
from .distributions import Distribution, parse_distribution
from .engine import METRICS, Incident, IncidentView, Model, Outcome
from .portfolio import Portfolio, load_portfolio
from .quarter import simulate_quarter as quarter
from .results import QuarterResults, Results
from .runner import simulate
from .scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from .store import Store, StoreError
from .strategies import (
    COMMUNICATE,
    FIX,
    REGISTRY,
    REST,
    Decision,
    StrategyError,
    Task,
    parse_strategy,
    register,
    workaround,
)

try:
    __version__ = version("drillsim")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "COMMUNICATE", "FIX", "METRICS", "REGISTRY", "REST", "Decision", "Distribution", "Incident",
    "IncidentView", "Model", "Outcome", "Portfolio", "QuarterResults", "Results", "Scenario",
    "ScenarioError", "Store", "StoreError", "StrategyError", "Sweep", "Task", "break_even",
    "load_portfolio", "load_scenario", "optimize", "parse_distribution", "parse_scenario",
    "parse_strategy", "quarter", "register", "sensitivity", "simulate", "sweep", "workaround",
]
