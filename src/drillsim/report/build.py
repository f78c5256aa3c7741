"""Build a quarterly report as data: run (or reuse) what the recipe needs, then compute every
section — tables with their numbers for CSV and their words for the page, figures saved as files.

Nothing here writes HTML; ``render.py`` does. The sections follow ISO 22301 / NIST SP 800-34
vocabulary: RTO attainment, MTPD breaches, exercises and their improvement plan.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import __version__
from ..portfolio import Portfolio
from ..results import HEADLINE, QuarterResults, Results
from ..scenario import Scenario, ScenarioError
from ..store import Store, environment
from . import figures, whatif
from .appendix import Appendix, appendices
from .findings import (
    SAME,
    Evidence,
    Exercises,
    QuarterFinding,
    Recommendation,
    ScenarioFinding,
    Tile,
    TrendChange,
    lean_text,
    recommendations,
    scenario_finding,
    summary,
    tiles,
    trend_text,
    verdict,
)
from .numbers import interval, money, num, num_interval, pct, value
from .recipe import Period, Recipe
from .runs import Point, Progress, Source, history, point

# The improvement-plan source a drill writes into the store (cli/drill.py): "drill NAME DATE (…)".
DRILL_SOURCE = re.compile(r"^drill (?P<scenario>\S+) (?P<date>\d{4}-\d{2}-\d{2})\b")
Z95 = 1.959964
ARROW = "\u00a0→\u00a0"  # baseline → challenger, kept on one line


@dataclass
class Table:
    """A table: its numbers (written as CSV) and its cells in words (shown on the page)."""

    name: str
    caption: str
    headers: list[str]
    rows: list[list[str]]
    frame: pd.DataFrame
    first_numeric: int = 1  # columns from this one on are numbers, right-aligned


@dataclass
class ScenarioSection:
    scenario: Scenario
    finding: ScenarioFinding
    headline: list[str]
    table: Table
    pictures: list[figures.Picture]
    run_id: int | None
    reused: bool


@dataclass
class QuarterSection:
    portfolio: Portfolio
    finding: QuarterFinding
    headline: list[str]
    tables: list[Table]
    pictures: list[figures.Picture]
    run_id: int | None
    reused: bool
    crossover: str = ""  # the crossover in words ("" without drillsim.compare)
    crossover_table: Table | None = None


@dataclass
class Section:
    """A section told in sentences, a table and a figure (sensitivity, trend, exercises)."""

    text: list[str]
    tables: list[Table] = field(default_factory=list)
    pictures: list[figures.Picture] = field(default_factory=list)


@dataclass
class Report:
    recipe: Recipe
    period: Period
    generated: dt.date
    version: str
    tiles: list[Tile]
    summary: list[str]
    recommendations: list[Recommendation]
    overview: figures.Picture | None
    overview_table: Table | None
    scenarios: list[ScenarioSection]
    quarter: QuarterSection | None
    sensitivity: Section | None
    trend: Section | None
    exercises: Section | None
    method: list[tuple[str, str]]
    appendix: list[Appendix]
    notes: list[str] = field(default_factory=list)  # what the report could not include, and why

    @property
    def tables(self) -> list[Table]:
        out = [t for t in (self.overview_table,) if t is not None]
        out += [s.table for s in self.scenarios]
        if self.quarter is not None:
            out += self.quarter.tables + ([self.quarter.crossover_table]
                                          if self.quarter.crossover_table is not None else [])
        for section in (self.sensitivity, self.trend, self.exercises):
            out += section.tables if section is not None else []
        return out


def build(recipe: Recipe, folder: Path, store: Store | None, *, workers: int = 1,
          progress: Progress | None = None, command: str = "",
          today: dt.date | None = None, say: Callable[[str], None] = lambda _: None) -> Report:
    """Run or reuse what ``recipe`` needs and compute the report; figures go to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    period = Period.of(recipe.quarter)
    today = today or dt.date.today()
    baseline, challenger = recipe.compared, recipe.challenger
    palette = figures.colours(list(recipe.strategies))
    source = Source(store, recipe.quarter, command, baseline, workers, progress)
    scenarios = recipe.scenario_objects() if recipe.scenarios else []
    _check_currency(recipe, scenarios)
    notes: list[str] = []

    sections = [_scenario(source, recipe, s, folder, palette) for s in scenarios]
    findings = [s.finding for s in sections]
    portfolio = recipe.portfolio_object()
    quarter = _quarter(source, recipe, portfolio, findings, folder, palette) if portfolio else None
    cells = None
    if quarter is not None:
        if whatif.available():
            say("Sweeping team size × incident load")
            cells = _crossover(recipe, portfolio, quarter, folder, workers)
        else:
            notes.append("Where continuity-first stops paying (team size × load) needs "
                         "drillsim.compare, which this installation lacks.")
    lean, sensitivity = None, None
    if sections:
        if whatif.available():
            say("Shaking the assumptions")
            lean, sensitivity = _sensitivity(recipe, sections, folder, workers)
        else:
            notes.append("Which assumption the conclusion leans on needs drillsim.compare, which "
                         "this installation lacks.")
    changes, trend = (_trend(store, recipe, sections, folder) if store is not None and sections
                      else (None, None))
    plan, exercises = (_exercises(store, period, today) if store is not None else (None, None))
    evidence = Evidence(baseline, challenger, recipe.currency, findings,
                        quarter.finding if quarter else None, cells, lean, changes, plan)
    overview = overview_table = None
    if findings:
        overview = figures.save(figures.overview(findings, baseline, challenger), folder,
                                "overview", "The evidence at a glance",
                                f"Cut in mean customer-impact minutes with {challenger} against "
                                f"{baseline}, per scenario, with its 95% confidence interval. "
                                "Teal: a clear gain; grey: within noise; red: a clear loss.")
        overview_table = _overview_table(findings, baseline, challenger, recipe.currency)
    return Report(
        recipe=recipe, period=period, generated=today, version=__version__,
        tiles=tiles(evidence), summary=summary(evidence),
        recommendations=recommendations(evidence), overview=overview,
        overview_table=overview_table, scenarios=sections, quarter=quarter,
        sensitivity=sensitivity, trend=trend, exercises=exercises,
        method=_method(recipe, sections, quarter, store, sensitivity is not None),
        appendix=appendices(scenarios, recipe.currency),
        notes=notes)


