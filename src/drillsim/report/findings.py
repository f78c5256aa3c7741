"""What the numbers say, in plain words: each scenario's finding, the executive summary and the
recommendations. Pure functions of the figures, so different numbers give different words.

A strategy *pays* on a scenario when the 95% interval of its reduction in mean customer-impact
minutes lies above zero, *loses* when it lies below, and the difference is *within noise* when
the interval holds zero. Nothing here is a template that always says the same: every sentence is
chosen and filled from the findings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..scenario import Scenario
from .numbers import article, cut, interval, money, num, pct, quoted, times, value, words

PAYS, NOISE, LOSES, SAME = "pays", "within noise", "loses", "same"
SMALL_GAIN = 0.15  # a reduction below this is worth explaining
RTO_LOW = 0.5  # RTO met in fewer than half of outages: the target or the procedure is wrong
MTPD_HIGH = 0.05  # more than one outage in twenty breaching the MTPD is not tolerable
WAIT_HIGH = 0.10  # more than one incident in ten waiting for a responder is contention
FEW_SUCCEED = 0.6  # a best workaround below this succeeds too rarely to carry a procedure


@dataclass(frozen=True)
class Outcome:
    """One strategy on one scenario: the figures a reader compares."""

    mean_cim: float
    cim_ci: list[float] | None
    median_cim: float
    p90_cim: float
    rto: float | None  # share of outages resumed within the RTO
    rto_ci: list[float] | None
    mtpd: float | None  # share of outages breaching the MTPD
    mtpd_ci: list[float] | None
    cost: float | None  # mean cost of one outage
    cost_ci: list[float] | None


@dataclass(frozen=True)
class ScenarioFinding:
    """The challenger against the baseline on one scenario, and why it gains little if it does."""

    name: str
    title: str
    outcomes: dict[str, Outcome]
    reduction: float | None
    reduction_ci: list[float] | None
    win: float
    tie: float
    loss: float
    verdict: str
    reason: str  # why a workaround helps little here, from the scenario; "" where it pays well
    rto_minutes: float | None
    mtpd_minutes: float | None
    missing: tuple[tuple[str, str], ...] = ()  # (workaround, capability) the organisation lacks
    workarounds: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuarterFinding:
    """The quarter of incidents: the headline against the baseline, contention, and the gap
    between each system's gain in the quarter and its gain as a single outage."""

    title: str
    team: int
    metric: str  # words: "outage cost per quarter" or "customers affected per quarter"
    reduction: float | None
    reduction_ci: list[float] | None
    verdict: str
    waited: dict[str, float | None]  # share of incidents that waited for a responder
    utilisation: dict[str, float | None]
    overtime: dict[str, float | None]  # hours per quarter
    contention: dict[str, tuple[float, float]] = field(default_factory=dict)  # system: (alone, quarter)


@dataclass(frozen=True)
class CrossoverCell:
    team: int
    load: float
    reduction: float | None
    reduction_ci: list[float] | None
    verdict: str


@dataclass(frozen=True)
class Lean:
    """The assumption the conclusion leans on most: the paired difference in mean
    customer-impact minutes (challenger − baseline) at its low and high values and as written."""

    assumption: str  # in words
    low: str  # the values tried, as written (x0.8, 0.64, 1)
    high: str
    at_low: float | None
    at_low_ci: list[float] | None
    at_high: float | None
    at_high_ci: list[float] | None
    base: float | None
    scenario: str
    challenger: str
    spread: float


@dataclass(frozen=True)
class TrendChange:
    """One scenario this quarter against its latest earlier quarter."""

    name: str
    before: str  # the earlier quarter
    mean_before: float
    mean_now: float
    change_ci: list[float] | None
    verdict: str  # "unchanged" (the same run), "within noise", "better", "worse"
    scenario_changed: bool


@dataclass(frozen=True)
class Exercises:
    held: int  # exercises this quarter
    open: int
    overdue: int
    closed_this_quarter: int
    scenarios: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recommendation:
    title: str
    text: str
    priority: int  # 1 first


