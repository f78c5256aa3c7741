"""Drill files: a drill recorded — seed, team, decisions with their simulated times, injects shown —
and read back to replay it without prompts.

A drill is deterministic given its scenario, seed, replication and decisions, so a file replays
it exactly, and replays it against a changed scenario to re-score an old drill. Decision times
are written in full (``repr``), since a decision made at an event must land on that event.
Reading checks everything a replay needs before it starts: every problem is one line naming the
file, the line and the field.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import ConfigDict, Field

from ..scenario import Scenario, ScenarioError
from ..scenario.loading import load_document
from ..scenario.schema import Strict
from .human import Entry, task_of, task_text
from .injects import Fired
from .session import Played

Time = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class DrillFileError(ValueError):
    """A drill file that cannot be replayed; ``str()`` is the one-line message."""


class RecordedDecision(Strict):
    at: Time  # minutes from onset
    assign: Annotated[dict[str, str], Field(min_length=1)]  # responder → fix, communicate, rest, option


class RecordedInject(Strict):
    model_config = ConfigDict(populate_by_name=True)

    at: Time
    name: str
    sender: str = Field(alias="from")
    to: str
    message: str
    ad_hoc: bool = False  # fired by the facilitator: replayed; the scenario's own are recomputed


class DrillFile(Strict):
    drill: Literal[1]  # the file format's version
    scenario: str
    scenario_sha256: str = ""
    date: dt.date
    seed: Annotated[int, Field(ge=0)]
    replication: Annotated[int, Field(ge=0)] = 0
    team: Annotated[list[str], Field(min_length=1)]
    decisions: list[RecordedDecision] = Field(default_factory=list)
    injects: list[RecordedInject] = Field(default_factory=list)


@dataclass(frozen=True)
class Recording:
    """A drill file checked against its scenario: what a replay needs."""

    path: str
    scenario_sha256: str
    date: dt.date
    seed: int
    replication: int
    team: list[str]
    entries: list[Entry]
    said: list[Fired]  # the facilitator's ad-hoc injects

    def where(self, index: int) -> str:
        """``file:line: decisions[i]`` for messages about one decision."""
        return f"{_place(self.path, ('decisions', index))}: decisions[{index}]"


def load_recording(path: str | Path, scenario: Scenario) -> Recording:
    """Read and check a drill file for ``scenario``; DrillFileError names file, line and field."""
    try:
        doc = load_document(path, DrillFile, "drill record")
    except ScenarioError as exc:
        raise DrillFileError(str(exc)) from None
    path = str(path)

    def fail(loc: tuple, message: str) -> DrillFileError:
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        return DrillFileError(f"{_place(path, loc)}: {field}: {message}")

    if doc.scenario != scenario.name:
        raise fail(("scenario",), f"recorded on scenario {doc.scenario!r}, not {scenario.name!r}")
    if len(set(doc.team)) != len(doc.team) or not all(n.strip() for n in doc.team):
        raise fail(("team",), f"expected distinct, non-empty names; found {doc.team}")
    entries, last = [], 0.0
    for i, decision in enumerate(doc.decisions):
        if decision.at < last:
            raise fail(("decisions", i, "at"), f"a decision in the past: T+{decision.at:g} comes "
                       f"after a decision at T+{last:g}; list decisions in time order")
        if i and decision.at == last and decision.at.is_integer():  # one decision point there
            raise fail(("decisions", i, "at"), f"a second decision at T+{decision.at:g}; put "
                       "both in one decision")
        last = decision.at
        assign = {}
        for name, text in decision.assign.items():
            if name not in doc.team:
                raise fail(("decisions", i, "assign", name), f"unknown responder {name!r}; the "
                           f"team is {', '.join(doc.team)}")
            try:
                assign[name] = task_of(text, scenario)
            except ValueError as exc:
                raise fail(("decisions", i, "assign", name), str(exc)) from None
        entries.append(Entry(decision.at, assign))
    said = [Fired(s.at, s.name, s.sender, s.to, s.message, ad_hoc=True)
            for s in doc.injects if s.ad_hoc]
    return Recording(path, doc.scenario_sha256, doc.date, doc.seed, doc.replication,
                     list(doc.team), entries, said)


def save_recording(path: str | Path, played: Played, date: dt.date) -> None:
    """Write ``played`` as a drill file, atomically: a crash never leaves half a file."""
    drill = played.drill
    doc = {
        "drill": 1,
        "scenario": drill.scenario.name,
        "scenario_sha256": drill.scenario.digest,
        "date": date.isoformat(),
        "seed": drill.seed,
        "replication": drill.replication,
        "team": drill.team,
        "decisions": [{"at": e.at, "assign": {n: task_text(t) for n, t in e.assign.items()}}
                      for e in played.entries],
        "injects": [{"at": s.at, "name": s.name, "from": s.sender, "to": s.to,
                     "message": s.message, **({"ad_hoc": True} if s.ad_hoc else {})}
                    for s in played.shown],
    }
    text = (f"# A drillsim drill of {drill.scenario.name}. Replay it with\n"
            f"#   drillsim drill {drill.scenario.name} --decisions {Path(path).name}\n"
            "# Times are minutes from the outage's onset; decisions at events keep every digit.\n"
            + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def _place(path: str, loc: tuple) -> str:
    """``file:line`` of the deepest part of ``loc`` the file spells out (``file`` if none)."""
    try:
        node = yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return path
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = [(k, v) for k, v in node.value if k.value == part]
            if not found:
                break
            key, node = found[0]
            line = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return f"{path}:{line}" if line else path
