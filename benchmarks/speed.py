"""Replications per second on the website outage, against a bare SimPy race of the same size.

Not a test: run it on purpose (``python3 benchmarks/speed.py [-n N]``) and quote its figures.
The bare race has the same events as a typical replication — detection, two arrivals, a
three-phase fix and a find-then-activate workaround — with its inputs drawn in advance, and none
of the model: no strategy, no re-timing, no metrics. The ratio is drillsim's cost over the bare
race's on the same machine in the same run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import simpy

import drillsim as ds

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "website-outage.yaml"
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
    start = time.process_time()
    ds.simulate(scenario, [strategy], replications=n, seed=1, workers=1)
    return n / (time.process_time() - start)


def best(measure, repeats: int) -> float:
    return max(measure() for _ in range(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20_480, help="replications per measurement")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    scenario = ds.load_scenario(SCENARIO)
    bare = best(lambda: bare_rate(args.n), args.repeats)
    print(f"website outage, {args.n:,} replications, one core, best of {args.repeats}")
    print(f"{'bare SimPy race':<24}{bare:>10,.0f} replications/s")
    for strategy in STRATEGIES:
        rate = best(lambda s=strategy: drillsim_rate(scenario, s, args.n), args.repeats)
        print(f"{strategy:<24}{rate:>10,.0f} replications/s   {bare / rate:4.2f}× the bare race's "
              "cost")


if __name__ == "__main__":
    main()