@dataclass
class Evidence:
    """Everything the summary and the recommendations are written from."""

    baseline: str
    challenger: str
    currency: str
    scenarios: list[ScenarioFinding]
    quarter: QuarterFinding | None = None
    crossover: list[CrossoverCell] | None = None
    lean: Lean | None = None
    trend: list[TrendChange] | None = None
    exercises: Exercises | None = None


def verdict(reduction: float | None, interval: list[float] | None, tie: float = 0.0) -> str:
    """Pays, loses, within noise, or the same in every replication."""
    if tie == 1:
        return SAME
    if reduction is None or interval is None or interval[0] <= 0 <= interval[1]:
        return NOISE
    return PAYS if interval[0] > 0 else LOSES


def weakness(scenario: Scenario) -> str:
    """Why a workaround can do little on this scenario, read from the scenario itself."""
    parts = [f"“{words(w.name)}” needs {article(words(w.requires or ''))}, which is missing"
             for w in scenario.workarounds if not scenario.available(w)]
    usable = [w for w in scenario.workarounds if scenario.available(w)]
    others = "other " if parts else ""
    if not usable:
        parts.append(f"no {others}workaround is available")
    elif not any(1 - scenario.severity * (1 - w.coverage) >= scenario.mbco for w in usable):
        parts.append(f"the {others}workarounds serve too little of the demand to reach the "
                     f"MBCO ({scenario.mbco:.0%} of normal service)")
    elif max(w.success for w in usable) < FEW_SUCCEED:
        parts.append(f"no {others}workaround succeeds often enough (the best in "
                     f"{max(w.success for w in usable):.0%} of attempts)")
    return "; ".join(parts) or "the person taken off the fix costs about as much as the " \
        "workaround saves"


def scenario_finding(scenario: Scenario, stats: dict[str, dict[str, Any]], comparison: dict[str, Any],
                     baseline: str, challenger: str) -> ScenarioFinding:
    """The finding for one scenario from ``Results.stats()`` and the paired comparison of the
    challenger's customer-impact minutes against the baseline's."""
    outcomes = {label: _outcome(entry) for label, entry in stats.items()}
    reduction, interval = comparison["reduction"], comparison["reduction_ci95"]
    judged = verdict(reduction, interval, comparison["tie_share"] or 0.0)
    small = judged != PAYS or (reduction is not None and reduction < SMALL_GAIN)
    return ScenarioFinding(
        name=scenario.name, title=scenario.title, outcomes=outcomes, reduction=reduction,
        reduction_ci=interval, win=comparison["win_share"] or 0.0,
        tie=comparison["tie_share"] or 0.0, loss=comparison["loss_share"] or 0.0, verdict=judged,
        reason=weakness(scenario) if small else "", rto_minutes=scenario.rto_minutes,
        mtpd_minutes=scenario.mtpd_minutes,
        missing=tuple((w.name, w.requires) for w in scenario.workarounds
                      if not scenario.available(w) and w.requires),
        workarounds=tuple(w.name for w in scenario.workarounds))


def _outcome(entry: dict[str, Any]) -> Outcome:
    cim, cost = entry["customer_impact_minutes"], entry.get("cost")
    return Outcome(cim["mean"], cim["mean_ci95"], cim["median"], cim["p90"],
                   entry.get("rto_met_share"), entry.get("rto_met_share_ci95"),
                   entry.get("mtpd_breached_share"), entry.get("mtpd_breached_share_ci95"),
                   cost["mean"] if cost else None, cost["mean_ci95"] if cost else None)


def pooled(findings: list[ScenarioFinding]) -> tuple[float, list[float]] | None:
    """The reduction averaged over scenarios, each counted once, with a 95% interval from each
    scenario's own (independent runs). Minutes of different outages are different units, so
    they are never added up; their reductions are shares and can be averaged."""
    usable = [f for f in findings if f.reduction is not None and f.reduction_ci is not None]
    if not usable:
        return None
    mean = sum(f.reduction for f in usable) / len(usable)
    variance = sum(((f.reduction_ci[1] - f.reduction_ci[0]) / (2 * 1.959964)) ** 2
                   for f in usable) / len(usable) ** 2
    half = 1.959964 * math.sqrt(variance)
    return mean, [mean - half, mean + half]