def _check_currency(recipe: Recipe, scenarios: list[Scenario]) -> None:
    for s in scenarios:
        if s.currency and recipe.currency and s.currency != recipe.currency:
            raise ScenarioError(f"{s.source}: costs are in {s.currency}, but the recipe reports "
                                f"in {recipe.currency}")


# -- Scenarios ----------------------------------------------------------------------------
def _scenario(source: Source, recipe: Recipe, scenario: Scenario, folder: Path,
              palette: dict[str, str]) -> ScenarioSection:
    got = source.scenario(scenario, recipe.strategies, recipe.replications, recipe.seed)
    results = got.results
    baseline, challenger = recipe.compared, recipe.challenger
    comparison = next(c for c in results.comparisons(baseline, (HEADLINE,))
                      if c["strategy"] == challenger)
    stats = results.stats()
    finding = scenario_finding(scenario, stats, comparison, baseline, challenger)
    pictures = [
        figures.save(figures.impact(results, palette), folder, f"{scenario.name}-impact",
                     "Customer-impact minutes",
                     "Share of outages with at most so many customer-impact minutes, per "
                     "strategy (log scale). Further left is better."),
        figures.save(figures.milestones(results, palette), folder, f"{scenario.name}-recovery",
                     "Time to mitigate, resume and restore",
                     "Minutes from onset until service first improves (mitigated), reaches the "
                     "MBCO (resumed) and is fixed (restored), against the RTO and MTPD."),
    ]
    return ScenarioSection(scenario, finding, results.headline(baseline),
                           _scenario_table(scenario, results, stats, recipe.currency), pictures,
                           got.run_id, got.reused)


