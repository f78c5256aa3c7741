"""The after-action review of a drill, as data: the counterfactual, objectives rated, findings and
an improvement plan (HSEEP's AAR/IP). ``aar.py`` writes it out; this module only judges.

The counterfactual replays every registered strategy on the drill's own draws — the same
replication of the same seed, the same named responders — so each difference from the team is
the decisions' doing, not luck. Where the team's outcome falls among many outages of each
strategy comes from ``simulate`` on the same seed. Objectives are rated from what happened:
an inject's checkable expected action (someone on a task within so many minutes of the inject)
is met, partially met (done, but late) or not met; an objective is met when all its rated
injects are, and the continuity objective compares time to resume with the RTO and MTPD.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..engine import Incident
from ..runner import simulate
from ..strategies import REGISTRY, parse_strategy
from .clock import t_plus
from .injects import Fired
from .session import Played

MET, PARTIAL, NOT_MET, NOT_RATED = "met", "partially met", "not met", "not rated"
IDLE_MINUTES = 10  # a responder left without a task this long is a finding
MEANINGFUL = 0.1  # a strategy that beats the team by this share of its CIM is a finding
SAME = 0.5  # minutes (of time or of CIM) below which two outcomes read as the same


@dataclass(frozen=True)
class Alternative:
    """One strategy on the drill's draws, and its spread over many outages."""

    label: str
    incident: Incident  # the same draws as the team: .log, .levels, .outcome
    how: str  # "with one person on reroute-to-backup-site from T+12"
    options: tuple[str, ...]  # the workarounds it started first (none: everyone on the fix)
    median: float  # customer-impact minutes over many outages
    p90: float
    beat_team: float  # share of those outages with fewer customer-impact minutes than the team's


@dataclass(frozen=True)
class Rating:
    """An objective or an inject's expected action, rated from what happened."""

    subject: str
    rating: str
    evidence: str


@dataclass
class Review:
    """Everything the after-action report says."""

    played: Played
    date: dt.date
    replications: int
    alternatives: list[Alternative]
    injects: list[tuple[Fired, Rating]]
    objectives: list[Rating]
    strengths: list[str]
    improvements: list[str]
    actions: list[dict]  # action, owner, due: the improvement plan for the results store
    headline: str

    @property
    def team(self) -> Incident:
        return self.played.incident


def review(played: Played, date: dt.date, replications: int = 2000,
           strategies: Sequence[str] | None = None) -> Review:
    """Judge a finished drill against every strategy (default: all registered) and its MSEL."""
    drill, team = played.drill, played.incident
    labels = list(strategies or REGISTRY)
    results = simulate(drill.scenario, labels, replications, drill.seed)
    cim = team.outcome.customer_impact_minutes
    alternatives = []
    for label in labels:
        incident = drill.replay(parse_strategy(label), label)
        spread = results.values(label).to_numpy()
        how, options = _how(incident)
        alternatives.append(Alternative(label, incident, how, options, float(np.median(spread)),
                                        float(np.quantile(spread, 0.9)),
                                        float(np.mean(spread < cim - SAME))))
    rated = [(fired, rate_inject(fired, played)) for fired in played.shown if not fired.ad_hoc]
    objectives = _objectives(played, rated)
    strengths, improvements, actions = _findings(played, alternatives, objectives, rated, date)
    return Review(played, date, replications, alternatives, rated, objectives, strengths,
                  improvements, actions, _headline(played, alternatives))