def average(findings: list[ScenarioFinding], strategy: str, what: str) -> float | None:
    """The mean over scenarios of a share (``rto`` or ``mtpd``) under one strategy."""
    values = [getattr(f.outcomes[strategy], what) for f in findings]
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def total_cost(findings: list[ScenarioFinding], strategy: str) -> tuple[float, int] | None:
    """The cost if each costed scenario struck once, and how many scenarios that covers."""
    costs = [f.outcomes[strategy].cost for f in findings if f.outcomes[strategy].cost is not None]
    return (sum(costs), len(costs)) if costs else None


# -- The executive summary ----------------------------------------------------------------
@dataclass(frozen=True)
class Tile:
    """A key number for the summary's first glance."""

    label: str
    value: str
    note: str


def tiles(evidence: Evidence) -> list[Tile]:
    """Up to five key numbers, each the baseline's → the challenger's unless it says otherwise."""
    e, found = evidence, evidence.scenarios
    out = []
    if found:
        average_cut = pooled(found)
        if average_cut is not None:
            r, ci = average_cut
            out.append(Tile("Customer-impact minutes", cut(r),
                            f"average over {len(found)} scenarios (95% CI {interval(ci)})"))
        rto = [average(found, s, "rto") for s in (e.baseline, e.challenger)]
        if None not in rto:
            out.append(Tile("RTO met", f"{pct(rto[0])}\u00a0→ {pct(rto[1])}",
                            "average share of outages resumed within the RTO"))
        mtpd = [average(found, s, "mtpd") for s in (e.baseline, e.challenger)]
        if None not in mtpd:
            out.append(Tile("MTPD breached", f"{pct(mtpd[0], 1)}\u00a0→ {pct(mtpd[1], 1)}",
                            "average share of outages beyond the MTPD"))
        costs = [total_cost(found, s) for s in (e.baseline, e.challenger)]
        if None not in costs:
            out.append(Tile("Outage cost", f"{money(costs[0][0])}\u00a0→ {money(costs[1][0])}",
                            f"{e.currency + ', ' if e.currency else ''}if each of the "
                            f"{costs[0][1]} costed outages struck once"))
    if e.exercises is not None:
        x = e.exercises
        out.append(Tile("Corrective actions", f"{x.open} open",
                        f"{x.overdue} overdue; {x.held} exercise{'s' * (x.held != 1)} this quarter"))
    return out


def summary(evidence: Evidence) -> list[str]:
    """The executive summary: short paragraphs in plain words, each from the numbers."""
    e, found = evidence, evidence.scenarios
    out = []
    if found:
        out.append(_overall(e))
        out += _exceptions(e)
        out.append(_targets(e))
    if e.quarter is not None:
        out.append(_quarter(e))
    if e.crossover:
        out.append(crossover_text(e.crossover, e.challenger))
    if e.lean is not None:
        out.append(lean_text(e.lean))
    if e.trend is not None:
        out.append(trend_text(e.trend))
    if e.exercises is not None:
        out.append(_exercises(e.exercises))
    return [line for line in out if line]


def _overall(e: Evidence) -> str:
    found = e.scenarios
    by = _by_verdict(found)
    average_cut = pooled(found)
    n = len(found)
    scenarios = f"{n} scenario{'s' * (n != 1)}"
    if average_cut is None:
        return f"Across {scenarios}, the strategies could not be compared."
    r, ci = average_cut
    text = (f"Across {scenarios}, {e.challenger} {'cut' if r >= 0 else 'raised'} "
            f"customer-impact minutes by {pct(abs(r))} on average against {e.baseline} (95% CI "
            f"{interval(ci if r >= 0 else [-ci[1], -ci[0]])}, each scenario counted once).")
    paying = by[PAYS]
    text += (" It paid in every one of them." if len(paying) == n else
             f" It paid in {len(paying)} of the {n}." if paying else " It paid in none of them.")
    if paying:
        best = max(paying, key=lambda f: f.reduction)
        text += (f" The gain was largest for {quoted(best.title)}: {pct(best.reduction)} "
                 f"(95% CI {interval(best.reduction_ci)}).")
    return text