def _scenario_table(scenario: Scenario, results: Results, stats: dict, currency: str) -> Table:
    costed = scenario.cost_per_minute is not None
    records, rows = [], []
    for label, entry in stats.items():
        cim = entry["customer_impact_minutes"]
        record = {"scenario": scenario.name, "strategy": label, "cim_mean": cim["mean"],
                  "cim_mean_low": _at(cim["mean_ci95"], 0), "cim_mean_high": _at(cim["mean_ci95"], 1),
                  "cim_median": cim["median"], "cim_p90": cim["p90"],
                  "time_to_mitigate_median": entry["time_to_mitigate"]["median"],
                  "time_to_restore_median": entry["time_to_restore"]["median"],
                  "rto_met": entry.get("rto_met_share"),
                  "mtpd_breached": entry.get("mtpd_breached_share"),
                  "cost_mean": entry["cost"]["mean"] if costed else None}
        records.append(record)
        row = [label, f"{num(cim['mean'])} ({num_interval(cim['mean_ci95'])})", num(cim["median"]),
               num(cim["p90"]), num(record["time_to_mitigate_median"]),
               num(record["time_to_restore_median"]),
               _share(entry.get("rto_met_share"), entry.get("rto_met_share_ci95")),
               _share(entry.get("mtpd_breached_share"), entry.get("mtpd_breached_share_ci95"), 1)]
        if costed:
            row.append(money(entry["cost"]["mean"]))
        rows.append(row)
    headers = ["strategy", "mean CIM (95% CI)", "median", "p90", "mitigated", "restored",
               "RTO met (95% CI)", "MTPD breached"]
    if costed:
        headers.append(f"mean cost {currency}".strip())
    return Table(f"scenario-{scenario.name}",
                 "Outcomes per strategy: customer-impact minutes (CIM), median minutes from onset "
                 "to mitigation and to the fix, and the continuity targets",
                 headers, rows, pd.DataFrame.from_records(records))


def _overview_table(findings: list[ScenarioFinding], baseline: str, challenger: str,
                    currency: str) -> Table:
    records, rows = [], []
    for f in sorted(findings, key=lambda f: -(f.reduction or -1)):
        a, b = f.outcomes[baseline], f.outcomes[challenger]
        records.append({"scenario": f.name, "reduction": f.reduction,
                        "reduction_low": _at(f.reduction_ci, 0),
                        "reduction_high": _at(f.reduction_ci, 1), "verdict": f.verdict,
                        "better_share": f.win, "worse_share": f.loss,
                        f"rto_met_{baseline}": a.rto, f"rto_met_{challenger}": b.rto,
                        f"mtpd_breached_{baseline}": a.mtpd, f"mtpd_breached_{challenger}": b.mtpd,
                        f"cost_{baseline}": a.cost, f"cost_{challenger}": b.cost})
        rows.append([f.name, f"{pct(f.reduction)} ({interval(f.reduction_ci)})", f.verdict,
                     f"{pct(a.rto)}{ARROW}{pct(b.rto)}", f"{pct(a.mtpd, 1)}{ARROW}{pct(b.mtpd, 1)}",
                     f"{money(a.cost)}{ARROW}{money(b.cost)}" if a.cost is not None else "—"])
    return Table("scenarios", f"Every scenario: {challenger} against {baseline}",
                 ["scenario", "cut in mean CIM (95% CI)", "verdict", "RTO met", "MTPD breached",
                  f"mean cost {currency}".strip()], rows, pd.DataFrame.from_records(records))