def counterfactual(alternative: Alternative, team: Incident) -> str:
    """One sentence: what this strategy would have done on the same draws."""
    theirs, ours = alternative.incident.outcome, team.outcome
    if theirs == ours:
        return f"{alternative.label} would have done exactly what the team did."
    if abs(theirs.time_to_resume - ours.time_to_resume) < SAME:
        back = f"customers would have had service back at the same time, {t_plus(ours.time_to_resume)}"
    else:
        back = (f"customers would have had service back at {t_plus(theirs.time_to_resume)} "
                f"instead of {t_plus(ours.time_to_resume)}")
    also = []
    if abs(theirs.customer_impact_minutes - ours.customer_impact_minutes) >= SAME:
        also.append(f"{theirs.customer_impact_minutes:,.0f} customer-impact minutes instead of "
                    f"{ours.customer_impact_minutes:,.0f}")
    if abs(theirs.time_to_restore - ours.time_to_restore) >= SAME:
        also.append(f"the fix done at {t_plus(theirs.time_to_restore)} instead of "
                    f"{t_plus(ours.time_to_restore)}")
    return f"{alternative.label}: {alternative.how}, {back}" + \
        (f" ({'; '.join(also)})." if also else ".")


def rate_inject(fired: Fired, played: Played) -> Rating:
    """Whether the team did an inject's checkable expected action in time."""
    if fired.expect is None:
        return Rating(fired.name, NOT_RATED, "facilitator to judge")
    task, within = fired.expect.task, fired.expect.within
    first = None  # the first moment at or after the inject that someone was on the task
    for start, stop, duties in _stretches(played):
        if stop > fired.at and any(_does(t, task) for t in duties.values()):
            first = max(start, fired.at)
            break
    if first is None:
        return Rating(fired.name, NOT_MET, f"nobody on {task} after {t_plus(fired.at)}")
    late = first - fired.at
    rating = MET if late <= within else PARTIAL
    return Rating(fired.name, rating, f"someone on {task} from {t_plus(first)}, {late:.0f} min "
                  f"after the inject (expected within {within})")


def _stretches(played: Played) -> list[tuple[float, float, dict]]:
    """(from, to, who does what) between consecutive decision points, up to the end."""
    times = [t for t, _ in played.duties[1:]] + [played.incident.end]
    return [(start, stop, duties) for (start, duties), stop in zip(played.duties, times, strict=True)]


def _does(duty, task: str) -> bool:
    if duty is None:
        return False
    if task == "workaround":
        return duty.kind == "workaround"
    return duty.option == task if duty.kind == "workaround" else duty.kind == task


def _how(incident: Incident) -> tuple[str, tuple[str, ...]]:
    """How a strategy staffed the outage, from its first workaround assignment, and the options."""
    moves = [e for e in incident.log if e.kind == "assigned" and e.detail.startswith("workaround:")]
    if not moves:
        return "with everyone on the fix", ()
    first = tuple(e.detail.split(":", 1)[1] for e in moves if e.time == moves[0].time)
    who = "one person" if len(first) == 1 else f"{len(first)} people"
    return f"with {who} on {' and '.join(first)} from {t_plus(moves[0].time)}", first


def _headline(played: Played, alternatives: list[Alternative]) -> str:
    ours = played.incident.outcome
    best = min(alternatives, key=lambda a: a.incident.outcome.time_to_resume)
    back = f"The team had customers back at {t_plus(ours.time_to_resume)}"
    if best.incident.outcome.time_to_resume > ours.time_to_resume - SAME:
        return f"{back}, as soon as any strategy could on the same draws."
    return (f"{back}; under {best.label}, {best.how}, customers would have had service back at "
            f"{t_plus(best.incident.outcome.time_to_resume)}.")


