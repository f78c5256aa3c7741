"""The results store: real SQLite files, real processes — killed mid-write, writing at once,
migrated from an older schema — and the commands that read it."""

from __future__ import annotations

import io
import json
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import drillsim as ds
from conftest import ROOT, WEBSITE, scenario
from drillsim import store as store_module
from drillsim.cli import main
from drillsim.compare import SweepRecord, sweep
from drillsim.store import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, Store, StoreError

NO_BACKUP = ROOT / "scenarios" / "website-outage-no-backup-site.yaml"


@pytest.fixture(scope="module")
def bare() -> ds.Results:
    """A scenario built in code, without RTO, MTPD or cost: those metrics are NaN."""
    return ds.simulate(scenario(), ["fix-only", "fix-plus-workaround"], replications=300, seed=1)


@pytest.fixture(scope="module")
def website() -> ds.Results:
    """A scenario file that ``extends`` another, and a strategy with parameters."""
    return ds.simulate(NO_BACKUP, ["fix-only", "escalate-after:after_minutes=15"],
                       replications=200, seed=2)


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_recorded_run_reads_back_as_its_frame(tmp_path, bare):
    with Store(tmp_path / "s.db") as store:
        run_id = store.record(bare, "test")
        pd.testing.assert_frame_equal(store.frame(run_id), bare.frame, check_exact=True)
    with sqlite3.connect(tmp_path / "s.db") as con:  # a block per strategy, each holding .npy arrays
        blocks = con.execute("SELECT part, strategy, rows, data FROM metrics ORDER BY part").fetchall()
    assert [block[:3] for block in blocks] == [(0, "fix-only", 300), (1, "fix-plus-workaround", 300)]
    data = io.BytesIO(blocks[1][3])
    arrays = {name: np.load(data) for name in bare.frame.columns}  # numpy reads them alone
    assert (arrays["strategy"] == 1).all() and (arrays["replication"] == np.arange(300)).all()
    assert np.isnan(arrays["rto_met"]).all() and np.isnan(arrays["cost"]).all()
    np.testing.assert_array_equal(arrays["customer_impact_minutes"],
                                  bare.values("fix-plus-workaround", "customer_impact_minutes"))


def test_long_runs_of_a_strategy_are_cut_into_blocks(tmp_path, bare, monkeypatch):
    monkeypatch.setattr(store_module, "BLOCK_ROWS", 128)
    with Store(tmp_path / "s.db") as store:
        run_id = store.record(bare, "test")
        pd.testing.assert_frame_equal(store.frame(run_id), bare.frame, check_exact=True)
    with sqlite3.connect(tmp_path / "s.db") as con:
        blocks = con.execute("SELECT strategy, rows FROM metrics ORDER BY part").fetchall()
    assert blocks == [("fix-only", 128), ("fix-only", 128), ("fix-only", 44),
                      ("fix-plus-workaround", 128), ("fix-plus-workaround", 128),
                      ("fix-plus-workaround", 44)]


def test_a_run_records_what_it_ran(tmp_path, website):
    with Store(tmp_path / "s.db") as store:
        recorded = store.run(store.record(website, "drillsim run …", baseline="fix-only"))
    assert recorded["kind"] == "run" and recorded["command"] == "drillsim run …"
    assert recorded["seed"] == 2 and recorded["replications"] == 200
    assert recorded["drillsim_version"] == ds.__version__
    assert {"python", "numpy", "simpy", "platform"} <= set(recorded["environment"])
    today = datetime.now(UTC)
    assert recorded["quarter"] == f"{today.year}Q{(today.month - 1) // 3 + 1}"
    assert recorded["strategies"][1] == {"label": "escalate-after:after_minutes=15",
                                         "class": "drillsim.strategies:EscalateAfter",
                                         "parameters": {"workaround_staff": 1, "after_minutes": 15.0}}
    assert recorded["summaries"] == website.to_dict("fix-only")
    sc = recorded["scenario"]
    assert sc["name"] == "website-outage-no-backup-site" and sc["sha256"] == website.scenario.digest
    # The file extends website-outage.yaml: both texts are kept, base first, and they hash to
    # the digest; the resolved data is what ran.
    assert [Path(f["file"]).name for f in sc["content"]] == ["website-outage.yaml",
                                                             "website-outage-no-backup-site.yaml"]
    assert sc["data"] == website.scenario.model_dump(mode="json")


