"""Replications per second on the website outage, and quarters per second for a ~60-incident
portfolio, each against a bare SimPy model of the same size measured in the same run.

Not a test: run it on purpose (``python3 benchmarks/speed.py [-n N] [-q Q] [--breakdown]``) and
quote its figures. ``ds.simulate`` and ``ds.quarter`` take their fast paths (``engine/course.py``,
``rota.py``) where they apply; the SimPy engine alone, on the same draws, is timed beside them.
The bare race has the same events as a typical replication — detection, two arrivals, a
three-phase fix and a find-then-activate workaround — with its inputs drawn in advance, and none
of the model: no strategy, no re-timing, no metrics. The bare quarter has the same incidents on
a ``simpy.Resource`` of the same team size: each incident holds one person for its fix (and, for
fix-plus-workaround, a second one if free, for the workaround's duration); its inputs too are
drawn in advance, while drillsim's rates include drawing each quarter's incidents. Ratios are
drillsim's cost over the bare model's; times are process CPU time on one core, the best of
several rounds, each round timing the bare model and every strategy in turn so that all see the
same machine. The modules of the hot path that setup.py names are compiled by mypyc unless
drillsim was built with ``DRILLSIM_PURE_PYTHON=1``; the first line says which ran.
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

import numpy as np
import simpy

import drillsim as ds
from drillsim import rota
from drillsim.draws import BLOCK, DrawTable
from drillsim.engine import Incident, Model
from drillsim.engine.course import follow
from drillsim.quarter import Quarter, QuarterModel, QuarterTable
from drillsim.rota import Rota
from drillsim.strategies import parse_strategy

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "website-outage.yaml"
PORTFOLIO = ROOT / "scenarios" / "portfolios" / "small-online-retailer.yaml"
QUARTER_INCIDENTS = 60
STRATEGIES = ("fix-only", "fix-plus-workaround", "workaround-first", "escalate-after")


def bare_race(detect, arrive, phases, find, activate) -> float:
    """One replication of the bare race: the fix process always ends the outage."""
    env = simpy.Environment()

    def fix():
        yield env.timeout(detect)
        yield env.timeout(arrive[0])
        for work in phases:
            yield env.timeout(work)

    def workaround():
        yield env.timeout(detect)
        yield env.timeout(arrive[1])
        yield env.timeout(find)
        yield env.timeout(activate)

    done = env.process(fix())
    env.process(workaround())
    env.run(done)
    return env.now


def bare_rate(n: int) -> float:
    rng = np.random.default_rng(1)
    rows = list(zip(rng.exponential(8, n).tolist(), rng.uniform(2, 15, (n, 2)).tolist(),
                    rng.lognormal(4, 1.2, (n, 3)).tolist(), rng.uniform(5, 30, n).tolist(),
                    rng.lognormal(2.7, 0.8, n).tolist(), strict=True))
    start = time.process_time()
    for row in rows:
        bare_race(*row)
    return n / (time.process_time() - start)


def drillsim_rate(scenario, strategy: str, n: int) -> float:
    """Through ``ds.simulate``: the fast path where it applies, results and all."""
    start = time.process_time()
    ds.simulate(scenario, [strategy], replications=n, seed=1, workers=1)
    return n / (time.process_time() - start)


def engine_rate(scenario, strategy: str, n: int) -> float:
    """The SimPy engine alone on the same draws, as it runs whatever the fast path declines."""
    model, strategy = Model(scenario), parse_strategy(strategy)
    start = time.process_time()
    for block in range(-(-n // BLOCK)):
        table = DrawTable(scenario, 1, block, week=model.week)
        for i in range(min(BLOCK, n - block * BLOCK)):
            Incident(model, table.row(i), strategy).run()
    return n / (time.process_time() - start)


def busy_portfolio():
    """The small retailer with every rate scaled to about 60 incidents a quarter."""
    portfolio = ds.load_portfolio(PORTFOLIO)
    per_quarter = sum(s.rate.per_month for s in portfolio.systems) * 90 / (365.25 / 12)
    factor = QUARTER_INCIDENTS / per_quarter
    systems = [s.model_copy(update={"rate": s.rate.model_copy(
        update={"per_month": s.rate.per_month * factor})}) for s in portfolio.systems]
    busy = portfolio.model_copy(update={"systems": systems})
    busy._source, busy._scenarios = portfolio._source, portfolio.scenarios()
    return busy


def bare_quarter(arrivals, fixes, workarounds, staff: int, second: bool) -> float:
    """One bare quarter: incidents queue for a limited team; the fix holds one person."""
    env = simpy.Environment()
    team = simpy.Resource(env, staff)

    def incident(at, fix, workaround):
        yield env.timeout(at)
        with team.request() as fixer:
            yield fixer
            if second and team.count < staff:
                with team.request() as helper:
                    yield helper
                    yield env.timeout(min(fix, workaround))
                yield env.timeout(max(fix - workaround, 0.0))
            else:
                yield env.timeout(fix)

    for row in zip(arrivals, fixes, workarounds, strict=True):
        env.process(incident(*row))
    env.run()
    return env.now


def bare_quarter_rate(quarters: int, second: bool) -> float:
    rng = np.random.default_rng(2)
    rows = [(np.sort(rng.uniform(0, 90 * 1440, QUARTER_INCIDENTS)).tolist(),
             rng.lognormal(5, 1.2, QUARTER_INCIDENTS).tolist(),
             rng.lognormal(3.4, 0.8, QUARTER_INCIDENTS).tolist()) for _ in range(quarters)]
    start = time.process_time()
    for row in rows:
        bare_quarter(*row, staff=4, second=second)
    return quarters / (time.process_time() - start)


def quarter_rate(portfolio, strategy: str, quarters: int) -> float:
    """Through ``ds.quarter``: the quarter's fast path (``rota.py``), draws, results and all."""
    start = time.process_time()
    ds.quarter(portfolio, [strategy], replications=quarters, seed=1, workers=1)
    return quarters / (time.process_time() - start)