# -- The quarter --------------------------------------------------------------------------
def _quarter(source: Source, recipe: Recipe, portfolio: Portfolio,
             findings: list[ScenarioFinding], folder: Path,
             palette: dict[str, str]) -> QuarterSection:
    got = source.portfolio(portfolio, recipe.strategies, recipe.quarter_replications, recipe.seed)
    results: QuarterResults = got.results
    baseline, challenger = recipe.compared, recipe.challenger
    stats = results.stats()
    head = results.headline_metric
    compared = {(c["strategy"], c["metric"]): c for c in results.comparisons(baseline)}
    main = compared[(challenger, head)]
    alone = {f.name: f.reduction for f in findings if f.reduction is not None}
    names = dict(zip(results.systems, [s.name for s in portfolio.scenarios()], strict=True))
    contention = {system: (alone[names[system]], compared[(challenger, f"cim:{system}")]["reduction"])
                  for system in results.systems
                  if names[system] in alone
                  and compared[(challenger, f"cim:{system}")]["reduction"] is not None}
    finding = QuarterFinding(
        title=portfolio.title, team=len(portfolio.team.names), metric=results.label(head),
        reduction=main["reduction"], reduction_ci=main["reduction_ci95"],
        verdict=verdict(main["reduction"], main["reduction_ci95"], main["tie_share"] or 0.0),
        waited={s: e.get("waited_share") for s, e in stats.items()},
        utilisation={s: e["utilisation"]["mean"] for s, e in stats.items()},
        overtime={s: e["overtime_hours"]["mean"] for s, e in stats.items()},
        contention=contention)
    picture = figures.save(figures.quarter_distribution(results, palette), folder, "quarter",
                           f"{results.label(head).capitalize()}",
                           f"Share of simulated quarters with at most so much "
                           f"{results.label(head)}, per strategy.")
    return QuarterSection(portfolio, finding, results.headline(baseline),
                          _quarter_tables(results, stats, compared, baseline, challenger, contention,
                                          recipe.currency),
                          [picture], got.run_id, got.reused)


def _quarter_tables(results: QuarterResults, stats: dict, compared: dict, baseline: str,
                    challenger: str, contention: dict, currency: str) -> list[Table]:
    head = results.headline_metric
    amount = money if head == "cost" else num
    records, rows, load = [], [], []
    for label, e in stats.items():
        d = e[head]
        record = {"strategy": label, f"{head}_mean": d["mean"], f"{head}_low": _at(d["mean_ci95"], 0),
                  f"{head}_high": _at(d["mean_ci95"], 1), "incidents": e["incidents"]["mean"],
                  "rto_met": e["rto_met_share"], "mtpd_breaches": e["mtpd_breaches"]["mean"],
                  "waited": e["waited_share"], "waiting_minutes": e["waiting_minutes"]["mean"],
                  "staff_hours": e["staff_hours"]["mean"], "utilisation": e["utilisation"]["mean"],
                  "after_hours_hours": e["after_hours_hours"]["mean"],
                  "overtime_hours": e["overtime_hours"]["mean"]}
        records.append(record)
        ci = d["mean_ci95"]
        rows.append([label, f"{amount(d['mean'])} ({amount(_at(ci, 0))}–{amount(_at(ci, 1))})",
                     num(record["incidents"], 1), _share(e["rto_met_share"], e["rto_met_share_ci95"]),
                     num(record["mtpd_breaches"], 2), pct(e["waited_share"]),
                     num(record["waiting_minutes"])])
        load.append([label, num(record["staff_hours"]), pct(record["utilisation"], 1),
                     num(record["after_hours_hours"]), num(record["overtime_hours"])])
    unit = f" {currency}" if head == "cost" and currency else ""
    frame = pd.DataFrame.from_records(records)
    totals = Table("quarter", "Per quarter: outcomes, continuity targets and waiting",
                   ["strategy", f"{results.label(head)}{unit} (95% CI)", "incidents",
                    "RTO met (95% CI)", "MTPD breaches", "incidents that waited",
                    "minutes waited"], rows, frame)
    staff = Table("quarter-staff", "Per quarter: the team's hours on incidents",
                  ["strategy", "staff hours", "utilisation", "after hours", "overtime"], load,
                  frame[["strategy", "staff_hours", "utilisation", "after_hours_hours",
                         "overtime_hours"]])
    records, rows = [], []
    for system in results.systems:
        c = compared[(challenger, f"cim:{system}")]
        means = {s: stats[s][f"cim:{system}"]["mean"] for s in (baseline, challenger)}
        records.append({"system": system, f"cim_{baseline}": means[baseline],
                        f"cim_{challenger}": means[challenger], "reduction": c["reduction"],
                        "reduction_low": _at(c["reduction_ci95"], 0),
                        "reduction_high": _at(c["reduction_ci95"], 1),
                        "reduction_single_outage": contention.get(system, (None,))[0]})
        rows.append([system, num(means[baseline]), num(means[challenger]),
                     f"{pct(c['reduction'])} ({interval(c['reduction_ci95'])})",
                     pct(contention[system][0]) if system in contention else "—"])
    systems = Table("quarter-systems", "Customer-impact minutes per system and quarter",
                    ["system", baseline, challenger, "cut in the quarter (95% CI)",
                     "cut as a single outage"], rows, pd.DataFrame.from_records(records))
    return [totals, staff, systems]


