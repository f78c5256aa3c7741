"""The results store: every run recorded in one SQLite file, read back as pandas frames.

A run is written in one transaction — its row in ``runs`` (version, command, seed, the scenario's
text, hash and resolved data, strategies with parameters, environment, summaries) and its
per-replication metrics in ``metrics``, a few blocks of rows each one BLOB of numpy arrays (one
per column) — so a crash, a kill or Ctrl-C leaves the file as it was.
The file is in WAL mode with a busy timeout, so several processes may record into one store at
once: readers never block, writers wait their turn. ``PRAGMA user_version`` holds the schema
version and ``MIGRATIONS`` moves an older file forward when it is opened; ``PRAGMA
application_id`` marks the file as a drillsim store.

The store takes a ``Results`` (or anything shaped like one) and knows nothing of the command line.

>>> store = Store("drillsim.db")                            # doctest: +SKIP
>>> run_id = store.record(results, "notebook")              # doctest: +SKIP
>>> store.runs(scenario="website-outage", quarter="2026Q4")  # doctest: +SKIP
>>> store.frame(run_id)                                     # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

DEFAULT_PATH = "drillsim.db"  # in the working directory
APPLICATION_ID = 0x44534D31  # "DSM1": marks an SQLite file as a drillsim results store
BUSY_TIMEOUT = 60.0  # seconds a writer waits for another writer's transaction to finish
BLOCK_ROWS = 65_536  # rows in one BLOB of metrics at most (6.4 MB of a single-outage run's 14 columns)


def _metrics_from_rows(db: sqlite3.Connection) -> None:
    """Migration 3: each run's rows in ``replications`` (version 2) become blocks in ``metrics``."""
    for run_id, text in db.execute("SELECT id, columns FROM runs ORDER BY id").fetchall():
        old = json.loads(text)
        names = [c["name"] for c in old]
        rows = db.execute(f"SELECT {', '.join(map(_quote, names))} FROM replications "
                          "WHERE run_id = ?", (run_id,)).fetchall()
        frame = pd.DataFrame.from_records(rows, columns=names)
        for column in old:  # as version 2 read its rows back (NULL as NaN)
            name = column["name"]
            frame[name] = pd.Categorical(frame[name], categories=column["categories"],
                                         ordered=column["ordered"]) if "categories" in column \
                else frame[name].astype(column["dtype"])
        frame = frame.sort_values(list(KEYS), kind="stable", ignore_index=True)
        columns = [_describe_column(name, frame[name]) for name in frame.columns]
        db.execute("UPDATE runs SET columns = ? WHERE id = ?", (_json(columns), run_id))
        _insert_metrics(db, run_id, frame, columns)


