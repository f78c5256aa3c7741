"""``drillsim scenarios list`` and ``show``: the scenario library, in tables people can read."""

from __future__ import annotations

import click
from rich import box
from rich.console import Console
from rich.table import Table

from ..scenario import Scenario, ScenarioError, find_scenario, load_scenario
from ..scenario.library import entries, search_path
from ..scenario.summary import durations, fix_attempt, key_figures, median_p90


@click.group("scenarios")
def scenarios() -> None:
    """The scenario library: list it, or show one scenario in figures.

    Scenarios are named by file or by name; a name is looked up in $DRILLSIM_SCENARIOS, then
    ./scenarios, then the source checkout's scenarios/ folder.
    """


@scenarios.command("list")
def list_scenarios() -> None:
    """Every scenario in the library, with its key figures.

    Severity is the share of demand lost at onset; fix p50/p90 the median and p90 of one fix
    attempt by one person (phases added up); by whom the fix is done (the team or a vendor);
    options the workarounds the organisation can use, of those listed.
    """
    found = entries()
    if not found:
        raise click.ClickException("no scenarios found: set DRILLSIM_SCENARIOS to a folder of "
                                   "scenario files, or run from a folder holding scenarios/")
    table = Table(title="Scenario library", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    table.add_column("name and title", overflow="fold")
    for column in ("severity", "RTO/MTPD", "fix p50/p90", "by", "options"):
        table.add_column(column, justify="right", no_wrap=True)
    broken = []
    for entry in found:
        if entry.scenario is None:
            broken.append(entry.error)
            table.add_row(f"{entry.name}\n[red]does not load (see below)[/]", *[""] * 5)
            continue
        k = key_figures(entry.scenario)
        table.add_row(f"[bold]{entry.name}[/]\n[dim]{entry.scenario.title}[/]",
                      f"{k['severity']:.0%}",
                      f"{_short(k['rto_minutes'])}/{_short(k['mtpd_minutes'])}",
                      f"{_short(k['fix_median'])}/{_short(k['fix_p90'])}",
                      "team" if k["fix_owner"] == "internal" else "vendor",
                      f"{k['workarounds_available']} of {k['workarounds']}")
    console = Console()
    console.print(table)
    console.print(f"Library folders: {', '.join(str(f) for f in search_path())}", style="dim")
    for error in broken:
        click.echo(error, err=True)
    if broken:
        raise SystemExit(1)


@scenarios.command("show")
@click.argument("name")
def show(name: str) -> None:
    """A readable summary of scenario NAME (a library name or a file)."""
    try:
        path = find_scenario(name)
        scenario = load_scenario(path)
    except ScenarioError as exc:
        raise click.ClickException(str(exc)) from None
    console = Console()
    console.print(f"[bold]{scenario.name}[/] — {scenario.title}\n[dim]{path}[/]")
    if scenario.description:
        console.print(scenario.description.strip())
    console.print(_facts(scenario))
    console.print(_durations(scenario))
    if scenario.workarounds:
        console.print(_workarounds(scenario))


def _facts(scenario: Scenario) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    onset = scenario.onset
    grid.add_row("outage", f"{scenario.severity:.0%} of demand lost at onset, "
                           f"{onset.weekday.capitalize()} {onset.time_of_day}; MBCO {scenario.mbco:.0%}")
    grid.add_row("targets", f"RTO {_duration(scenario.rto_minutes)} · MTPD "
                            f"{_duration(scenario.mtpd_minutes)} · RPO {_duration(scenario.rpo_minutes)}")
    if scenario.cost_per_minute is not None:
        amount = " ".join(filter(None, (f"{scenario.cost_per_minute:,g}", scenario.currency)))
        grid.add_row("cost", f"{amount} per customer-impact minute")
    demand = scenario.demand
    profile = demand.profile if isinstance(demand.profile, str) else "own hourly"
    reports = scenario.detection.customer_reports
    heard = (f"; {reports.report_probability:.1%} of affected customers report it" if reports
             else "; customers do not report it")
    grid.add_row("demand", f"{demand.customers_per_minute:,g} customers a minute, {profile} "
                           f"profile{heard}")
    team = scenario.team
    fatigue = (f", {team.fatigue.slowdown:.0%} slower after {team.fatigue.after_hours:g} h"
               if team.fatigue else "")
    grid.add_row("team", f"{len(team.names)} responders ({', '.join(team.names)}); n people work "
                         f"n^{team.speedup_exponent:g} as fast{fatigue}")
    fix = scenario.fix
    median, p90 = fix_attempt(scenario)
    figures = f"median {_duration(median)}, p90 {_duration(p90)}"
    if fix.owner == "external":
        text = f"by a vendor (staff only liaise): {figures}"
    else:
        text = f"by the team; one attempt by one person: {figures}"
    if fix.repair_failure_probability:
        text += f"; {fix.repair_failure_probability:.0%} of repairs fail"
    grid.add_row("fix", text)
    return grid


def _durations(scenario: Scenario) -> Table:
    table = Table(title="Durations (minutes)", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    table.add_column("what")
    table.add_column("distribution")
    table.add_column("median", justify="right")
    table.add_column("p90", justify="right")
    for label, distribution in durations(scenario):
        median, p90 = median_p90(distribution)
        table.add_row(label, distribution.describe(), f"{median:,.0f}", f"{p90:,.0f}")
    return table


def _workarounds(scenario: Scenario) -> Table:
    table = Table(title="Workarounds, in the order they are tried", title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("option", "kind", "requires", "success", "coverage", "holds staff"):
        table.add_column(column)
    for w in scenario.workarounds:
        requires = "—" if w.requires is None else \
            f"{w.requires} ({'available' if scenario.available(w) else '[red]missing[/]'})"
        success = f"{w.success:.0%}" + (f" (tested {w.tested})" if w.tested else "")
        table.add_row(w.name, "runbook" if w.runbook else "improvised", requires, success,
                      f"{w.coverage:.0%}", "yes" if w.holds_staff else "no")
    return table


def _duration(minutes: float | None) -> str:
    """Minutes as people say them: 45 min, 5.5 h, 3.2 d."""
    if minutes is None:
        return "—"
    if minutes < 120:
        return f"{minutes:.0f} min"
    if minutes < 2880:
        return f"{minutes / 60:.3g} h"
    return f"{minutes / 1440:.3g} d"


def _short(minutes: float | None) -> str:
    """Minutes in a narrow column: 45m, 3.2h, 2.8d."""
    if minutes is None:
        return "—"
    if minutes < 120:
        return f"{minutes:.0f}m"
    if minutes < 2880:
        return f"{minutes / 60:.2g}h"
    return f"{minutes / 1440:.2g}d"