def _crossover(recipe: Recipe, portfolio: Portfolio, quarter: QuarterSection, folder: Path,
               workers: int) -> list:
    from .findings import crossover_text

    sizes = recipe.team_sizes or (len(portfolio.team.names),)
    loads = recipe.loads or (1.0, 2.0, 4.0)
    cells, frame = whatif.crossover(portfolio, recipe.compared, recipe.challenger, sizes, loads,
                                    recipe.quarter_replications, recipe.seed, workers)
    quarter.crossover = crossover_text(cells, recipe.challenger)
    quarter.pictures.append(figures.save(
        figures.crossover(cells, recipe.challenger), folder, "crossover",
        "Where continuity-first stops paying",
        f"Cut in {quarter.finding.metric} with {recipe.challenger} against {recipe.compared}, by "
        "team size and incident load; hatched where the difference is within noise."))
    loads = sorted({c.load for c in cells})
    grid = {(c.team, c.load): c for c in cells}
    quarter.crossover_table = Table(
        "crossover", f"Cut with {recipe.challenger} (95% CI) by people on the team and incident "
        "load", ["people", *(f"{load:g}× load" for load in loads)],
        [[str(team), *(_crossed(grid[team, load]) for load in loads)]
         for team in sorted({c.team for c in cells})], frame)
    return cells


def _crossed(cell) -> str:
    if cell.verdict == SAME:
        return "same"
    return f"{pct(cell.reduction)} ({interval(cell.reduction_ci)})"


# -- Sensitivity --------------------------------------------------------------------------
def _sensitivity(recipe: Recipe, sections: list[ScenarioSection], folder: Path, workers: int):
    settings = recipe.sensitivity
    wanted = settings.scenarios or (_costliest(sections, recipe.compared),)
    by_name = {s.scenario.name: s.scenario for s in sections}
    missing = [name for name in wanted if name not in by_name]
    if missing:
        raise ScenarioError(f"{recipe.source}: sensitivity.scenarios: {missing[0]} is not among "
                            "the report's scenarios")
    text, tables, pictures, leans = [], [], [], []
    for name in wanted:
        lean, frame = whatif.lean(by_name[name], recipe.compared, recipe.challenger,
                                  settings.spread, settings.replications, recipe.seed, workers)
        leans.append(lean)
        text.append(lean_text(lean))
        figure = figures.new(0.9 + 0.3 * len(frame))
        whatif.tornado(frame, figure.subplots())
        pictures.append(figures.save(figure, folder, f"sensitivity-{name}",
                                     f"What the conclusion leans on: {name}",
                                     f"Difference in mean customer-impact minutes, "
                                     f"{recipe.challenger} minus {recipe.compared} (below zero: "
                                     f"{recipe.challenger} better), when each assumption moves to "
                                     "its low and its high value; largest swing on top."))
        rows = [[whatif.assumption(r.field), value(str(r.low)), value(str(r.high)),
                 f"{num(r.difference_low)} ({num_interval(r.difference_low_ci95)})",
                 f"{num(r.difference_high)} ({num_interval(r.difference_high_ci95)})", num(r.swing)]
                for r in frame.itertuples()]
        tables.append(Table(f"sensitivity-{name}",
                            f"{name}: difference in mean CIM ({recipe.challenger} − "
                            f"{recipe.compared}) as each assumption moves",
                            ["assumption", "low", "high", "difference at low (95% CI)",
                             "difference at high (95% CI)", "swing"], rows, frame, first_numeric=1))
    return max(leans, key=lambda x: abs((x.at_high or 0) - (x.at_low or 0))), \
        Section(text, tables, pictures)