def test_runs_are_listed_and_filtered(tmp_path, bare, website):
    with Store(tmp_path / "s.db") as store:
        store.record(bare, "a", quarter="2026Q3")
        store.record(website, "b")
        store.record(website, "c", kind="compare", quarter="2026Q3")
        runs = store.runs()
        assert list(runs.columns) == ["id", "created_at", "quarter", "kind", "scenario",
                                      "scenario_sha256", "strategies", "seed", "replications",
                                      "drillsim_version", "command"]
        assert list(runs.command) == ["a", "b", "c"]
        assert runs.strategies[0] == ["fix-only", "fix-plus-workaround"]
        assert list(store.runs(scenario="bare").command) == ["a"]
        assert list(store.runs(quarter="2026Q3").command) == ["a", "c"]
        today = datetime.now(UTC).date()
        assert len(store.runs(since=today, until=today.isoformat())) == 3
        assert store.runs(until=today - timedelta(days=1)).empty
        assert store.runs(since=datetime.now(UTC) + timedelta(minutes=1)).empty
        with pytest.raises(ValueError, match="2026Q4"):
            store.runs(quarter="2026-Q3")
        with pytest.raises(StoreError, match="no run 99"):
            store.run(99)


def test_runs_with_other_columns_read_back_alongside(tmp_path, bare):
    """A metric the engine gains later, and columns of other kinds a notebook may bring."""
    wider = ds.Results(bare.frame.assign(queueing_minutes=2.5, paged=bare.frame.replication % 2 == 0,
                                         note=np.where(bare.frame.replication < 7, "early", "late")),
                       bare.job, bare.replications)
    with Store(tmp_path / "s.db") as store:
        old, new = store.record(bare, "old"), store.record(wider, "new")
        pd.testing.assert_frame_equal(store.frame(old), bare.frame, check_exact=True)
        pd.testing.assert_frame_equal(store.frame(new), wider.frame, check_exact=True)


def test_an_interrupted_record_leaves_nothing(tmp_path, bare, monkeypatch):
    blocks = store_module._blocks

    def interrupted(*args):
        yield next(blocks(*args))
        raise KeyboardInterrupt

    with Store(tmp_path / "s.db") as store:
        kept = store.record(bare, "kept")
        monkeypatch.setattr(store_module, "_blocks", interrupted)
        with pytest.raises(KeyboardInterrupt):
            store.record(bare, "interrupted")
        assert list(store.runs().id) == [kept]
    assert count(tmp_path / "s.db", "metrics") == 2


KILLED = """
import itertools, sys, time
import numpy as np, pandas as pd
import drillsim as ds
from drillsim import store

res = ds.simulate(sys.argv[2], ["fix-only"], replications=100, seed=1)
res.frame = pd.concat([res.frame] * 3000, ignore_index=True)
res.frame["replication"] = np.arange(len(res.frame))
blocks = store._blocks

def stalled(*args):  # insert most blocks (4 of 5), say so, then hang inside the transaction
    yield from itertools.islice(blocks(*args), 4)
    print("inside", flush=True)
    time.sleep(600)

store._blocks = stalled
ds.Store(sys.argv[1]).record(res, "killed mid-write")
"""


