"""Incident histories from CSV exports: find the durations, keep what can be one, say what went.

Exports differ, so the columns are options with guesses: start and end timestamps (preferred:
their difference needs no unit), or a duration column (its unit read from its name, such as
``duration_minutes``, or given). Rows are then filtered (``--where``), and a row is dropped and
counted with its reason when it is a maintenance window, has an empty cell, ends before it starts
or lasts zero minutes. A cell that should hold a timestamp or a number but holds something else
is an error naming its row and column: dropping it silently would hide a broken export. Rows are
numbered as in a spreadsheet, the header being row 1.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

UNITS = {"seconds": 1 / 60, "minutes": 1.0, "hours": 60.0, "days": 1440.0}
UNIT_WORDS = {"s": "seconds", "sec": "seconds", "secs": "seconds", "seconds": "seconds",
              "min": "minutes", "mins": "minutes", "minutes": "minutes",
              "h": "hours", "hr": "hours", "hrs": "hours", "hours": "hours", "days": "days"}
# Words that mark a column, in order of preference; a word that fits two columns is ambiguous.
START_WORDS = ("start", "started", "begin", "began", "opened", "created")
END_WORDS = ("end", "ended", "resolved", "closed", "finished", "recovered")
DURATION_WORDS = ("duration",)
MAINTENANCE = {"maintenance", "scheduled maintenance", "planned maintenance"}
MINUTES_PER_DAY = 1440


class HistoryError(ValueError):
    """An incident file that cannot be read as durations; ``str()`` is one line for the user."""


@dataclass(frozen=True)
class History:
    """Positive incident durations in minutes, and an account of every row that was not kept."""

    source: str
    durations: np.ndarray
    rows: int  # data rows in the file
    measured: str  # how durations were taken, e.g. "downtime_end − downtime_start"
    filtered: int = 0  # rows left out by the --where conditions
    dropped: dict[str, int] = field(default_factory=dict)  # reason → rows
    multi_day: int = 0  # kept rows longer than a day

    @property
    def distinct(self) -> int:
        """Distinct durations: far fewer than rows means ties (e.g. whole minutes)."""
        return len(np.unique(self.durations))

    def quantile(self, q: float) -> float:
        """The data's own q-quantile (linear interpolation between order statistics)."""
        return float(np.quantile(self.durations, q))


def read_history(path: str | Path, *, start: str | None = None, end: str | None = None,
                 duration: str | None = None, unit: str | None = None,
                 where: Sequence[str] = (), keep_maintenance: bool = False) -> History:
    """Read an incident export and return its usable durations (see the module's rules)."""
    frame = _read_csv(Path(path))
    source = str(path)
    rows = len(frame)
    kept = _filter(frame, where, source)
    filtered = rows - len(kept)
    start, end, duration = _columns(kept.columns, start, end, duration, source)
    dropped: dict[str, int] = {}
    if not keep_maintenance:
        used = {c for c in (start, end, duration) if c}
        marks = kept.drop(columns=list(used)).apply(lambda col: col.str.strip().str.lower())
        maintenance = marks.isin(MAINTENANCE).any(axis=1)
        _count(dropped, "maintenance windows", maintenance)
        kept = kept[~maintenance]
    if duration:
        unit = unit or _unit_of(duration)
        if unit not in UNITS:
            raise HistoryError(f"{source}: column {duration}: unknown unit {unit!r}; expected one of "
                               f"{', '.join(UNITS)}")
        minutes = _numbers(kept[duration], duration, source) * UNITS[unit]
        measured = f"{duration} ({unit})"
        empty = minutes.isna()
        _count(dropped, f"empty {duration}", empty)
    else:
        began, ended = _timestamps(kept[start], start, source), _timestamps(kept[end], end, source)
        minutes = (ended - began).dt.total_seconds() / 60
        measured = f"{end} − {start}"
        empty = began.isna() | ended.isna()
        _count(dropped, f"empty {start} or {end}", empty)
    minutes = minutes[~empty]
    _count(dropped, "negative" if duration else "negative (end before start)", minutes < 0)
    _count(dropped, "zero-length", minutes == 0)
    values = minutes[minutes > 0].to_numpy(dtype=float)
    if len(values) == 0:
        account = "; ".join(f"{n} {why}" for why, n in dropped.items()) or "none"
        raise HistoryError(f"{source}: no usable durations left ({rows} rows; {filtered} left out by "
                           f"--where; dropped: {account})")
    return History(source, values, rows, measured, filtered, dropped,
                   int((values > MINUTES_PER_DAY).sum()))


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, skip_blank_lines=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise HistoryError(f"{path}: no such file") from None
    except pd.errors.EmptyDataError:
        raise HistoryError(f"{path}: the file is empty; expected a header row and one row per "
                           "incident") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        message = " ".join(str(exc).split())
        raise HistoryError(f"{path}: not a readable CSV file: {message}") from None
    if frame.empty:
        raise HistoryError(f"{path}: no incident rows under the header")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.dropna(how="all")