def _exceptions(e: Evidence) -> list[str]:
    """Where the evidence points the other way, or is weak, with the scenario's own reason."""
    out = []
    by = _by_verdict(e.scenarios)
    for f in by[LOSES]:
        out.append(f"It did not pay for {quoted(f.title)}, where {f.reason}: customer-impact "
                   f"minutes rose by {pct(-f.reduction)} (95% CI "
                   f"{interval([-f.reduction_ci[1], -f.reduction_ci[0]])}).")
    for f in by[NOISE]:
        out.append(f"For {quoted(f.title)} the evidence does not separate the two procedures "
                   f"(cut {pct(f.reduction)}, 95% CI {interval(f.reduction_ci)}): {f.reason}.")
    for f in by[SAME]:
        out.append(f"For {quoted(f.title)} both procedures do exactly the same: {f.reason}.")
    for f in sorted((f for f in by[PAYS] if f.reduction < SMALL_GAIN), key=lambda f: f.reduction):
        out.append(f"The gain was small for {quoted(f.title)}: {pct(f.reduction)} (95% CI "
                   f"{interval(f.reduction_ci)}), because {f.reason}.")
    for f in e.scenarios:
        a, b = f.outcomes[e.baseline], f.outcomes[e.challenger]
        later = _clearly_below(b.rto, b.rto_ci, a.rto, a.rto_ci)
        longer = _clearly_below(a.mtpd, a.mtpd_ci, b.mtpd, b.mtpd_ci)
        if later or longer:
            worse = [f"RTO met in {pct(a.rto)}\u00a0→ {pct(b.rto)} of outages"] if later else []
            worse += [f"MTPD breached in {pct(a.mtpd, 1)}\u00a0→ {pct(b.mtpd, 1)}"] if longer else []
            out.append(f"On {quoted(f.title)}, {e.challenger} resumed service later than "
                       f"{e.baseline} ({'; '.join(worse)}): the person taken off the fix "
                       "delays it more than the workaround brings service back to the MBCO.")
    return out


def _clearly_below(x: float | None, x_ci: list[float] | None, y: float | None,
                   y_ci: list[float] | None) -> bool:
    """Whether share x lies below share y with their 95% intervals apart."""
    return None not in (x, y) and bool(x_ci) and bool(y_ci) and x_ci[1] < y_ci[0]


def _targets(e: Evidence) -> str:
    found = e.scenarios
    counts = []
    for label in (e.baseline, e.challenger):
        with_rto = [f for f in found if f.outcomes[label].rto is not None]
        if with_rto:
            met = sum(f.outcomes[label].rto >= RTO_LOW for f in with_rto)
            counts.append(f"with {label}, {met} of {len(with_rto)} scenarios")
    text = ""
    if counts:
        text = (f"RTO attainment: {counts[0]} meet their RTO in at least half of outages"
                + (f"; {counts[1]}." if len(counts) > 1 else "."))
    breaches = [(f, f.outcomes[e.challenger].mtpd) for f in found
                if f.outcomes[e.challenger].mtpd is not None]
    worst = max(breaches, key=lambda x: x[1], default=None)
    if worst is not None and worst[1] > 0:
        text += (f" The MTPD is most at risk for {quoted(worst[0].title)}: breached in "
                 f"{pct(worst[1], 1)} of outages even with {e.challenger}.")
    elif worst is not None:
        text += f" With {e.challenger} no simulated outage breached its MTPD."
    return text.strip()


