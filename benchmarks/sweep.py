"""A staffing sweep timed on every backend in one run: serial, a process pool, a local Dask cluster.

Not a test: run it on purpose (``python3 benchmarks/sweep.py``) and quote its figures. The sweep is
the website outage at 6 team sizes × 3 success probabilities of the backup-site workaround ×
2 strategies × 2,000 replications (72,000 simulated outages). Each backend runs the same sweep
from the same seed; the script checks that every backend gives the same numbers to the bit, then
prints wall-clock replications per second and the speed-up over serial, best of ``--repeats``.
The process pool is timed with 1, 2, … workers up to the machine's cores (its start-up counted);
the Dask cluster is started and warmed up (its workers import drillsim) once, outside the timing
(its start-up is printed apart), as a long-lived cluster would be. Finally
the sweep is recorded in a scratch results store, timed against the sweep itself, and the
command ``drillsim compare`` is timed with and without recording the run.
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


def timed(backend, replications: int, repeats: int, **options):
    """The best wall time of ``repeats`` sweeps, and the last sweep."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = sweep(SCENARIO, vary=VARY, replications=replications, seed=1, backend=backend,
                       **options)
        best = min(best, time.perf_counter() - start)
    return best, result


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
    rows = []
    serial, reference = timed("serial", args.n, args.repeats)
    rows.append(("serial", serial, reference))
    for workers in range(1, args.workers + 1):
        seconds, result = timed("processes", args.n, args.repeats, workers=workers)
        rows.append((f"processes, {workers} worker{'s' * (workers > 1)}", seconds, result))
    start = time.perf_counter()
    with Dask("local", args.workers) as cluster:
        sweep(SCENARIO, vary=VARY, replications=1, seed=1, backend=cluster)  # workers import drillsim
        started = time.perf_counter() - start
        seconds, result = timed(cluster, args.n, args.repeats)
        rows.append((f"dask LocalCluster, {args.workers} workers", seconds, result))
    for name, seconds, result in rows:
        pd.testing.assert_frame_equal(result.rows(), reference.rows(), check_exact=True)
        print(f"{name:<32}{seconds:7.2f} s {total / seconds:9,.0f} replications/s "
              f"{serial / seconds:5.2f}× serial")
    print(f"(the LocalCluster took {started:.1f} s to start and warm up; every backend gave the same "
          "numbers)")
    fastest = min(seconds for _, seconds, _ in rows)
    with tempfile.TemporaryDirectory() as folder:
        with Store(Path(folder) / "bench.db") as store:
            start = time.perf_counter()
            store.record(SweepRecord(reference), "benchmarks/sweep.py", "compare")
            stored = time.perf_counter() - start
        print(f"recording the sweep ({len(reference.rows()):,} rows) took {stored:.2f} s: "
              f"{stored / fastest * 100:.1f}% of the fastest sweep")
        command = ["drillsim", "compare", str(SCENARIO), *(f"--vary={v}" for v in VARY), "-n",
                   str(args.n), "--seed", "1"]
        bare = command_time([*command, "--no-store"], args.repeats)
        kept = command_time([*command, "--store", str(Path(folder) / "cli.db")], args.repeats)
    print(f"drillsim compare (processes): {bare:.2f} s without the store, {kept:.2f} s recording "
          f"the run: storing adds {(kept - bare) / bare * 100:.1f}%")


def command_time(command: list[str], repeats: int) -> float:
    """The best wall time of the command, run as a user runs it."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


if __name__ == "__main__":  # a Dask LocalCluster's worker processes import this module
    main()