def _objectives(played: Played, rated: list[tuple[Fired, Rating]]) -> list[Rating]:
    """Each inject objective (all its rated injects met → met…), then the continuity objective."""
    out = []
    by_objective: dict[str, list[Rating]] = {}
    for inject in played.drill.scenario.injects:
        by_objective.setdefault(inject.objective, [])
    for fired, rating in rated:
        if rating.rating != NOT_RATED:
            by_objective.setdefault(fired.objective, []).append(rating)
    for objective, ratings in by_objective.items():
        if not ratings:
            out.append(Rating(objective, NOT_RATED, "no checkable inject of it fired"))
            continue
        kinds = {r.rating for r in ratings}
        rating = MET if kinds == {MET} else NOT_MET if kinds == {NOT_MET} else PARTIAL
        out.append(Rating(objective, rating, "; ".join(f"{r.subject}: {r.rating}" for r in ratings)))
    scenario, resume = played.drill.scenario, played.incident.outcome.time_to_resume
    if scenario.rto_minutes is not None:
        rto, mtpd = scenario.rto_minutes, scenario.mtpd_minutes
        rating = MET if resume <= rto else PARTIAL if mtpd is not None and resume <= mtpd else NOT_MET
        limits = f"RTO {rto:g} min" + (f", MTPD {mtpd:g} min" if mtpd is not None else "")
        out.append(Rating(f"Resume service to customers within the RTO ({rto:g} min)", rating,
                          f"service at or above the MBCO from {t_plus(resume)} ({limits})"))
    return out


def _findings(played: Played, alternatives: list[Alternative], objectives: list[Rating],
              rated: list[tuple[Fired, Rating]], date: dt.date
              ) -> tuple[list[str], list[str], list[dict]]:
    """Strengths, areas for improvement, and the actions that follow from them."""
    team = played.incident
    ours = team.outcome.customer_impact_minutes
    strengths = [f"{o.subject}: met — {o.evidence}." for o in objectives if o.rating == MET]
    improvements = [f"{o.subject}: {o.rating} — {o.evidence}." for o in objectives
                    if o.rating in (PARTIAL, NOT_MET)]
    actions = []

    def act(action: str, owner: str, days: int) -> None:
        actions.append({"action": action, "owner": owner,
                        "due": (date + dt.timedelta(days=days)).isoformat()})

    better = [a for a in alternatives if a.incident.outcome.customer_impact_minutes
              < ours * (1 - MEANINGFUL)]
    if not better:
        best = min(a.incident.outcome.customer_impact_minutes for a in alternatives)
        strengths.append(f"On these draws no strategy did meaningfully better than the team "
                         f"({ours:,.0f} customer-impact minutes; the best strategy {best:,.0f}).")
    improvements += [counterfactual(a, team) for a in better]
    continuity = [a for a in better if a.options]
    if continuity:
        best = min(continuity, key=lambda a: a.incident.outcome.customer_impact_minutes)
        act(f"Write continuity-first into the incident procedure: the first free responder starts "
            f"{' and '.join(best.options)} while the others fix (in this drill {best.label} had "
            f"customers back at {t_plus(best.incident.outcome.time_to_resume)} instead of "
            f"{t_plus(team.outcome.time_to_resume)}).", "incident manager", 30)
    for event in team.log:
        if event.kind == "workaround" and event.detail.endswith(": failed"):
            option = event.detail.removesuffix(": failed")
            improvements.append(f"{option} failed when the team tried it ({t_plus(event.time)}).")
            act(f"Test the {option} runbook and fix what made it fail in the drill.",
                "service owner", 60)
    for fired, rating in rated:
        if rating.rating in (PARTIAL, NOT_MET):
            act(f"Rehearse the response to '{fired.name}': {fired.expected_action}",
                "BC coordinator", 90)
    idle = _idle(played)
    for name, minutes in idle.items():
        improvements.append(f"{name} waited {minutes:.0f} minutes without a task.")
    if idle:
        act("Agree at paging who takes which task, so nobody waits for one.", "incident manager", 30)
    return strengths, improvements, actions


def _idle(played: Played) -> dict[str, float]:
    """Minutes each responder spent present without a task, where it reaches IDLE_MINUTES."""
    idle: dict[str, float] = {}
    for start, stop, duties in _stretches(played):
        for name, duty in duties.items():
            if duty is None:
                idle[name] = idle.get(name, 0.0) + stop - start
    return {name: minutes for name, minutes in idle.items() if minutes >= IDLE_MINUTES}