def _quarter(e: Evidence) -> str:
    q = e.quarter
    assert q is not None
    where = f"In a simulated quarter of {quoted(q.title)}, with {q.team} people on the team"
    if q.reduction is None:
        return f"{where}, the strategies could not be compared."
    if q.verdict == PAYS:
        text = (f"{where}, {e.challenger} cut {q.metric} by {pct(q.reduction)} (95% CI "
                f"{interval(q.reduction_ci)})")
    elif q.verdict == LOSES:
        text = (f"{where}, {e.challenger} raised {q.metric} by {pct(-q.reduction)}: with "
                "incidents competing for the same people, the second person costs more than the "
                "workaround saves")
    else:
        text = (f"{where}, the two procedures are within noise on {q.metric} (95% CI "
                f"{interval(q.reduction_ci)})")
    waited = q.waited.get(e.challenger)
    if waited is not None:
        text += f"; {pct(waited)} of incidents waited for a free responder"
    text += "."
    squeezed = [(name, alone, inq) for name, (alone, inq) in q.contention.items()
                if alone - inq >= 0.05]
    if squeezed:
        name, alone, inq = max(squeezed, key=lambda x: x[1] - x[2])
        text += (f" Staff contention costs most on {name}: its gain falls from {pct(alone)} as a "
                 f"single outage to {pct(inq)} in the quarter.")
    return text


def crossover_text(cells: list[CrossoverCell], challenger: str) -> str:
    """Where continuity-first stops paying, by team size and incident load."""
    loads = sorted({c.load for c in cells})
    teams = sorted({c.team for c in cells})
    parts = []
    same = sorted({c.team for c in cells if c.verdict == SAME})
    if same:
        people = " or ".join(str(t) for t in same)
        parts.append(f"with {people} {'person' if same == [1] else 'people'} both procedures are "
                     "the same: there is nobody to spare for a workaround")
    for team in teams:
        bad = sorted((c for c in cells if c.team == team and c.verdict in (NOISE, LOSES)),
                     key=lambda c: c.load)
        if bad:
            worse = " and loses" if any(c.verdict == LOSES for c in bad) else ""
            parts.append(f"with {team} people it stops paying{worse} from {times(bad[0].load)} "
                         "today's incident rate")
    paying = [c for c in cells if c.verdict == PAYS]
    if not paying:
        return f"{challenger} paid in none of the combinations tried: " + "; ".join(parts) + "."
    rest = (f"{challenger} paid in {'every' if not parts else 'every other'} combination tried "
            f"(teams of {teams[0]} to {teams[-1]} people at {times(loads[0])} to "
            f"{times(loads[-1])} today's incident rate)")
    return rest + ("; " + "; ".join(parts) if parts else "") + "."


def lean_text(lean: Lean) -> str:
    """Which assumption moves the saving most, and whether the conclusion survives its range."""
    if lean.at_low is None or lean.at_high is None:
        return f"On {lean.scenario}, the conclusion leans most on {lean.assumption}."
    savings = sorted((-lean.at_low, -lean.at_high))
    ends = (lean.at_low_ci, lean.at_high_ci)
    if all(ci is not None and ci[1] < 0 for ci in ends):
        holds = "it still pays at both ends"
    elif any(ci is not None and ci[0] > 0 for ci in ends):
        holds = "at one end it does worse than the baseline"
    else:
        holds = "at one end its gain is within noise"
    base = f" ({num(-lean.base)} as written)" if lean.base is not None else ""
    return (f"On {lean.scenario}, the conclusion leans most on {lean.assumption}: from "
            f"{value(lean.low)} to {value(lean.high)} of it, {lean.challenger} saves "
            f"{num(savings[0])} to {num(savings[1])} customer-impact minutes per outage{base}, "
            f"and {holds}.")