def test_a_process_killed_mid_write_leaves_the_store_as_it_was(tmp_path, bare):
    db = tmp_path / "s.db"
    with Store(db) as store:
        kept = store.record(bare, "kept")
    writer = subprocess.Popen([sys.executable, "-c", KILLED, str(db), str(WEBSITE)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "inside\n"
        with Store(db) as reader:  # readers are not blocked and do not see the open transaction
            assert list(reader.runs().id) == [kept]
        assert db.with_name("s.db-wal").stat().st_size > 5_000_000  # uncommitted pages on disk
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    with Store(db) as store:
        assert store.integrity() == "ok"
        assert list(store.runs().id) == [kept]
        pd.testing.assert_frame_equal(store.frame(kept), bare.frame)
    assert count(db, "metrics") == 2


WRITER = """
import sys
import numpy as np, pandas as pd
import drillsim as ds

res = ds.simulate(sys.argv[2], replications=300, seed=int(sys.argv[3]))
res.frame = pd.concat([res.frame] * 10, ignore_index=True)
res.frame["replication"] = np.arange(len(res.frame))
print("ready", flush=True)
sys.stdin.readline()
with ds.Store(sys.argv[1]) as store:  # both open the new file at once, then write in turn
    print(*[store.record(res, f"writer {sys.argv[3]}") for _ in range(3)], flush=True)
"""


def test_two_concurrent_writers_both_land_their_runs(tmp_path):
    db = tmp_path / "s.db"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(WEBSITE), str(seed)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for seed in (1, 2)]
    for writer in writers:
        assert writer.stdout.readline() == "ready\n"
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.flush()
    ids = []
    for writer in writers:
        out, _ = writer.communicate(timeout=120)
        assert writer.returncode == 0
        ids += map(int, out.split())
    assert sorted(ids) == list(range(1, 7))
    with Store(db) as store:
        assert store.integrity() == "ok"
        runs = store.runs()
        assert sorted(runs.command.value_counts().to_dict().items()) == [("writer 1", 3),
                                                                        ("writer 2", 3)]
        assert all(len(store.frame(run_id)) == 6_000 for run_id in runs.id)


def old_store(db: Path, version: int, runs: list) -> None:
    """A store as drillsim wrote it at schema ``version`` (1 or 2): the tables of the migrations up
    to it, each run's row, and a row of ``replications`` per replication — NaN bound as NULL, a
    column the table lacks added first, and ``columns`` described as those versions did."""
    with Store(db.with_name("new.db")) as new:
        ids = [new.record(results, f"written by version {version}") for results in runs]
    with sqlite3.connect(db) as con:
        for step in MIGRATIONS[:version]:
            for statement in step:
                con.execute(statement)
        con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        con.execute(f"PRAGMA user_version = {version}")
        con.execute("ATTACH DATABASE ? AS new", (str(db.with_name("new.db")),))
        con.execute("INSERT INTO runs SELECT * FROM new.runs")
        for run_id, results in zip(ids, runs, strict=True):
            frame = results.frame
            have = {row[1] for row in con.execute("PRAGMA table_info(replications)")}
            columns = []
            for name in frame.columns:
                series = frame[name]
                if isinstance(series.dtype, pd.CategoricalDtype):
                    columns.append({"name": name, "dtype": "category", "sql": "TEXT",
                                    "categories": series.cat.categories.tolist(),
                                    "ordered": bool(series.cat.ordered)})
                else:
                    columns.append({"name": name, "dtype": str(series.dtype),
                                    "sql": {"f": "REAL", "i": "INTEGER"}[series.dtype.kind]})
                if name not in have:
                    con.execute(f'ALTER TABLE replications ADD COLUMN "{name}" {columns[-1]["sql"]}')
            con.execute("UPDATE runs SET columns = ? WHERE id = ?", (json.dumps(columns), run_id))
            names = ", ".join(f'"{name}"' for name in frame.columns)
            con.executemany(f"INSERT INTO replications (run_id, {names}) "
                            f"VALUES (?{', ?' * len(frame.columns)})",
                            zip([run_id] * len(frame), *(frame[n].tolist() for n in frame.columns),
                                strict=True))


def tables(db: Path) -> list[str]:
    with sqlite3.connect(db) as con:
        return sorted(row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'"))


def test_a_version_1_store_migrates_keeping_its_runs(tmp_path, bare):
    db = tmp_path / "old.db"
    old_store(db, 1, [bare])
    assert tables(db) == ["replications", "runs"]
    with Store(db) as store:
        pd.testing.assert_frame_equal(store.frame(1), bare.frame, check_exact=True)
        assert store.add_actions("review", [{"action": "test the backup site"}]) == [1]
    assert tables(db) == ["actions", "metrics", "runs"]
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3


def test_a_version_2_store_migrates_to_blocks_with_its_data_intact(tmp_path, bare, website,
                                                                      monkeypatch):
    """Rows of a run, of a run whose strategies are not in alphabetical order, of a compare run
    (with a ``cell`` column version 2 added to its table) and of a run with a later metric."""
    compared = SweepRecord(sweep(scenario(), vary={"team.responders": [1, 2]}, replications=150,
                                 seed=3, backend="serial"))
    wider = ds.Results(bare.frame.assign(queueing_minutes=2.5), bare.job, bare.replications)
    runs = [bare, website, compared, wider]
    db = tmp_path / "old.db"
    old_store(db, 2, runs)
    with sqlite3.connect(db) as con:
        con.execute("INSERT INTO actions (created_at, source, action) VALUES ('2026-10-01', 'd', 'a')")
        before = con.execute("SELECT * FROM runs ORDER BY id").fetchall()
    assert count(db, "replications") == sum(len(r.frame) for r in runs)

    blocks = store_module._blocks

    def interrupted(*args):  # Ctrl-C halfway through the migration: the file stays as it was
        yield next(blocks(*args))
        raise KeyboardInterrupt

    monkeypatch.setattr(store_module, "_blocks", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Store(db)
    assert tables(db) == ["actions", "replications", "runs"]
    monkeypatch.undo()

    with Store(db) as store:
        for run_id, results in enumerate(runs, start=1):
            pd.testing.assert_frame_equal(store.frame(run_id), results.frame, check_exact=True)
        assert store.run(2)["summaries"] == website.to_dict()
        assert store.record(bare, "after the migration") == 5
        assert list(store.actions().action) == ["a"]
    assert tables(db) == ["actions", "metrics", "runs"]
    with sqlite3.connect(db) as con:
        after = con.execute("SELECT * FROM runs WHERE id < 5 ORDER BY id").fetchall()
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert con.execute("SELECT run_id, strategy, sum(rows) FROM metrics GROUP BY run_id, strategy "
                           "ORDER BY run_id, min(part)").fetchall() == [
            (1, "fix-only", 300), (1, "fix-plus-workaround", 300),
            (2, "fix-only", 200), (2, "escalate-after:after_minutes=15", 200),
            (3, "fix-only", 300), (3, "fix-plus-workaround", 300),
            (4, "fix-only", 300), (4, "fix-plus-workaround", 300), (5, "fix-only", 300),
            (5, "fix-plus-workaround", 300)]
    changed = [i for i, column in enumerate(before[0]) if column != after[0][i]]
    assert [[row[i] for i in range(len(row)) if i not in changed] for row in before] == \
        [[row[i] for i in range(len(row)) if i not in changed] for row in after]
    assert len(changed) == 1  # only runs.columns is rewritten (without the SQL types)


def test_files_that_are_not_a_usable_store_are_refused(tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(StoreError, match="not an SQLite file, or corrupt"):
        Store(garbage)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE customers (name TEXT)")
    with pytest.raises(StoreError, match="not a drillsim results store"):
        Store(other)
    newer = tmp_path / "newer.db"
    Store(newer).close()
    with sqlite3.connect(newer) as con:
        con.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer drillsim"):
        Store(newer)
    with pytest.raises(StoreError, match="no results store here"):
        Store(tmp_path / "missing.db", create=False)


def test_the_improvement_plan(tmp_path):
    with Store(tmp_path / "s.db") as store:
        ids = store.add_actions("drill-7", [
            {"action": "Test the backup site's DNS failover", "owner": "Sam", "due": "2026-12-15"},
            {"action": "Write the phone-orders runbook", "due": date(2027, 1, 31)},
        ])
        assert ids == [1, 2]
        store.close_action(1)
        store.close_action(1)  # closing twice changes nothing
        plan = store.actions()
        assert list(plan.columns) == ["id", "created_at", "source", "action", "owner", "due",
                                      "status", "closed_at"]
        assert list(plan.status) == ["closed", "open"] and list(plan.due) == ["2026-12-15",
                                                                             "2027-01-31"]
        assert list(store.actions("open").id) == [2] and list(store.actions("closed").id) == [1]
        with pytest.raises(StoreError, match="no action 9"):
            store.close_action(9)
        with pytest.raises(ValueError, match="'action'"):
            store.add_actions("drill-7", [{"text": "no action key"}])
        with pytest.raises(ValueError, match="2026-12-31"):
            store.add_actions("drill-7", [{"action": "x", "due": "soon"}])
        assert len(store.actions()) == 2  # a bad batch adds nothing


def drillsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "drillsim", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_drillsim_run_records_in_the_store_it_is_given(tmp_path):
    done = drillsim("run", str(WEBSITE), "-n", "200", "--seed", "5", "--store", "runs.db",
                    "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Recorded as run 1 in runs.db" in done.stderr
    with Store(tmp_path / "runs.db") as store:
        recorded = store.run(1)
        assert recorded["command"] == f"drillsim run {WEBSITE} -n 200 --seed 5 --store runs.db --json"
        assert len(store.frame(1)) == 400


def test_drillsim_run_stores_in_the_working_directory_unless_told_not_to(tmp_path):
    (tmp_path / "default").mkdir()
    (tmp_path / "none").mkdir()
    done = drillsim("run", str(WEBSITE), "-n", "100", "--seed", "1", cwd=tmp_path / "default")
    assert done.returncode == 0, done.stderr
    with Store(tmp_path / "default" / "drillsim.db", create=False) as store:
        assert len(store.runs()) == 1
    done = drillsim("run", str(WEBSITE), "-n", "100", "--seed", "1", "--no-store",
                    cwd=tmp_path / "none")
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "none").iterdir()) == []


def test_a_bad_store_stops_drillsim_run_in_one_line(tmp_path):
    (tmp_path / "drillsim.db").write_text("not a database\n" * 100)
    done = drillsim("run", str(WEBSITE), "-n", "100", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == ("Error: drillsim.db: cannot use the results store (not an "
                                   "SQLite file, or corrupt)")


@pytest.fixture
def filled(tmp_path, bare, website) -> Path:
    db = tmp_path / "s.db"
    with Store(db) as store:
        store.record(bare, "drillsim run bare", quarter="2026Q3")
        store.record(website, "drillsim run website-outage-no-backup-site")
        store.record(website, "drillsim compare …", kind="compare")
    return db


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_history_lists_and_filters_runs(filled):
    code, out = cli("history", "--store", str(filled))
    assert code == 0 and "website-outage-no-backup-site" in out and "bare" in out
    code, out = cli("history", "--store", str(filled), "--quarter", "2026Q3", "--json")
    assert code == 0 and "\"command\": \"drillsim run bare\"" in out and "website" not in out
    code, out = cli("history", "--store", str(filled), "--scenario", "nothing")
    assert code == 0 and "No runs" in out
    code, out = cli("history", "--store", str(filled), "--since", "last week")
    assert code == 2 and "expected a date" in out


def test_show_prints_a_run_like_drillsim_run(filled, website):
    code, out = cli("show", "2", "--store", str(filled))
    assert code == 0
    assert "Run 2" in out and "drillsim run website-outage-no-backup-site" in out
    assert "Customer-impact minutes" in out and website.headline()[0][:40] in " ".join(out.split())
    code, out = cli("show", "1", "--store", str(filled), "--json")
    assert code == 0 and '"name": "bare"' in out


@pytest.mark.parametrize(("args", "message"), [
    (("show", "7"), "no run 7"),
    (("show", "3"), "run 3 is a compare run"),
    (("show", "1", "--store", "missing.db"), "missing.db: no results store here"),
    (("history", "--store", "garbage.db"), "not an SQLite file, or corrupt"),
    (("history", "--store", "other.db"), "not a drillsim results store"),
    (("actions", "close", "3"), "no action 3"),
])
def test_store_commands_fail_in_one_line(filled, args, message, monkeypatch):
    monkeypatch.chdir(filled.parent)
    Path("garbage.db").write_bytes(b"\x00garbage" * 200)
    with sqlite3.connect("other.db") as con:
        con.execute("CREATE TABLE t (x)")
    filled.rename("drillsim.db")
    code, out = cli(*args)
    assert code == 1 and out.startswith("Error: ") and message in out
    assert len(out.strip().splitlines()) == 1


def test_actions_commands(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("actions") == (1, "Error: drillsim.db: no results store here\n")
    assert cli("actions", "add", "Test the DNS failover", "--source", "drill-7", "--owner", "Sam",
               "--due", "2026-12-15") == (0, "Added action 1\n")
    assert cli("actions", "add", "Write the runbook", "--source", "drill-7")[0] == 0
    assert cli("actions", "list", "--status", "closed") == (0, "No actions.\n")
    assert cli("actions", "close", "1", "--store", "drillsim.db") == (0, "Closed action 1\n")
    code, out = cli("actions", "list", "--status", "open")
    assert code == 0 and "Write the runbook" in out and "DNS" not in out
    code, out = cli("actions", "list", "--json")
    assert code == 0 and '"owner": null' in out and '"status": "closed"' in out
    code, out = cli("actions", "add", "x", "--source", "y", "--due", "soon")
    assert code == 2 and "expected a date" in out
