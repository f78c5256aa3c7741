"""``drillsim drill``: a tabletop drill at the terminal, replayed from a file, and its after-action
report."""

from __future__ import annotations

import datetime as dt

import click
from rich import box
from rich.console import Console
from rich.table import Table

from ..drill.aar import timeline, write_aar
from ..drill.clock import t_plus, wall_clock
from ..drill.console import DrillAborted, Facilitator
from ..drill.human import Script
from ..drill.record import DrillFileError, Recording, load_recording, save_recording
from ..drill.review import Review, counterfactual, review
from ..drill.session import Drill, Played, with_team
from ..runner import new_seed
from ..scenario import ScenarioError, find_scenario, load_scenario
from ..store import StoreError
from ..strategies import StrategyError
from .common import open_store, recording_options


@click.command()
@click.argument("scenario")
@click.option("--team", metavar="NAMES", help='responders by name, in slot order: "Ana,Ben,Chen" '
              "(the team's size follows the names; default: the scenario's team)")
@click.option("--seed", type=click.IntRange(min=0), help="root seed (default: a fresh one, printed)")
@click.option("--replication", type=click.IntRange(min=0), help="which outage of the seed to play "
              "[default: 0]")
@click.option("--speed", type=click.FloatRange(min=0, min_open=True), metavar="X",
              help="run the console's clock X times real time between decision points (default: "
                   "no waiting)")
@click.option("--record", "record_path", type=click.Path(dir_okay=False),
              help="save the drill (seed, team, decisions, injects) to FILE")
@click.option("--decisions", "decisions_path", type=click.Path(dir_okay=False),
              help="replay a recorded or scripted drill FILE without prompts")
@click.option("--aar", "aar_dir", type=click.Path(file_okay=False),
              help="write the after-action report to DIR (aar.md and aar.html)")
@click.option("-n", "--replications", type=click.IntRange(min=10), default=2000, show_default=True,
              help="outages per strategy for where the team's outcome falls")
@click.option("--date", type=click.DateTime(["%Y-%m-%d"]), help="the drill's date (default: today; "
              "a replay keeps the recorded date)")
@recording_options
def drill(scenario, team, seed, replication, speed, record_path, decisions_path, aar_dir,
          replications, date, store_path, no_store) -> None:
    """Run a tabletop drill of SCENARIO: injects arrive, the team decides, the model plays it out,
    and every strategy is replayed on the same draws for the after-action report."""
    base = _load(scenario)
    out = Console(highlight=False)
    day = date.date() if date else None
    recording = _recording(decisions_path, base, team, seed, replication, day) \
        if decisions_path else None
    if recording is not None:
        names, seed, replication = recording.team, recording.seed, recording.replication
        day = recording.date
    else:
        names = team.split(",") if team else base.team.names
        seed = new_seed() if seed is None else seed
        replication = replication or 0
        day = day or dt.date.today()
    try:
        game = Drill(with_team(base, names), seed, replication)
    except ValueError as exc:
        raise click.UsageError(f"--team: {exc}") from None
    _introduce(out, game)
    played = _replay(game, recording, out) if recording else _play(game, out, speed)
    if record_path:
        save_recording(record_path, played, day)
        click.echo(f"Drill saved to {record_path}", err=True)
    result = review(played, day, replications)
    _hot_wash(out, result)
    if aar_dir:
        ids = None
        if not no_store:
            with open_store(store_path) as store:
                try:
                    ids = store.add_actions(_source(game, day), result.actions)
                except StoreError as exc:
                    raise click.ClickException(str(exc)) from None
            click.echo(f"{len(ids)} improvement actions recorded in {store_path} "
                       "(see `drillsim actions`)", err=True)
        md, page = write_aar(result, aar_dir, ids)
        click.echo(f"After-action report: {md} and {page}", err=True)


def _load(name: str):
    try:
        return load_scenario(find_scenario(name))
    except ScenarioError as exc:
        raise click.ClickException(str(exc)) from None