def _filter(frame: pd.DataFrame, where: Sequence[str], source: str) -> pd.DataFrame:
    """Rows matching every ``COLUMN=VALUE[,VALUE…]`` condition (values compared case-insensitively)."""
    for condition in where:
        name, sep, values = condition.partition("=")
        name = name.strip()
        if not sep or not name or not values.strip():
            raise HistoryError(f"--where {condition}: expected COLUMN=VALUE[,VALUE…]")
        _require(frame.columns, name, source)
        wanted = {v.strip().lower() for v in values.split(",")}
        frame = frame[frame[name].str.strip().str.lower().isin(wanted)]
    return frame


def _columns(columns: pd.Index, start: str | None, end: str | None, duration: str | None,
             source: str) -> tuple[str | None, str | None, str | None]:
    """The (start, end, duration) columns to use: as given, or guessed from their names."""
    for name in (start, end, duration):
        if name is not None:
            _require(columns, name, source)
    if duration and (start or end):
        raise HistoryError("give either --duration or --start and --end, not both")
    if duration:
        return None, None, duration
    if start or end:
        start = start or _guess(columns, START_WORDS, "--start", source)
        end = end or _guess(columns, END_WORDS, "--end", source)
        if start is None or end is None:
            missing = "--start" if start is None else "--end"
            raise HistoryError(f"{source}: cannot tell which column to use for {missing}; give it "
                               f"(columns: {', '.join(columns)})")
        return start, end, None
    start = _guess(columns, START_WORDS, "--start", source)
    end = _guess(columns, END_WORDS, "--end", source)
    if start and end:
        return start, end, None
    duration = _guess(columns, DURATION_WORDS, "--duration", source)
    if duration:
        return None, None, duration
    raise HistoryError(f"{source}: cannot tell which columns hold the durations; give --duration "
                       f"COLUMN, or --start COLUMN and --end COLUMN (columns: {', '.join(columns)})")


def _guess(columns: pd.Index, words: Sequence[str], option: str, source: str) -> str | None:
    """The one column whose name holds the most preferred word; ambiguity is an error."""
    for word in words:
        hits = [c for c in columns if word in _words(c)]
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise HistoryError(f"{source}: columns {', '.join(hits)} could each be meant; choose one "
                               f"with {option}")
    return None


def _words(name: str) -> list[str]:
    return re.findall(r"[a-z]+", name.lower())


def _unit_of(column: str) -> str:
    """The unit a duration column's name states (``duration_minutes``), else minutes."""
    return next((UNIT_WORDS[w] for w in reversed(_words(column)) if w in UNIT_WORDS), "minutes")


def _require(columns: pd.Index, name: str, source: str) -> None:
    if name not in columns:
        raise HistoryError(f"{source}: no column {name!r}; the columns are {', '.join(columns)}")


def _numbers(cells: pd.Series, column: str, source: str) -> pd.Series:
    values = pd.to_numeric(cells.str.strip(), errors="coerce")
    _first_bad(cells, values, column, source, "a number")
    return values


def _timestamps(cells: pd.Series, column: str, source: str) -> pd.Series:
    """Parse ISO 8601 first, then other common forms; naive times are taken as UTC."""
    text = cells.str.strip()
    values = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
    retry = values.isna() & text.notna()
    if retry.any():
        values[retry] = pd.to_datetime(text[retry], utc=True, errors="coerce", format="mixed")
    _first_bad(cells, values, column, source, "a date and time such as 2024-05-01T14:03:00Z")
    return values


def _first_bad(cells: pd.Series, values: pd.Series, column: str, source: str, expected: str) -> None:
    bad = values.isna() & cells.notna() & (cells.str.strip() != "")
    if bad.any():
        index = bad.idxmax()
        raise HistoryError(f"{source}: row {index + 2}, column {column}: expected {expected}, "
                           f"found {cells[index]!r}")


def _count(dropped: dict[str, int], reason: str, mask: pd.Series) -> None:
    if mask.any():
        dropped[reason] = int(mask.sum())
