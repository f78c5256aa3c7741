"""Backends: the same numbers, to the bit, in this process, on a process pool of any size and on a
real Dask cluster; lost workers are replaced; Ctrl-C stops everything and records nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass

import pandas as pd
import pytest

import drillsim as ds
from conftest import ROOT, WEBSITE
from drillsim import backends
from drillsim.backends import LOCAL_CONFIG, BackendError, Dask, Processes, Serial, make_backend
from drillsim.compare import sweep

RETAILER = ROOT / "scenarios" / "portfolios" / "small-online-retailer.yaml"
VARY = {"team.responders": [1, 2, 3], "workarounds[0].success_probability": [0.6]}


@pytest.fixture(scope="module")
def cluster():
    """A real dask.distributed LocalCluster of two worker processes, closed after the module."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local


def test_a_sweep_is_identical_on_every_backend_and_worker_count(cluster):
    from distributed import Client

    def run(backend, **options):
        sw = sweep(WEBSITE, vary=VARY, replications=1100, seed=21, backend=backend, **options)
        return sw.frame, sw.rows()

    frame, rows = run("serial")
    with Client(cluster) as client:
        others = [run("processes", workers=1), run("processes", workers=2),
                  run("dask", dask=cluster.scheduler_address), run(Dask(client))]
    for other_frame, other_rows in others:
        pd.testing.assert_frame_equal(other_frame, frame, check_exact=True)
        pd.testing.assert_frame_equal(other_rows, rows, check_exact=True)


def test_run_and_quarter_are_identical_on_dask(cluster):
    website = ds.load_scenario(WEBSITE)
    serial = ds.simulate(website, replications=2100, seed=4, workers=1).frame
    with make_backend("dask", dask=cluster.scheduler_address) as on_dask:
        pd.testing.assert_frame_equal(ds.simulate(website, replications=2100, seed=4,
                                                  workers=on_dask).frame, serial, check_exact=True)
        quarters = ds.quarter(RETAILER, replications=24, seed=4, workers=on_dask).frame
    pd.testing.assert_frame_equal(quarters, ds.quarter(RETAILER, replications=24, seed=4).frame,
                                  check_exact=True)


@dataclass(frozen=True)
class Fragile:
    """A job whose worker dies the first time it reaches block 1 (the marker file says so)."""

    marker: str
    strategies = (("rows", None),)

    def chunk(self, block: int, start: int, stop: int) -> dict[str, list]:
        if block == 1 and not os.path.exists(self.marker):
            with open(self.marker, "w"):
                pass
            os._exit(1)  # the worker process dies mid-work
        return {"rows": [(block, i) for i in range(start, stop)]}


def expected(pieces):
    return [{"rows": [(b, i) for i in range(start, stop)]} for b, start, stop in pieces]


def test_a_dead_pool_worker_costs_only_a_retry(tmp_path):
    pieces = [(b, 0, 5) for b in range(6)]
    done = []
    results = Processes(2).run(Fragile(str(tmp_path / "died")), pieces, done.append)
    assert (tmp_path / "died").exists()  # a worker did die
    assert results == expected(pieces) and sum(done) == 30


def test_each_piece_is_handed_over_once_as_it_comes_in(tmp_path):
    pieces = [(b, 0, 5) for b in range(6)]
    (tmp_path / "died").touch()  # a Fragile job that does not die
    for backend in (Serial(), Processes(2)):
        done = dict(backend.completed(Fragile(str(tmp_path / "died")), pieces))
        assert [done[i] for i in range(len(pieces))] == expected(pieces)


def test_a_dead_dask_worker_is_replaced(cluster, tmp_path):
    pieces = [(b, 0, 5) for b in range(4)]
    backend = Dask(cluster.scheduler_address)
    try:
        assert backend.run(Fragile(str(tmp_path / "died")), pieces) == expected(pieces)
    finally:
        backend.close()
    assert (tmp_path / "died").exists()


def test_dask_tasks_take_shrinking_runs_of_pieces_and_results_come_back_in_order(cluster, tmp_path):
    pieces = [(b, 0, 3) for b in range(40)]
    tasks = backends.batches(pieces, 2)
    assert [len(task) for task in tasks] == [4, 4, 4, 4, 4, 4, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1]
    assert [piece for task in tasks for piece in task] == pieces
    assert [len(task) for task in backends.batches(pieces, 40)] == [1] * 40
    (tmp_path / "died").touch()  # a Fragile job that does not die
    done = []
    backend = Dask(cluster.scheduler_address)
    try:
        assert backend.run(Fragile(str(tmp_path / "died")), pieces, done.append) == expected(pieces)
    finally:
        backend.close()
    assert sum(done) == 120 and len(done) == 40  # progress piece by piece


@pytest.mark.filterwarnings("ignore:Port 8787 is already in use")  # the module's cluster has it
def test_a_local_cluster_gives_the_same_numbers_without_profiling_its_workers():
    import dask

    # 3 cells × 3 blocks: 9 pieces, the first task taking two
    serial = sweep(WEBSITE, vary=VARY, replications=2100, seed=8, backend="serial").rows()
    with make_backend("dask", workers=2, dask="local") as local:
        on_dask = sweep(WEBSITE, vary=VARY, replications=2100, seed=8, backend=local).rows()
        settings = local.client.run(lambda: {key: dask.config.get(key) for key in LOCAL_CONFIG})
    pd.testing.assert_frame_equal(on_dask, serial, check_exact=True)
    assert list(settings.values()) == [LOCAL_CONFIG, LOCAL_CONFIG]  # quiet workers, no profiler


@pytest.mark.parametrize("where, settle", [
    (["--workers", "2"], 1.5),
    # Ctrl-C while a local cluster starts is lost (its workers are started ignoring it): wait
    pytest.param(["--dask", "local", "--workers", "2"], 6.0, marks=pytest.mark.slow),
])
def test_ctrl_c_stops_the_workers_and_records_nothing(tmp_path, where, settle):
    psutil = pytest.importorskip("psutil")
    store = tmp_path / "runs.db"
    # Long enough (1.2 million outages) to be running still when Ctrl-C comes
    command = [sys.executable, "-m", "drillsim", "compare", str(WEBSITE), "--vary",
               "team.responders=1..6", "-n", "100000", "--seed", "1", "--store", str(store), *where]
    child = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while len(psutil.Process(child.pid).children(recursive=True)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # the workers have started
    time.sleep(settle)
    os.killpg(child.pid, signal.SIGINT)  # as a terminal's Ctrl-C: every process of the group
    _, stderr = child.communicate(timeout=60)
    assert child.returncode != 0 and "Aborted" in stderr and "Traceback" not in stderr
    time.sleep(1)
    running = [p for p in psutil.process_iter(["pid"]) if _in_group(p, child.pid)
               and p.status() != psutil.STATUS_ZOMBIE]
    assert running == []  # no worker is left running
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 0


def _in_group(process, group: int) -> bool:
    try:
        return os.getpgid(process.pid) == group
    except ProcessLookupError:
        return False


def test_backend_choices_are_checked(monkeypatch):
    with pytest.raises(BackendError, match="unknown backend 'threads'"):
        make_backend("threads")
    with pytest.raises(BackendError, match="the backend is processes"):
        make_backend("processes", dask="local")
    with pytest.raises(BackendError, match="serial backend runs in this process"):
        make_backend("serial", workers=2)
    monkeypatch.setattr(backends, "CONNECT_TIMEOUT", "0.5s")
    with pytest.raises(BackendError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"):
        make_backend("dask", dask="tcp://127.0.0.1:9")
    assert isinstance(make_backend("serial"), Serial)