def _recording(path: str, scenario, team, seed, replication, day) -> Recording:
    """The drill file, checked; the options given must agree with it."""
    try:
        recording = load_recording(path, scenario)
    except DrillFileError as exc:
        raise click.ClickException(str(exc)) from None
    for option, given, recorded in (("--team", team and [n.strip() for n in team.split(",")],
                                     recording.team), ("--seed", seed, recording.seed),
                                    ("--replication", replication, recording.replication),
                                    ("--date", day, recording.date)):
        if given is not None and given != recorded:
            raise click.UsageError(f"{option} disagrees with {path}, which was played with "
                                   f"{recorded}; leave it out to replay the file")
    if recording.scenario_sha256 and recording.scenario_sha256 != scenario.digest:
        click.echo(f"note: {scenario.source} has changed since {path} was recorded; the drill is "
                   "re-scored on the scenario as it is now", err=True)
    return recording


def _introduce(out: Console, game: Drill) -> None:
    scenario = game.scenario
    out.print(f"[bold]{scenario.title}[/] ({scenario.name}) — seed {game.seed}, replication "
              f"{game.replication}")
    targets = [f"RTO {scenario.rto_minutes:g} min" if scenario.rto_minutes is not None else "",
               f"MTPD {scenario.mtpd_minutes:g} min" if scenario.mtpd_minutes is not None else ""]
    out.print(f"Team: {', '.join(game.team)}. The outage begins {wall_clock(game.draws.onset, 0)}"
              + (f"; {', '.join(t for t in targets if t)}" if any(targets) else "") + ".")
    if scenario.description:
        out.print(scenario.description.strip(), style="italic")


def _play(game: Drill, out: Console, speed: float | None) -> Played:
    facilitator = Facilitator(game.scenario, game.draws.onset, out=out, speed=speed)
    out.print("Type ? for the commands. The clock stops at every decision point.")
    try:
        played = game.play(facilitator)
    except DrillAborted as exc:
        raise click.ClickException(str(exc)) from None
    except StrategyError as exc:
        raise click.ClickException(f"the drill cannot go on: {exc}") from None
    facilitator.finish(played.incident)
    return played


def _replay(game: Drill, recording: Recording, out: Console) -> Played:
    """Play the recorded decisions, then print the drill's timeline as a transcript."""
    script = Script(recording.entries)
    try:
        played = game.play(script, recording.said)
    except StrategyError as exc:
        message = str(exc).removeprefix("strategy drill ")
        if script.applied is None:
            raise click.ClickException(f"{recording.path}: {message}") from None
        at = recording.entries[script.applied].at
        raise click.ClickException(f"{recording.where(script.applied)} (for T+{at:g}): "
                                   f"{message}") from None
    for time, what in timeline(played):
        out.print(f"[cyan]{t_plus(time, 1)}[/] {what}")
    return played


def _hot_wash(out: Console, result: Review) -> None:
    """The end of the drill at the table: the headline, the counterfactual, the objectives."""
    team = result.team.outcome
    out.rule("After action")
    out.print(result.headline, style="bold")
    table = Table(title=f"On the same draws, and over {result.replications:,} outages",
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("", "CIM", "resume", "restore", "median CIM", "outages better\nthan the team"):
        table.add_column(column, justify="left" if not column else "right", no_wrap=True)
    table.add_row("the team", f"{team.customer_impact_minutes:,.0f}", t_plus(team.time_to_resume),
                  t_plus(team.time_to_restore), "", "")
    for a in result.alternatives:
        o = a.incident.outcome
        table.add_row(a.label, f"{o.customer_impact_minutes:,.0f}", t_plus(o.time_to_resume),
                      t_plus(o.time_to_restore), f"{a.median:,.0f}", f"{a.beat_team:.0%}")
    out.print(table)
    for a in result.alternatives:
        out.print("• " + counterfactual(a, result.team))
    for o in result.objectives:
        out.print(f"[bold]{o.rating}[/] — {o.subject}: {o.evidence}")


def _source(game: Drill, day: dt.date) -> str:
    """Where the improvement actions come from, as the store lists it."""
    return (f"drill {game.scenario.name} {day.isoformat()} (seed {game.seed}, replication "
            f"{game.replication}, team {', '.join(game.team)})")