def _costliest(sections: list[ScenarioSection], baseline: str) -> str:
    """The scenario whose outage costs most under the baseline (the first when none is costed)."""
    costed = [s for s in sections if s.finding.outcomes[baseline].cost is not None]
    if not costed:
        return sections[0].scenario.name
    return max(costed, key=lambda s: s.finding.outcomes[baseline].cost).scenario.name


# -- Trend --------------------------------------------------------------------------------
def _trend(store: Store, recipe: Recipe, sections: list[ScenarioSection], folder: Path):
    baseline, challenger = recipe.compared, recipe.challenger
    series: dict[str, list[Point]] = {}
    changes, records, rows = [], [], []
    for s in sections:
        earlier = history(store, s.scenario.name, recipe.quarter, baseline, challenger)
        if not earlier or s.run_id is None:
            continue
        now = point(store, s.run_id, recipe.quarter, baseline, challenger)
        series[s.scenario.name] = [*earlier, now]
        changes.append(_change(s.scenario.name, earlier[-1], now, challenger))
        for p in series[s.scenario.name]:
            mean, se = p.means[challenger]
            records.append({"scenario": s.scenario.name, "quarter": p.quarter, "run": p.run_id,
                            "sha256": p.sha256, "seed": p.seed, "replications": p.replications,
                            f"cim_mean_{challenger}": mean, f"cim_se_{challenger}": se,
                            f"cim_mean_{baseline}": p.means[baseline][0],
                            "reduction": p.reduction, "reduction_low": _at(p.reduction_ci, 0),
                            "reduction_high": _at(p.reduction_ci, 1)})
            rows.append([s.scenario.name, p.quarter, num(p.means[baseline][0]),
                         f"{num(mean)} (± {num(Z95 * se)})",
                         f"{pct(p.reduction)} ({interval(p.reduction_ci)})",
                         (p.sha256 or "")[:8]])
    text = [trend_text(changes)] + [_change_text(c, challenger) for c in changes]
    if not changes:
        return changes, Section(text)
    table = Table("trend", "This quarter against earlier quarters",
                  ["scenario", "quarter", f"mean CIM {baseline}", f"mean CIM {challenger} (95% CI)",
                   "cut (95% CI)", "scenario file"], rows, pd.DataFrame.from_records(records))
    picture = figures.save(figures.trend(series, challenger), folder, "trend",
                           "Customer-impact minutes by quarter",
                           f"Mean customer-impact minutes with {challenger} in each quarter's "
                           "latest run, with 95% confidence intervals.")
    return changes, Section(text, [table], [picture])


def _change(name: str, before: Point, now: Point, challenger: str) -> TrendChange:
    """This quarter against the last earlier one: a Welch interval on the difference of means
    (the runs are independent, or share draws, which only makes the interval conservative)."""
    (m0, se0), (m1, se1) = before.means[challenger], now.means[challenger]
    half = Z95 * (se0**2 + se1**2) ** 0.5
    ci = [m1 - m0 - half, m1 - m0 + half]
    same_run = (before.sha256, before.seed, before.replications) == (now.sha256, now.seed,
                                                                    now.replications)
    if same_run:
        judged = "unchanged"
    elif ci[0] <= 0 <= ci[1]:
        judged = "within noise"
    else:
        judged = "better" if m1 < m0 else "worse"
    return TrendChange(name, before.quarter, m0, m1, ci, judged, before.sha256 != now.sha256)


def _change_text(c: TrendChange, challenger: str) -> str:
    change = f"{c.mean_now - c.mean_before:+,.0f} (95% CI {c.change_ci[0]:+,.0f} to {c.change_ci[1]:+,.0f})"
    what = {"unchanged": "unchanged: the same scenario, seed and replications give the same numbers",
            "within noise": f"a change of {change}, within noise",
            "better": f"down {change}: a real improvement",
            "worse": f"up {change}: a real deterioration"}[c.verdict]
    cause = " The scenario file changed in between." if c.scenario_changed else ""
    return (f"{c.name}: mean customer-impact minutes with {challenger} {num(c.mean_before)} in "
            f"{c.before}, {num(c.mean_now)} now — {what}.{cause}")


