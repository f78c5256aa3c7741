"""A staffing sweep timed on every backend in one run: serial, a process pool, a local Dask cluster.

Not a test: run it on purpose (``python3 benchmarks/sweep.py``) and quote its figures. The sweep is
the website outage at 6 team sizes × 3 success probabilities of the backup-site workaround ×
2 strategies × 2,000 replications (72,000 simulated outages). Each backend runs the same sweep
from the same seed; the script checks that every backend gives the same numbers to the bit, then
prints wall-clock replications per second and the speed-up over serial, best of ``--repeats``.
The backends take turns, one sweep each per round, so a machine that speeds up or slows down
during the run (other work beside it) weighs on all of them alike. The process pool is timed
with 1, 2, … workers up to the machine's cores (its start-up counted); each round starts a Dask
cluster and warms it up (its workers import drillsim) outside the timing, as a long-lived
cluster would be, and closes it before the next round, so that it idles beside no other
backend (its start-up is printed apart). Finally the sweep is recorded in a scratch results
store, timed against the fastest sweep, and the command ``drillsim compare`` is timed with and
without recording the run, the two taking turns.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd

from drillsim.backends import Dask, default_workers
from drillsim.compare import SweepRecord, sweep
from drillsim.store import Store

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "website-outage.yaml"
VARY = ["team.responders=1..6", "workarounds[reroute-to-backup-site].success_probability=0.5,0.7,0.9"]


def timed(replications: int, **options):
    """The wall time of one sweep, and the sweep."""
    start = time.perf_counter()
    result = sweep(SCENARIO, vary=VARY, replications=replications, seed=1, **options)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="replications per cell and strategy")
    parser.add_argument("--repeats", type=int, default=2, help="best of this many runs")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="the most worker processes to try (default: the cores)")
    args = parser.parse_args()
    cells, strategies = 6 * 3, 2
    total = cells * strategies * args.n
    print(f"website outage: {cells} cells × {strategies} strategies × {args.n:,} replications = "
          f"{total:,} outages; {default_workers()} cores, load average "
          f"{os.getloadavg()[0]:.2f} at the start; best of {args.repeats}")
    runs = {"serial": {"backend": "serial"},
            **{f"processes, {w} worker{'s' * (w > 1)}": {"backend": "processes", "workers": w}
               for w in range(1, args.workers + 1)}}
    on_dask = f"dask LocalCluster, {args.workers} workers"
    best: dict[str, float] = {}
    results = {}

    def keep(name: str, seconds: float, result) -> None:
        best[name] = min(seconds, best.get(name, seconds))
        results[name] = result

    started = float("inf")
    for _ in range(args.repeats):  # one sweep on each backend per round
        for name, options in runs.items():
            keep(name, *timed(args.n, **options))
        start = time.perf_counter()
        with Dask("local", args.workers) as cluster:
            sweep(SCENARIO, vary=VARY, replications=1, seed=1, backend=cluster)  # workers import drillsim
            started = min(started, time.perf_counter() - start)
            keep(on_dask, *timed(args.n, backend=cluster))
    reference, serial = results["serial"], best["serial"]
    for name, seconds in best.items():
        pd.testing.assert_frame_equal(results[name].rows(), reference.rows(), check_exact=True)
        print(f"{name:<32}{seconds:7.2f} s {total / seconds:9,.0f} replications/s "
              f"{serial / seconds:5.2f}× serial")
    print(f"(the LocalCluster took {started:.1f} s to start and warm up; every backend gave the same "
          "numbers)")
    fastest = min(best.values())
    with tempfile.TemporaryDirectory() as folder:
        stored = float("inf")
        with Store(Path(folder) / "bench.db") as store:
            for _ in range(args.repeats):
                start = time.perf_counter()
                store.record(SweepRecord(reference), "benchmarks/sweep.py", "compare")
                stored = min(stored, time.perf_counter() - start)
        print(f"recording the sweep ({len(reference.rows()):,} rows) took {stored:.2f} s: "
              f"{stored / fastest * 100:.1f}% of the fastest sweep")
        command = ["drillsim", "compare", str(SCENARIO), *(f"--vary={v}" for v in VARY), "-n",
                   str(args.n), "--seed", "1"]
        bare = kept = float("inf")
        for _ in range(args.repeats):
            bare = min(bare, command_time([*command, "--no-store"]))
            kept = min(kept, command_time([*command, "--store", str(Path(folder) / "cli.db")]))
    print(f"drillsim compare (processes): {bare:.2f} s without the store, {kept:.2f} s recording "
          f"the run: storing adds {(kept - bare) / bare * 100:.1f}%")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


def command_time(command: list[str]) -> float:
    """The wall time of the command, run as a user runs it."""
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


if __name__ == "__main__":  # a Dask LocalCluster's worker processes import this module
    main()