def trend_text(changes: list[TrendChange]) -> str:
    if not changes:
        return ("No earlier quarter in the results store covers these scenarios: this report is "
                "the first point of the trend.")
    moved = [c for c in changes if c.verdict in ("better", "worse")]
    quiet = [c for c in changes if c.verdict not in ("better", "worse")]
    parts = [f"{c.name} {c.verdict} ({num(c.mean_before)} → {num(c.mean_now)} minutes since "
             f"{c.before}{', the scenario changed' if c.scenario_changed else ''})" for c in moved]
    text = "Against earlier quarters: " + ("; ".join(parts) + "." if parts else
                                          "no scenario changed beyond noise.")
    if moved and quiet:
        text += (f" The other {len(quiet)} scenario{'s' * (len(quiet) != 1)} changed within "
                 "noise.")
    return text


def _exercises(x: Exercises) -> str:
    if x.held == 0:
        text = "No exercise was held this quarter."
    else:
        text = (f"{x.held} exercise{'s were' if x.held != 1 else ' was'} held this quarter "
                f"({', '.join(x.scenarios)}).")
    text += (f" The improvement plan has {x.open} open action{'s' * (x.open != 1)}, "
             f"{x.overdue} of them overdue; {x.closed_this_quarter} closed this quarter.")
    return text


# -- Recommendations ----------------------------------------------------------------------
def recommendations(evidence: Evidence) -> list[Recommendation]:
    """What to do next, each from a finding; the most urgent first."""
    e = evidence
    out: list[Recommendation] = []
    by = _by_verdict(e.scenarios)
    paying = sorted(by[PAYS], key=lambda f: -f.reduction)
    if paying:
        names = ", ".join(f"{f.name} ({pct(f.reduction)})" for f in paying[:3])
        more = f" and {len(paying) - 3} more" if len(paying) > 3 else ""
        out.append(Recommendation(
            f"Make {e.challenger} the standard procedure where it pays",
            f"Write it into the incident procedures of {names}{more}: on "
            f"{'this outage the gain is' if len(paying) == 1 else 'these outages the gains are'} "
            "clear of noise.", 2))
    for f in by[LOSES]:
        out.append(Recommendation(
            f"Keep everyone on the fix for {f.name}",
            f"{e.challenger} raised customer-impact minutes by {pct(-f.reduction)} there "
            f"(95% CI {interval([-f.reduction_ci[1], -f.reduction_ci[0]])}) because {f.reason}.",
            1))
    for f in by[NOISE]:
        out.append(Recommendation(
            f"Settle the evidence for {f.name}",
            f"The two procedures cannot be told apart (cut {pct(f.reduction)}, 95% CI "
            f"{interval(f.reduction_ci)}): {f.reason}. Exercise the workaround to learn its real "
            "success rate before changing the procedure.", 3))
    out += _capabilities(e) + _targets_missed(e) + _contention(e)
    if e.lean is not None:
        out.append(Recommendation(
            f"Pin down {e.lean.assumption}",
            lean_text(e.lean) + " Measure it in the next exercise or from incident records.", 3))
    worse = [c for c in e.trend or () if c.verdict == "worse"]
    if worse:
        out.append(Recommendation(
            "Find out what got worse since last quarter",
            "Mean customer-impact minutes rose beyond noise on " + "; ".join(
                f"{c.name} ({num(c.mean_before)} in {c.before}, {num(c.mean_now)} now)"
                for c in worse) + ".", 2))
    out += _plan(e)
    return sorted(out, key=lambda r: r.priority)


def _capabilities(e: Evidence) -> list[Recommendation]:
    """A missing capability, with its price where the report holds a scenario that has it (the
    same workarounds, the capability present)."""
    lacking: dict[str, list[str]] = {}
    for f in e.scenarios:
        for workaround, capability in f.missing:
            twin = next((g for g in e.scenarios if g is not f and g.workarounds == f.workarounds
                         and (workaround, capability) not in g.missing and g.reduction is not None),
                        None)
            text = f"on {f.name}, “{words(workaround)}” cannot be used"
            if twin is not None and f.reduction is not None:
                text += (f", and {e.challenger} cuts customer-impact minutes by "
                         f"{pct(f.reduction)} against {pct(twin.reduction)} on {twin.name}, "
                         "which has one")
            lacking.setdefault(capability, []).append(text)
    return [Recommendation(f"Weigh the case for {article(words(capability))}",
                           f"Without {article(words(capability))}, " + "; ".join(texts) + ".", 2)
            for capability, texts in lacking.items()]


