"""One drill: the scenario with the team's names, one replication's draws, and the team playing it.

The team's names take the responder slots in order (Ana is slot 1, Ben slot 2…), so the drill and
every strategy replayed after it draw the same arrival times per person and face the very same
incident: a scripted drill that makes a built-in strategy's moves equals it bit for bit. Undoing
a decision replays the drill from the start with the decisions kept, which is exact because a
drill is deterministic given its seed and decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..draws import BLOCK, DrawTable
from ..engine import Incident, Model
from ..scenario import Scenario
from ..strategies import Strategy
from .human import Decider, Entry, HumanStrategy, Move, Rewind, Script
from .injects import Fired


def with_team(scenario: Scenario, names: Sequence[str]) -> Scenario:
    """``scenario`` with its responders named: the team's size follows the names."""
    names = [n.strip() for n in names]
    if not names or any(not n for n in names) or len(set(names)) != len(names):
        raise ValueError(f"expected distinct, non-empty responder names; found {list(names)}")
    team = scenario.team.model_copy(update={"responders": names})
    return scenario.model_copy(update={"team": team})


@dataclass
class Played:
    """A finished drill: the incident (its ``log``, ``levels``, ``outcome``), the team's decisions,
    the injects shown, and who did what from when."""

    drill: Drill
    incident: Incident
    entries: list[Entry]
    shown: list[Fired]
    duties: list[tuple[float, dict]]


class Drill:
    """A scenario, a seed and a replication: the incident a team plays and strategies replay."""

    def __init__(self, scenario: Scenario, seed: int, replication: int = 0) -> None:
        self.scenario, self.seed, self.replication = scenario, seed, replication
        self.model = Model(scenario)
        self.draws = DrawTable(scenario, seed, replication // BLOCK).row(replication % BLOCK)

    @property
    def team(self) -> list[str]:
        return list(self.scenario.team.names)

    def replay(self, strategy: Strategy, label: str) -> Incident:
        """The drill's incident under another strategy, with its event log."""
        incident = Incident(self.model, self.draws, strategy, label, log=True)
        incident.run()
        return incident

    def play(self, decider: Decider, said: Sequence[Fired] = ()) -> Played:
        """Run the drill with ``decider`` (a console or a script); ``said`` are earlier ad-hoc injects.

        A decider that raises ``Rewind`` takes back the last decision: the drill restarts, replays
        the decisions before it without prompts, and hands back to the decider where it was made.
        """
        live = decider
        while True:
            human = HumanStrategy(self.scenario, decider, said)
            incident = Incident(self.model, self.draws, human, "drill", log=True)
            decider.bind(incident)
            try:
                incident.run()
            except Rewind:
                if not human.entries:
                    raise
                *kept, undone = human.entries
                said = [s for s in human.said if s.at <= undone.at]
                live.rewound(undone)
                decider = Resume(Script(kept), live, undone.at)
                continue
            return Played(self, incident, human.entries, human.shown, human.duties)


class Resume:
    """After an undo: replays the decisions kept, silently, then hands back to the live decider
    at the decision point where the undone decision was made."""

    def __init__(self, script: Script, live: Decider, at: float) -> None:
        self.script, self.live, self.at = script, live, at

    def bind(self, incident) -> None:
        self.live.bind(incident)

    def decide(self, view, fired: list[Fired]) -> Move:
        if not self.script.done or view.now < self.at:
            return self.script.decide(view, fired)
        return self.live.decide(view, fired)
