"""``drillsim history``, ``show`` and ``actions``: read the results store and keep the
improvement plan."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import click
import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table

from ..results import QuarterResults, Results
from ..store import DEFAULT_PATH, Store, StoreError
from .common import open_store, store_option
from .quarter import print_quarter
from .run import print_results


@click.command()
@click.option("--scenario", help="only runs of this scenario (its name)")
@click.option("--since", metavar="DATE", help="only runs on or after DATE (UTC; 2026-10-01 or "
              "2026-10-01T09:00)")
@click.option("--until", metavar="DATE", help="only runs on or before DATE (UTC)")
@click.option("--quarter", metavar="YYYYQN", help="only runs of this quarter, e.g. 2026Q4")
@store_option
@click.option("--json", "as_json", is_flag=True, help="print a JSON list to stdout")
def history(scenario, since, until, quarter, store_path, as_json) -> None:
    """List the runs recorded in the store, oldest first."""
    with _opened(store_path) as store:
        try:
            runs = store.runs(scenario=scenario, since=since, until=until, quarter=quarter)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    if as_json:
        runs["created_at"] = runs["created_at"].map(lambda t: t.isoformat())
        click.echo(json.dumps(_records(runs), indent=2))
        return
    if runs.empty:
        click.echo(f"No runs in {store_path} match.")
        return
    table = Table(title=f"Runs in {store_path}", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    for column in ("run", "recorded (UTC)", "kind"):
        table.add_column(column, no_wrap=True)
    table.add_column("scenario", overflow="fold")
    table.add_column("strategies", overflow="fold")
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("seed", overflow="fold")
    for row in runs.itertuples():
        table.add_row(str(row.id), row.created_at.strftime("%Y-%m-%d %H:%M"), row.kind,
                      row.scenario, "\n".join(row.strategies), f"{row.replications:,}", str(row.seed))
    Console().print(table)


@click.command()
@click.argument("run_id", metavar="RUN", type=int)
@store_option
@click.option("--json", "as_json", is_flag=True, help="print the recorded run as JSON")
def show(run_id, store_path, as_json) -> None:
    """Print one recorded run: what was run, and the tables of ``drillsim run``."""
    with _opened(store_path) as store:
        recorded = store.run(run_id)
        if as_json:
            click.echo(json.dumps(recorded, indent=2))
            return
        if recorded["kind"] not in ("run", "quarter"):
            raise click.ClickException(f"run {run_id} is a {recorded['kind']} run, which show "
                                       f"cannot print as tables yet; see drillsim show {run_id} "
                                       "--json")
        results = _results(store, recorded)
    Console().print(f"[bold]Run {recorded['id']}[/], recorded {recorded['created_at']} "
                    f"({recorded['quarter']}) by drillsim {recorded['drillsim_version']}\n"
                    f"{recorded['command']}", highlight=False)
    if recorded["kind"] == "quarter":
        print_quarter(results, None)
    else:
        print_results(results, None)


@click.group(invoke_without_command=True)
@store_option
@click.pass_context
def actions(ctx: click.Context, store_path: str) -> None:
    """The improvement plan: list actions (the default), add them, close them."""
    ctx.obj = store_path
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_actions, store_path=store_path)


def _subcommand_store(command):
    """``--store`` on a subcommand too, falling back to the one given to ``actions``."""
    return click.option("--store", "store_path", type=click.Path(dir_okay=False), default=None,
                        help=f"results store [default: {DEFAULT_PATH}]")(command)


@actions.command("list")
@click.option("--status", type=click.Choice(["open", "closed"]), help="only open or closed ones")
@_subcommand_store
@click.option("--json", "as_json", is_flag=True, help="print a JSON list to stdout")
@click.pass_context
def list_actions(ctx: click.Context, status, store_path, as_json) -> None:
    """List the actions, oldest first."""
    with _opened(store_path or ctx.obj) as store:
        rows = store.actions(status)
    if as_json:
        click.echo(json.dumps(_records(rows), indent=2))
        return
    if rows.empty:
        click.echo("No actions.")
        return
    table = Table("id", "status", "action", "owner", "due", "source", "closed (UTC)",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    for row in rows.itertuples():
        table.add_row(str(row.id), row.status, row.action, _text(row.owner), _text(row.due),
                      row.source, _text(row.closed_at)[:16].replace("T", " "))
    Console().print(table)


@actions.command("add")
@click.argument("text")
@click.option("--source", required=True, help="where the action comes from, e.g. a drill id")
@click.option("--owner", help="who will do it")
@click.option("--due", metavar="DATE", help="due date, e.g. 2026-12-31")
@_subcommand_store
@click.pass_context
def add_action(ctx: click.Context, text, source, owner, due, store_path) -> None:
    """Add one action TEXT to the improvement plan."""
    with _opened(store_path or ctx.obj, create=True) as store:
        try:
            (action_id,) = store.add_actions(source, [{"action": text, "owner": owner, "due": due}])
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    click.echo(f"Added action {action_id}")


@actions.command("close")
@click.argument("action_id", metavar="ID", type=int)
@_subcommand_store
@click.pass_context
def close_action(ctx: click.Context, action_id, store_path) -> None:
    """Mark action ID closed."""
    with _opened(store_path or ctx.obj) as store:
        store.close_action(action_id)
    click.echo(f"Closed action {action_id}")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows for JSON, missing values as null."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def _text(value: Any) -> str:
    return "" if pd.isna(value) else str(value)


@contextmanager
def _opened(path: str, create: bool = False) -> Iterator[Store]:
    """The store at ``path`` (which must exist unless ``create``), closed after use; its errors
    become one-line messages."""
    store = open_store(path, create)
    try:
        yield store
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()


def _results(store: Store, recorded: dict[str, Any]) -> Results:
    """A recorded run as results again, from its stored rows: the same tables as when it ran."""
    data = recorded["scenario"]["data"]
    subject = SimpleNamespace(name=data["name"], title=data["title"],
                              cost_per_minute=data.get("cost_per_minute"),
                              currency=data.get("currency", ""),
                              period=SimpleNamespace(days=(data.get("period") or {}).get("days")))
    job = SimpleNamespace(seed=recorded["seed"], scenario=subject, portfolio=subject,
                          strategies=tuple((s["label"], None) for s in recorded["strategies"]))
    kind = QuarterResults if recorded["kind"] == "quarter" else Results
    return kind(store.frame(recorded["id"]), job, recorded["replications"])