# Forward migrations: step i takes a file from schema version i to i + 1, each an SQL statement
# or a function of the connection. Never edit a released step; add a new one.
MIGRATIONS: tuple[tuple[str | Callable[[sqlite3.Connection], None], ...], ...] = (
    (  # 1: runs and their per-replication rows
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,        -- UTC, ISO 8601
            quarter TEXT NOT NULL,           -- e.g. 2026Q4
            kind TEXT NOT NULL,              -- run, quarter or compare
            drillsim_version TEXT NOT NULL,
            command TEXT NOT NULL,
            seed INTEGER NOT NULL,
            replications INTEGER NOT NULL,
            scenario TEXT NOT NULL,          -- the scenario's name
            scenario_title TEXT,
            scenario_file TEXT,
            scenario_sha256 TEXT,            -- of the file texts, as Scenario.digest
            scenario_content TEXT,           -- JSON [{file, text}], base files first
            scenario_data TEXT NOT NULL,     -- the resolved scenario, canonical JSON
            strategies TEXT NOT NULL,        -- JSON [{label, class, parameters}]
            environment TEXT NOT NULL,       -- JSON: python, numpy, simpy, ... platform
            summaries TEXT NOT NULL,         -- JSON: Results.to_dict()
            columns TEXT NOT NULL            -- JSON: the per-replication columns and dtypes
        )""",
        """CREATE TABLE replications (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            strategy TEXT NOT NULL,
            replication INTEGER NOT NULL,
            customer_impact_minutes REAL, customers_affected REAL, time_to_detect REAL,
            time_to_mitigate REAL, time_to_resume REAL, time_to_restore REAL, rto_met REAL,
            mtpd_breached REAL, staff_minutes REAL, cost REAL, repair_attempts INTEGER,
            mitigated_by TEXT,
            PRIMARY KEY (run_id, strategy, replication)
        ) WITHOUT ROWID""",
    ),
    (  # 2: the improvement plan's actions (from drills and reviews)
        """CREATE TABLE actions (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,        -- UTC, ISO 8601
            source TEXT NOT NULL,            -- where it came from, e.g. a drill id
            action TEXT NOT NULL,
            owner TEXT,
            due TEXT,                        -- ISO date
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
            closed_at TEXT                   -- UTC, ISO 8601
        )""",
    ),
    (  # 3: per-replication metrics as blocks of numpy arrays instead of a row per replication
        """CREATE TABLE metrics (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            part INTEGER NOT NULL,           -- the block's place in the run's frame, from 0
            strategy TEXT NOT NULL,          -- every row of a block has the same strategy
            rows INTEGER NOT NULL,
            data BLOB NOT NULL,              -- one .npy array per column of runs.columns, in order
            PRIMARY KEY (run_id, part)
        )""",
        _metrics_from_rows,
        "DROP TABLE replications",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

RUN_COLUMNS = ("id", "created_at", "quarter", "kind", "scenario", "scenario_sha256", "strategies",
               "seed", "replications", "drillsim_version", "command")
ACTION_COLUMNS = ("id", "created_at", "source", "action", "owner", "due", "status", "closed_at")
ACTION_FIELDS = ("action", "owner", "due")
KEYS = ("strategy", "replication")
QUARTER = re.compile(r"^\d{4}Q[1-4]$")
MAX_EXTENDS = 16  # a scenario file changed since loading could extend itself; stop reading


class StoreError(Exception):
    """A store that cannot be used or a run or action it does not hold; ``str()`` says which."""


class Store:
    """A drillsim results store in one SQLite file (created when missing unless ``create=False``).

    Recording: ``record(results, command)``. Reading, as pandas for notebooks: ``runs()`` lists
    runs, ``run(id)`` gives one as a dict, ``frame(id)`` its per-replication rows. The improvement
    plan: ``add_actions``, ``actions``, ``close_action``. Use as a context manager to close it.
    """

    def __init__(self, path: str | Path = DEFAULT_PATH, *, create: bool = True) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a directory, not a results store")
        if not create and not self.path.exists():
            raise StoreError(f"{self.path}: no results store here")
        try:
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the results store ({exc})") from None
        try:
            with self._errors():
                self._prepare()
        except BaseException:
            self._db.close()
            raise

    def _prepare(self) -> None:
        """Switch to WAL and bring the schema up to date. SQLite answers a change of journal
        mode with "locked", without waiting, while another process creates the same new file,
        so that moment is retried (within the busy timeout)."""
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                # In WAL mode a commit without fsync is still atomic and survives a killed
                # process; only a power cut may lose the latest runs.
                self._db.execute("PRAGMA synchronous = NORMAL")
                self._migrate()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                time.sleep(0.02)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.path}>"

    # Recording

    def record(self, results: Any, command: str, kind: str = "run", *,
               quarter: str | None = None, baseline: str | None = None) -> int:
        """Record a run in one transaction and return its id.

        ``results`` is a ``Results`` or anything with its ``frame`` (with ``strategy`` and
        ``replication`` columns), ``scenario``, ``seed``, ``replications`` and
        ``to_dict(baseline)``; strategies' parameters come from ``results.job`` where it has one.
        ``command`` is the command line (or a note, from a notebook); ``kind`` is ``run``,
        ``quarter`` or ``compare``; ``quarter`` (e.g. ``2026Q4``) defaults to the quarter of the
        current UTC date; ``baseline`` is the strategy the stored comparisons are against.
        If anything fails or the process is interrupted, nothing is recorded.
        """
        frame = results.frame
        if not set(KEYS) <= set(frame.columns):
            raise ValueError(f"the results frame needs the columns {KEYS}")
        created = datetime.now(UTC).replace(microsecond=0)
        quarter = _check_quarter(quarter) if quarter else f"{created.year}Q{(created.month + 2) // 3}"
        scenario = results.scenario
        columns = [_describe_column(name, frame[name]) for name in frame.columns]
        row = {
            "created_at": created.isoformat(), "quarter": quarter, "kind": kind,
            "drillsim_version": _version("drillsim"), "command": command,
            "seed": int(results.seed), "replications": int(results.replications),
            "scenario": scenario.name, "scenario_title": getattr(scenario, "title", None),
            "scenario_file": getattr(scenario, "source", None),
            "scenario_sha256": getattr(scenario, "digest", None) or None,
            "scenario_content": _json(scenario_files(scenario)),
            "scenario_data": _json(scenario.model_dump(mode="json"), canonical=True),
            "strategies": _json(_strategies(results)),
            "environment": _json(environment()),
            "summaries": _json(results.to_dict(baseline)),
            "columns": _json(columns),
        }
        with self._errors(), self._transaction():
            run_id = self._db.execute(
                f"INSERT INTO runs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                tuple(row.values())).lastrowid
            _insert_metrics(self._db, run_id, frame, columns)
        return run_id

    # Reading

    def runs(self, scenario: str | None = None, since: str | date | None = None,
             until: str | date | None = None, quarter: str | None = None) -> pd.DataFrame:
        """The recorded runs, oldest first: one row per run, without the per-replication rows.

        Filters: ``scenario`` (its name), ``since`` and ``until`` (dates or datetimes, ISO strings
        allowed, UTC; a date includes its whole day) and ``quarter`` (e.g. ``2026Q4``).
        Columns: id, created_at (UTC timestamps), quarter, kind, scenario, scenario_sha256,
        strategies (lists of labels), seed, replications, drillsim_version, command.
        """
        where, args = [], []
        if scenario is not None:
            where.append("scenario = ?")
            args.append(scenario)
        if since is not None:
            where.append("created_at >= ?")
            args.append(_bound(since, end=False))
        if until is not None:
            where.append("created_at < ?")
            args.append(_bound(until, end=True))
        if quarter is not None:
            where.append("quarter = ?")
            args.append(_check_quarter(quarter))
        sql = f"SELECT {', '.join(RUN_COLUMNS)} FROM runs"
        sql += f" WHERE {' AND '.join(where)}" if where else ""
        with self._errors():
            rows = self._db.execute(sql + " ORDER BY id", args).fetchall()
        frame = pd.DataFrame.from_records(rows, columns=RUN_COLUMNS)
        frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
        frame["strategies"] = [[s["label"] for s in json.loads(text)] for text in frame["strategies"]]
        return frame

    def run(self, run_id: int) -> dict[str, Any]:
        """One run as recorded: its identity, scenario (name, title, file, sha256, content,
        data), strategies, environment and summaries (the JSON of ``drillsim run --json``)."""
        with self._errors():
            cursor = self._db.execute("SELECT * FROM runs WHERE id = ?", (run_id,))
            row = cursor.fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no run {run_id}")
        record = dict(zip([d[0] for d in cursor.description], row, strict=True))
        scenario = {key: record.pop(f"scenario_{key}") for key in
                    ("title", "file", "sha256", "content", "data")}
        scenario["name"] = record.pop("scenario")
        for key in ("content", "data"):
            scenario[key] = json.loads(scenario[key]) if scenario[key] is not None else None
        record.pop("columns")
        for key in ("strategies", "environment", "summaries"):
            record[key] = json.loads(record[key])
        return {**record, "scenario": scenario}

    def frame(self, run_id: int) -> pd.DataFrame:
        """A run's per-replication rows, exactly the ``Results.frame`` recorded: same columns,
        dtypes, values and order."""
        with self._errors():
            found = self._db.execute("SELECT columns FROM runs WHERE id = ?", (run_id,)).fetchone()
            if found is None:
                raise StoreError(f"{self.path}: no run {run_id}")
            blocks = self._db.execute("SELECT data FROM metrics WHERE run_id = ? ORDER BY part",
                                      (run_id,)).fetchall()
        columns = json.loads(found[0])
        parts = [_decode(data, len(columns)) for (data,) in blocks]
        frame = {}
        for i, column in enumerate(columns):
            values = np.concatenate([part[i] for part in parts]) if parts else \
                np.empty(0, "int8" if "categories" in column else column["dtype"])
            if "categories" in column:
                values = pd.Categorical.from_codes(values, column["categories"], column["ordered"])
                if column["dtype"] != "category":
                    values = pd.Series(values).astype(column["dtype"])
            frame[column["name"]] = values
        return pd.DataFrame(frame)

    # The improvement plan

    def add_actions(self, source: str, actions: list[dict]) -> list[int]:
        """Add improvement-plan actions from ``source`` (e.g. a drill id); return their ids.

        Each action is a dict with ``action`` (the text, required), ``owner`` and ``due`` (a date
        or an ISO date string), both optional. All are added in one transaction, or none.
        """
        rows = []
        for item in actions:
            unknown = set(item) - set(ACTION_FIELDS)
            if unknown or not item.get("action"):
                raise ValueError(f"an action is a dict with 'action' (required), 'owner' and 'due'; "
                                 f"found {item!r}")
            due = item.get("due")
            rows.append((source, str(item["action"]), item.get("owner"),
                         None if due is None else _date(due).isoformat()))
        created = _now()
        ids = []
        with self._errors(), self._transaction():
            for row in rows:
                ids.append(self._db.execute(
                    "INSERT INTO actions (created_at, source, action, owner, due) "
                    "VALUES (?, ?, ?, ?, ?)", (created, *row)).lastrowid)
        return ids

    def actions(self, status: str | None = None) -> pd.DataFrame:
        """The improvement plan, oldest first: every action, or only ``open`` or ``closed`` ones.

        Columns: id, created_at, source, action, owner, due, status, closed_at.
        """
        if status not in (None, "open", "closed"):
            raise ValueError(f"status: expected open, closed or None, found {status!r}")
        sql = f"SELECT {', '.join(ACTION_COLUMNS)} FROM actions"
        with self._errors():
            rows = self._db.execute(sql + (" WHERE status = ?" if status else "") + " ORDER BY id",
                                    (status,) if status else ()).fetchall()
        return pd.DataFrame.from_records(rows, columns=ACTION_COLUMNS)

    def close_action(self, id: int) -> None:
        """Mark an action closed, now; closing a closed action changes nothing."""
        with self._errors(), self._transaction():
            if self._db.execute("SELECT 1 FROM actions WHERE id = ?", (id,)).fetchone() is None:
                raise StoreError(f"{self.path}: no action {id}")
            self._db.execute("UPDATE actions SET status = 'closed', closed_at = ? "
                             "WHERE id = ? AND status = 'open'", (_now(), id))

    # The file

    def integrity(self) -> str:
        """SQLite's ``PRAGMA integrity_check``: ``ok`` for a sound file."""
        with self._errors():
            return "\n".join(row[0] for row in self._db.execute("PRAGMA integrity_check"))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """A write transaction taken at once (so waiting writers queue on the busy timeout);
        rolled back on any exception, KeyboardInterrupt included."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.rollback()
            raise
        self._db.execute("COMMIT")

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite's errors as one-line ``StoreError``s that name the file."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            reason = "not an SQLite file, or corrupt" if "not a database" in str(exc) else str(exc)
            raise StoreError(f"{self.path}: cannot use the results store ({reason})") from None

    def _migrate(self) -> None:
        """Check the file is a drillsim store (or new) and bring its schema up to date; an
        up-to-date store is only read, so opening one never waits for a writer."""
        if self._schema_version() == SCHEMA_VERSION:
            return
        with self._transaction():
            for step in MIGRATIONS[self._schema_version():]:
                for statement in step:
                    if isinstance(statement, str):
                        self._db.execute(statement)
                    else:
                        statement(self._db)
            self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _schema_version(self) -> int:
        """The file's schema version (0 for a new, empty file), refusing files that are not a
        drillsim store or that a newer drillsim wrote."""
        current = self._db.execute("PRAGMA user_version").fetchone()[0]
        app = self._db.execute("PRAGMA application_id").fetchone()[0]
        tables = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app != APPLICATION_ID and (app or tables):
            raise StoreError(f"{self.path}: not a drillsim results store")
        if current > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: written by a newer drillsim (store schema {current}; "
                             f"this one reads up to {SCHEMA_VERSION}); upgrade drillsim")
        return current


def environment() -> dict[str, str]:
    """What bit-identical results depend on: Python, the numeric libraries and the platform."""
    return {"python": platform.python_version(),
            "implementation": platform.python_implementation(),
            **{name: _version(name) for name in ("numpy", "simpy", "pandas", "scipy", "pydantic")},
            "platform": platform.platform(), "machine": platform.machine()}


def _insert_metrics(db: sqlite3.Connection, run_id: int, frame: pd.DataFrame,
                    columns: list[dict[str, Any]]) -> None:
    """Write the frame's rows as blocks of ``metrics``: runs of one strategy, at most
    ``BLOCK_ROWS`` rows each, in the frame's order."""
    db.executemany("INSERT INTO metrics (run_id, part, strategy, rows, data) VALUES (?, ?, ?, ?, ?)",
                   ((run_id, part, *block) for part, block in enumerate(_blocks(frame, columns))))


def _blocks(frame: pd.DataFrame, columns: list[dict[str, Any]]) -> Iterator[tuple[str, int, bytes]]:
    """The frame cut into blocks — (strategy, rows, data) — ``data`` holding each column's
    slice as a .npy array: numbers as they are, categories (and other values) by their codes."""
    arrays = [_array(frame[c["name"]], c) for c in columns]
    strategy = frame["strategy"].to_numpy()
    starts = (np.flatnonzero(strategy[1:] != strategy[:-1]) + 1).tolist()
    for run_start, run_stop in zip([0, *starts], [*starts, len(frame)], strict=True):
        for start in range(run_start, run_stop, BLOCK_ROWS):
            stop = min(start + BLOCK_ROWS, run_stop)
            buffer = io.BytesIO()
            for array in arrays:
                np.lib.format.write_array(buffer, array[start:stop], allow_pickle=False)
            yield str(strategy[start]), stop - start, buffer.getvalue()


def _decode(data: bytes, count: int) -> list[np.ndarray]:
    """A block's ``count`` column arrays."""
    buffer = io.BytesIO(data)
    return [np.lib.format.read_array(buffer, allow_pickle=False) for _ in range(count)]


def _array(series: pd.Series, column: dict[str, Any]) -> np.ndarray:
    """A column as the array stored: its values, or its codes where it has categories."""
    if "categories" in column:
        return pd.Categorical(series, categories=column["categories"]).codes
    return series.to_numpy()


def _describe_column(name: str, series: pd.Series) -> dict[str, Any]:
    """A column's name and dtype; a column of categories, text or other objects also has its
    categories (as JSON values), the stored array being their codes."""
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "biuf":
        return {"name": name, "dtype": str(series.dtype)}
    categorical = series.astype("category").cat
    return {"name": name, "dtype": str(series.dtype), "categories": categorical.categories.tolist(),
            "ordered": bool(categorical.ordered)}


def _strategies(results: Any) -> list[dict[str, Any]]:
    """Each strategy's label, class and JSON-able parameters."""
    job = getattr(results, "job", None)
    if job is None:
        return [{"label": label, "class": None, "parameters": {}} for label in results.strategies]
    out = []
    for label, strategy in job.strategies:
        kind = type(strategy)
        parameters = {key: value for key, value in getattr(strategy, "__dict__", {}).items()
                      if not key.startswith("_") and _jsonable(value)}
        out.append({"label": label, "class": f"{kind.__module__}:{kind.__qualname__}",
                    "parameters": parameters})
    return out


def scenario_files(scenario: Any) -> list[dict[str, str]] | None:
    """The texts of the scenario's file and the files it ``extends``, base first — only when they
    still hash to the scenario's digest (so what is stored is what ran)."""
    digest = getattr(scenario, "digest", "")
    if not digest:
        return None
    files, path = [], Path(scenario.source)
    try:
        for _ in range(MAX_EXTENDS):
            text = path.read_text(encoding="utf-8")
            files.insert(0, {"file": str(path), "text": text})
            if hashlib.sha256("\0".join(f["text"] for f in files).encode()).hexdigest() == digest:
                return files
            parent = (yaml.safe_load(text) or {}).get("extends")
            if not isinstance(parent, str):
                return None
            path = path.parent / parent
    except (OSError, yaml.YAMLError, AttributeError):
        return None
    return None


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def _json(value: Any, canonical: bool = False) -> str | None:
    """Compact JSON without NaN, keys in their order (strategies stay as given) or, when
    ``canonical``, sorted so that equal data gives equal text; None stays NULL."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=canonical, separators=(",", ":"), allow_nan=False)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _check_quarter(quarter: str) -> str:
    if not QUARTER.match(quarter):
        raise ValueError(f"quarter: expected a year and quarter such as 2026Q4, found {quarter!r}")
    return quarter


def _date(value: str | date) -> date:
    if isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected a date such as 2026-12-31, found {value!r}") from None


def _bound(value: str | date, end: bool) -> str:
    """A date range bound as a UTC ISO string comparable with ``created_at``: a date stands for
    its whole day; a datetime without a time zone is taken as UTC."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(f"expected a date or datetime such as 2026-12-31 or "
                                 f"2026-12-31T18:00, found {value!r}") from None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC) + (timedelta(seconds=1) if end else timedelta(0))
    else:
        moment = datetime.combine(value + timedelta(days=1 if end else 0), datetime.min.time(), UTC)
    return moment.replace(microsecond=0).isoformat()
