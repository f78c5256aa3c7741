"""A person at a drill, as a strategy: the team's decisions drive the same model as ``drillsim run``.

``HumanStrategy`` is an ordinary strategy (``decide(view)``). At each decision point it works out
which injects have fired, asks a *decider* — the facilitator's console, or a script of recorded
decisions — what the team does, and keeps the drill's record: each decision with its simulated
time, the injects shown, and who did what from then on. It asks the engine to wake it at the next
inject's minute and wherever the decider wants the clock to stop.

A script applies each decision at the first decision point at or after its time, one decision per
decision point, so a recording replays call for call. A decision at a whole minute is where the
facilitator stopped the clock, and the script stops it there too; any other time is an event's
(an arrival, a workaround ending), and the script's own wake comes just after it, so the event's
decision point comes first and takes the decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from ..scenario import Scenario
from ..strategies import COMMUNICATE, FIX, REST, Decision, Task, workaround
from .injects import Fired, InjectTracker

NUDGE = 1e-6  # minutes after an event's time that a script's own wake comes
NAMED_TASKS = {"fix": FIX, "communicate": COMMUNICATE, "rest": REST}


@dataclass(frozen=True)
class Entry:
    """One decision of a drill: who moves to what, ``at`` minutes from onset."""

    at: float
    assign: Mapping[str, Task]


class Move(NamedTuple):
    """A decider's answer at one decision point: assignments, a time to stop the clock at, and any
    inject the facilitator fired there."""

    assign: dict[str, Task]
    wake: float | None = None
    said: tuple[Fired, ...] = ()


class Decider(Protocol):
    """Who decides at a drill: shown the incident first, then asked at each decision point with
    the injects that just fired. A decider that raises ``Rewind`` also has ``rewound(entry)``."""

    def bind(self, incident) -> None: ...
    def decide(self, view, fired: list[Fired]) -> Move: ...


class Rewind(Exception):
    """Raised by a decider to take back the team's last decision; the drill replays up to it."""


def task_text(task: Task) -> str:
    """How a task is written in drill files and on the console: fix, communicate, rest, or an option."""
    return task.option if task.kind == "workaround" else task.kind


def task_of(text: str, scenario: Scenario) -> Task:
    """The task written ``text``; ValueError naming what is possible when it is no task here."""
    if text in NAMED_TASKS:
        return NAMED_TASKS[text]
    for option in scenario.workarounds:
        if option.name == text:
            if not scenario.available(option):
                raise ValueError(f"workaround {text!r} is not available in this scenario "
                                 f"(it needs {option.requires})")
            return workaround(text)
    options = [w.name for w in scenario.workarounds if scenario.available(w)]
    raise ValueError(f"unknown task or workaround {text!r}; expected fix, communicate, rest"
                     + (f" or a workaround: {', '.join(options)}" if options else ""))


class Script:
    """Recorded decisions, replayed without prompts (see the module's note on timing)."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = list(entries)
        self.next = 0
        self.applied: int | None = None  # the entry applied at the current decision point

    @property
    def done(self) -> bool:
        return self.next >= len(self.entries)

    def bind(self, incident) -> None:
        """A script needs nothing from the incident."""

    def decide(self, view, fired: list[Fired]) -> Move:
        self.applied = None
        assign: dict[str, Task] = {}
        if not self.done and view.now >= self.entries[self.next].at:
            assign = dict(self.entries[self.next].assign)
            self.applied, self.next = self.next, self.next + 1
        wake = None
        if not self.done:
            at = self.entries[self.next].at
            wake = at if at.is_integer() else at + NUDGE
        return Move(assign, wake)


class HumanStrategy:
    """The drill's strategy: injects, the decider's moves, and the record of both."""

    def __init__(self, scenario: Scenario, decider: Decider, said: Sequence[Fired] = ()) -> None:
        self.tracker = InjectTracker(scenario.injects, 1 - scenario.severity)
        self.decider = decider
        self.entries: list[Entry] = []
        self.fired: list[Fired] = []
        self.said = list(said)  # ad-hoc injects
        self.duties: list[tuple[float, dict[str, Task | None]]] = []  # who does what, from when

    @property
    def shown(self) -> list[Fired]:
        """Every inject that reached the team, in time order."""
        return sorted(self.fired + self.said, key=lambda f: f.at)

    def decide(self, view) -> Decision:
        now = view.now
        fired = self.tracker.update(view)
        self.fired += fired
        move = self.decider.decide(view, fired)
        self.said += move.said
        if move.assign:
            self.entries.append(Entry(now, dict(move.assign)))
        duties = {r.name: r.task for r in view.responders if r.present} | move.assign
        if not self.duties or self.duties[-1][1] != duties:
            self.duties.append((now, duties))
        wakes = [t for t in (self.tracker.next_wake(now), move.wake) if t is not None and t > now]
        return Decision(move.assign, min(wakes, default=None))