def quarter_engine_rate(portfolio, strategy: str, quarters: int) -> float:
    """The SimPy engine alone on the same draws, as it runs whatever the fast path declines."""
    qmodel, strategy = QuarterModel(portfolio), parse_strategy(strategy)
    start = time.process_time()
    for block in range(-(-quarters // BLOCK)):
        table = QuarterTable(qmodel, 1, block)
        for i in range(min(BLOCK, quarters - block * BLOCK)):
            Quarter(qmodel, table.quarter(i), strategy).run()
    return quarters / (time.process_time() - start)


def quarter_breakdown(portfolio, strategy: str, quarters: int) -> dict[str, float]:
    """Where a quarter's time goes, in µs of CPU time: drawing its incident tables, building its
    incidents' rows, and following it on the fast path; then the fast path per incident, and the
    same incidents each followed alone on the single-outage fast path, with a team of their own
    and nothing shared (vendor-run outages, which that path leaves to the engine, left out). The
    garbage collector is off, as it is while a worker runs its piece; a table serves a block."""
    qmodel, strategy = QuarterModel(portfolio), parse_strategy(strategy)
    quarters = min(quarters, BLOCK)
    gc.disable()
    try:
        start = time.process_time()
        table = QuarterTable(qmodel, 1, 0)
        drawn = time.process_time()
        rows = [table.quarter(i) for i in range(quarters)]
        built = time.process_time()
        for arrivals in rows:
            Rota(qmodel, arrivals, strategy).follow(False)
        followed = time.process_time()
        alone = [(qmodel.models[a.system], a.draws) for arrivals in rows for a in arrivals
                 if not qmodel.models[a.system].external]
        for model, draws in alone:
            follow(model, draws, strategy)
        finished = time.process_time()
    finally:
        gc.enable()
    incidents = sum(map(len, rows))
    return {"tables": (drawn - start) / BLOCK * 1e6, "rows": (built - drawn) / quarters * 1e6,
            "fast path": (followed - built) / quarters * 1e6,
            "an incident": (followed - built) / incidents * 1e6,
            "alone": (finished - followed) / len(alone) * 1e6}


def best_rates(measures: dict, repeats: int) -> dict:
    """The best rate of each measure over ``repeats`` rounds, measured in turn within a round."""
    rates = dict.fromkeys(measures, 0.0)
    for _ in range(repeats):
        for name, measure in measures.items():
            rates[name] = max(rates[name], measure())
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20_480, help="replications per measurement")
    parser.add_argument("-q", type=int, default=1024, help="quarters per measurement")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many rounds")
    parser.add_argument("--breakdown", action="store_true",
                        help="also show where a quarter's time goes")
    args = parser.parse_args()
    scenario = ds.load_scenario(SCENARIO)
    measures = {"bare": lambda: bare_rate(args.n)}
    for s in STRATEGIES:
        measures[s] = lambda s=s: drillsim_rate(scenario, s, args.n)
        measures[f"{s} engine"] = lambda s=s: engine_rate(scenario, s, args.n)
    rates = best_rates(measures, args.repeats)
    bare = rates["bare"]
    compiled = not rota.__file__.endswith(".py")
    print("drillsim's hot path " + ("compiled by mypyc" if compiled else "run as Python source")
          + " (setup.py)\n")
    print(f"website outage, {args.n:,} replications, one core, best of {args.repeats} rounds")
    print(f"{'bare SimPy race':<24}{bare:>10,.0f} replications/s")
    print(f"{'':<24}{'ds.simulate':>12}{'× bare':>8}{'SimPy engine':>16}{'× bare':>8}")
    for s in STRATEGIES:
        fast, engine = rates[s], rates[f"{s} engine"]
        print(f"{s:<24}{fast:>10,.0f}/s{bare / fast:>7.2f}×{engine:>14,.0f}/s{bare / engine:>7.2f}×")
    portfolio = busy_portfolio()
    print(f"\n90-day quarter of ~{QUARTER_INCIDENTS} incidents, team of 4, {args.q:,} quarters")
    print(f"{'':<24}{'bare SimPy':>12}{'ds.quarter':>12}{'× bare':>8}{'SimPy engine':>14}"
          f"{'× bare':>8}")
    for strategy, second in (("fix-only", False), ("fix-plus-workaround", True)):
        rates = best_rates({
            "bare": lambda s=second: bare_quarter_rate(args.q, s),
            "fast": lambda s=strategy: quarter_rate(portfolio, s, args.q),
            "engine": lambda s=strategy: quarter_engine_rate(portfolio, s, args.q)}, args.repeats)
        bare, fast, engine = rates["bare"], rates["fast"], rates["engine"]
        print(f"{strategy:<24}{bare:>10,.0f}/s{fast:>10,.0f}/s{bare / fast:>7.2f}×"
              f"{engine:>12,.0f}/s{bare / engine:>7.2f}×")
    if args.breakdown:
        print("\nwhere a quarter's time goes (µs, best of each part)")
        for strategy in ("fix-only", "fix-plus-workaround"):
            parts: dict[str, float] = {}
            for _ in range(args.repeats):
                for name, value in quarter_breakdown(portfolio, strategy, args.q).items():
                    parts[name] = min(parts.get(name, value), value)
            print(f"{strategy:<24}tables {parts['tables']:,.0f}, rows {parts['rows']:,.0f}, "
                  f"fast path {parts['fast path']:,.0f} a quarter: {parts['an incident']:.1f} "
                  f"an incident (followed alone: {parts['alone']:.1f})")


if __name__ == "__main__":
    main()