def _targets_missed(e: Evidence) -> list[Recommendation]:
    """Scenarios whose RTO is rarely met, or whose MTPD is often breached, with the procedure
    the report recommends for them."""
    rto, mtpd = [], []
    for f in e.scenarios:
        outcome = f.outcomes[_best(f, e)]
        if outcome.rto is not None and outcome.rto < RTO_LOW and f.rto_minutes is not None:
            rto.append(f"{f.name} (RTO {num(f.rto_minutes)} min, met in {pct(outcome.rto)})")
        if outcome.mtpd is not None and outcome.mtpd > MTPD_HIGH and f.mtpd_minutes is not None:
            mtpd.append(f"{f.name} ({pct(outcome.mtpd, 1)} over {num(f.mtpd_minutes)} min)")
    out = []
    if mtpd:
        out.append(Recommendation(
            "Reduce the risk of breaching the MTPD",
            f"Even with the better procedure, more than {pct(MTPD_HIGH)} of outages last beyond "
            "the maximum tolerable period of disruption on " + "; ".join(mtpd) + ". These need a "
            "faster route to resumption: a tested workaround, or a capability that enables one.",
            1))
    if rto:
        out.append(Recommendation(
            "Revisit the RTOs that are rarely met",
            "Even with the better procedure the RTO is met in fewer than half of outages on "
            + "; ".join(rto) + ". Either the business impact analysis sets targets this team "
            "cannot reach, or the workarounds must start sooner.", 2))
    return out


def _contention(e: Evidence) -> list[Recommendation]:
    out = []
    q = e.quarter
    if q is not None:
        waited = q.waited.get(e.challenger)
        if waited is not None and waited > WAIT_HIGH:
            out.append(Recommendation(
                "Add cover for concurrent incidents",
                f"In the quarter {pct(waited)} of incidents waited for a free responder with "
                f"{q.team} people: page in extra help sooner, or send the second person to a "
                "workaround only when someone is free.", 2))
        if q.verdict == LOSES:
            out.append(Recommendation(
                "Make continuity-first depend on load",
                f"Across the whole quarter {e.challenger} raised {q.metric}: only send a second "
                "person to a workaround when no other incident is waiting.", 1))
    if any(c.verdict in (NOISE, LOSES) for c in e.crossover or ()):
        out.append(Recommendation(
            "Set the staffing rule where continuity-first stops paying",
            crossover_text(e.crossover, e.challenger) + " Write that threshold into the on-call "
            "procedure.", 2))
    return out


def _plan(e: Evidence) -> list[Recommendation]:
    x = e.exercises
    if x is None:
        return []
    out = []
    if x.overdue:
        out.append(Recommendation(
            "Close the overdue corrective actions",
            f"{x.overdue} improvement-plan action{'s are' if x.overdue != 1 else ' is'} past "
            "due: the management review should reassign or re-date them.", 1))
    if x.held == 0 and e.scenarios:
        worst = min(e.scenarios, key=lambda f: _first(f.outcomes[_best(f, e)].rto, 1.0))
        out.append(Recommendation(
            "Hold a tabletop exercise next quarter",
            f"No exercise was held this quarter. Start with {worst.name}, whose RTO is met least "
            f"often ({pct(_first(worst.outcomes[_best(worst, e)].rto, 0.0))} of outages).", 2))
    return out


def _best(f: ScenarioFinding, e: Evidence) -> str:
    """The procedure the report recommends for this scenario."""
    return e.challenger if f.verdict == PAYS else e.baseline


def _by_verdict(findings: list[ScenarioFinding]) -> dict[str, list[ScenarioFinding]]:
    out: dict[str, list[ScenarioFinding]] = {PAYS: [], NOISE: [], LOSES: [], SAME: []}
    for f in findings:
        out[f.verdict].append(f)
    return out


def _first(value: float | None, default: float) -> float:
    return default if value is None else value