# -- Exercises and the improvement plan ---------------------------------------------------
def _exercises(store: Store, period: Period, today: dt.date) -> tuple[Exercises, Section]:
    actions = store.actions()
    as_of = min(today, period.last)
    held: dict[str, tuple[dt.date, str]] = {}
    for text in actions.source.unique():
        found = DRILL_SOURCE.match(text)
        if found and dt.date.fromisoformat(found["date"]) in period:
            held[text] = (dt.date.fromisoformat(found["date"]), found["scenario"])
    due = pd.to_datetime(actions.due).dt.date
    closed = pd.to_datetime(actions.closed_at, utc=True).dt.date
    overdue = (actions.status == "open") & due.notna() & (due < as_of)
    shown = actions[actions.source.isin(held) | (actions.status == "open")]
    status = ["overdue" if overdue[i] else actions.status[i] for i in shown.index]
    plan = Exercises(held=len(held), open=int((actions.status == "open").sum()),
                     overdue=int(overdue.sum()),
                     closed_this_quarter=int(sum(d in period for d in closed.dropna())),
                     scenarios=tuple(f"{s} on {d:%-d %B}" for d, s in sorted(held.values())))
    text = []
    if not held:
        text.append(f"No exercise was held in {period.label}: no drill of this quarter has "
                    "recorded an after-action report in the results store.")
    else:
        text.append(f"{len(held)} exercise{'s' * (len(held) != 1)} held in {period.label}: "
                    + "; ".join(plan.scenarios) + ".")
    frame = shown.assign(status=status)
    if frame.empty:
        text.append("The improvement plan is empty: no open corrective action.")
        return plan, Section(text)
    table = Table("improvement-plan", "Improvement plan: actions from after-action reports",
                  ["id", "action", "from", "owner", "due", "status"],
                  [[str(r.id), r.action, _exercise_name(r.source), r.owner or "—", r.due or "—",
                    r.status] for r in frame.itertuples()], frame, first_numeric=99)
    return plan, Section(text, [table])


def _exercise_name(source: str) -> str:
    found = DRILL_SOURCE.match(source)
    return f"drill {found['scenario']}, {found['date']}" if found else source


# -- Method -------------------------------------------------------------------------------
def _method(recipe: Recipe, sections: list[ScenarioSection], quarter: QuarterSection | None,
            store: Store | None, shaken: bool) -> list[tuple[str, str]]:
    runs = [(s.scenario.name, s.run_id, s.reused) for s in sections]
    if quarter is not None:
        runs.append((quarter.portfolio.name, quarter.run_id, quarter.reused))
    recorded = ", ".join(f"{name} #{run_id}{' (reused)' if reused else ''}"
                         for name, run_id, reused in runs if run_id is not None)
    env = environment()
    rows = [("recipe", recipe.source.name), ("drillsim", __version__), ("seed", str(recipe.seed)),
            ("strategies", ", ".join(recipe.strategies) + f" (baseline {recipe.compared})"),
            ("replications", f"{recipe.replications:,} outages per scenario and strategy"),
            ]
    if quarter is not None:
        rows.append(("quarters", f"{recipe.quarter_replications:,} simulated quarters per strategy "
                                 "(and per cell of team size × load)"))
    if shaken:
        rows.append(("sensitivity", f"each assumption ±{recipe.sensitivity.spread:.0%}, "
                                    f"{recipe.sensitivity.replications:,} replications"))
    rows.append(("environment", f"Python {env['python']}, numpy {env['numpy']}, SimPy {env['simpy']}, "
                                f"pandas {env['pandas']}, SciPy {env['scipy']}"))
    rows.append(("results store", recorded if store is not None and recorded else "not used"))
    return rows


def _share(share: float | None, ci: list[float] | None, digits: int = 0) -> str:
    if share is None:
        return "—"
    return pct(share, digits) + (f" ({interval(ci, digits)})" if ci else "")


def _at(pair: list | None, i: int) -> float | None:
    return None if not pair else pair[i]


