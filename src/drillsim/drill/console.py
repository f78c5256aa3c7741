"""The facilitator's console: the drill in a terminal, one decision point at a time.

At each decision point the console shows what happened since the last one (arrivals, workaround
results, failed repairs, tiredness), the injects that arrived, and the status board — the
simulated clock, service level, customers affected, customer-impact minutes and cost so far, the
fix, the workarounds and who is doing what — then reads the facilitator's commands. The clock
stops at every decision point; with a speed it runs in real time between them, and Ctrl-C
pauses it. Everything the team decides goes to the model through the strategy interface.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from itertools import count

from rich.console import Console as Rich
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from ..scenario import Scenario
from ..strategies import FIX, Task
from .clock import t_plus, wall_clock
from .human import Entry, Move, Rewind, task_of, task_text
from .injects import Fired

QUIET = ("assigned", "phase")  # decisions are echoed as made; phase ends are on the board
ALIASES = {"comms": "communicate", "talk": "communicate", "wa": "workaround"}
HELP = """Commands (names and tasks may be shortened):
  NAME TASK        assign a responder: fix, communicate (comms), rest, or a workaround
  free TASK        assign everyone who is free
  Enter | next     run the clock to the next event
  jump N | +N      run the clock N minutes (events on the way are shown)
  inject TEXT      fire an ad-hoc inject; 'FROM -> TO: TEXT' names sender and receiver
  undo             take back the last assignment (or the last decision point's)
  board            show the status board again
  end              let the outage run to its end with no more decisions
  help | ?         this list
With --speed the clock runs in real time between decision points; Ctrl-C pauses it."""


class DrillAborted(Exception):
    """The drill cannot go on (input ended with nobody on the fix)."""


class Facilitator:
    """A decider that asks the facilitator, through a rich terminal."""

    def __init__(self, scenario: Scenario, onset: float, out: Rich | None = None,
                 read: Callable[[str], str] = input, speed: float | None = None) -> None:
        self.scenario, self.onset, self.speed = scenario, onset, speed
        self.out, self.read = out or Rich(highlight=False), read
        self.week = scenario.week()
        self.incident = None
        self.cursor = 0  # log events shown so far
        self.shown_at = 0.0  # the clock as last shown
        self.last_call = 0.0  # the last decision point
        self.until: float | None = None  # a jump's target minute
        self.ending = False
        self.decisions: list[Entry] = []
        self.undone: Entry | None = None
        self.ad_hoc = count(1)

    # -- the decider interface ---------------------------------------------------------------
    def bind(self, incident) -> None:
        self.incident, self.cursor = incident, 0

    def rewound(self, undone: Entry) -> None:
        """The drill restarts without the last decision; say so where it was made."""
        self.decisions.pop()
        self.undone, self.until, self.ending = undone, None, False

    def decide(self, view, fired: list[Fired]) -> Move:
        now = self.last_call = view.now
        if self.undone is not None:
            self.cursor = len(self.incident.log)
            moves = ", ".join(f"{n} → {task_text(t)}" for n, t in self.undone.assign.items())
            self.out.print(f"[bold]↶ Undone:[/] {escape(moves)}. Back at {t_plus(now, 1)}.")
            self.undone = None
        else:
            self._run_clock(now)
            self._news(fired)
        if self.ending or (self.until is not None and now < self.until):
            return Move({}, self.until)
        self.until = None
        return self._prompt(view)

    def finish(self, incident) -> None:
        """Show what happened after the last decision point, and the end."""
        self._run_clock(incident.end)
        for event in incident.log:
            if event.time > self.last_call and event.kind not in QUIET:
                self._event(event)
        self.out.print(f"[bold green]Service restored at {t_plus(incident.end, 1)}.[/] "
                       "The drill is over.")

    # -- showing -------------------------------------------------------------------------------
    def _run_clock(self, now: float) -> None:
        """With a speed, let the clock run in real time up to ``now``; Ctrl-C pauses it."""
        if not self.speed or now <= self.shown_at:
            self.shown_at = max(self.shown_at, now)
            return
        start, began = self.shown_at, time.monotonic()
        with Live(console=self.out, transient=True, auto_refresh=False) as live:
            shown = start
            while shown < now:
                try:
                    time.sleep(0.1)
                    shown = min(now, start + (time.monotonic() - began) * self.speed / 60)
                    live.update(f"⏱ {t_plus(shown, 1)}  {wall_clock(self.onset, shown)}",
                                refresh=True)
                except KeyboardInterrupt:
                    live.stop()
                    self.read(f"Paused at {t_plus(shown, 1)}; press Enter to go on. ")
                    live.start()
                    began = time.monotonic() - (shown - start) * 60 / self.speed
        self.shown_at = now

    def _news(self, fired: list[Fired]) -> None:
        """What happened since the last decision point and the injects that came, in time order."""
        log = self.incident.log
        news = [(e.time, 0, self._event, e) for e in log[self.cursor:] if e.kind not in QUIET]
        news += [(f.at, 1, self._inject, f) for f in fired]
        for _, _, show, item in sorted(news, key=lambda n: n[:2]):
            show(item)
        self.cursor = len(log)

    def _say(self, text: str, style: str | None = None) -> None:
        """Print ``text`` as it is: names and typed words are never read as markup."""
        self.out.print(escape(text), style=style)

    def _event(self, event) -> None:
        who = f"{event.who}: " if event.who else ""
        self.out.print(f"[cyan]{t_plus(event.time, 1)}[/] "
                       + escape(f"{event.kind} — {who}{event.detail}"))

    def _inject(self, inject: Fired) -> None:
        kind = "AD-HOC INJECT" if inject.ad_hoc else "INJECT"
        self.out.print(f"[bold magenta]{kind} {t_plus(inject.at, 1)}[/] "
                       + escape(f"{inject.sender} → {inject.to}: ") + f"[italic]{escape(inject.message)}[/]")
        if inject.expected_action:
            self.out.print(f"   [dim]expected: {escape(inject.expected_action)}[/]")

    def board(self, view) -> None:
        """The status board: clock, service, impact and cost so far, the work and the team."""
        now, scenario = view.now, self.scenario
        impact = self._impact(now)
        head = (f"[bold]{t_plus(now, 1)}[/] ({wall_clock(self.onset, now)}) — detected by "
                f"{view.detected_by} at {t_plus(view.detected_at, 1)}\n"
                f"service {view.service_level:.0%} of normal (MBCO {view.mbco:.0%}); so far "
                f"{impact * scenario.demand.customers_per_minute:,.0f} customers affected, "
                f"{impact:,.0f} customer-impact minutes")
        if scenario.cost_per_minute is not None:
            head += f", cost {impact * scenario.cost_per_minute:,.0f} {scenario.currency}".rstrip()
        fixers = ", ".join(view.fixers) or "nobody"
        head += escape(f"\nfix: {view.phase} (attempt {view.repair_attempt}, "
                       f"{view.time_in_phase:.0f} min in) — {fixers}")
        self.out.print(head)
        options = [o for o in view.options if o.available]
        if options:
            self.out.print(escape("workarounds: " + "; ".join(
                f"{o.name} {o.status}" + (f" ({o.worker})" if o.worker else "") for o in options)))
        team = Table("responder", "doing", "since", box=None, pad_edge=False)
        for r in view.responders:
            doing = "on the way" if not r.present else task_text(r.task) if r.task else "free"
            since = t_plus(self._since(r.name), 1) if r.present else ""
            team.add_row(escape(r.name), escape(doing + (" (tired)" if r.fatigued else "")), since)
        self.out.print(team)

    def _impact(self, now: float) -> float:
        """Customer-impact minutes so far: the lost share of demand, integrated to ``now``."""
        levels, cumulative = self.incident.levels, self.week.cumulative
        impact = 0.0
        for (start, level), (stop, _) in zip(levels, [*levels[1:], (now, 1.0)], strict=True):
            impact += (1 - level) * (cumulative(self.onset + stop) - cumulative(self.onset + start))
        return impact

    def _since(self, name: str) -> float:
        """When ``name`` arrived, was last assigned, or came off a workaround."""
        for event in reversed(self.incident.log):
            if event.who == name and (event.kind in ("arrived", "assigned") or (
                    event.kind == "workaround" and not event.detail.endswith("activating"))):
                return event.time
        return 0.0

    # -- asking ----------------------------------------------------------------------------------
    def _prompt(self, view) -> Move:
        self.board(view)
        pending: dict[str, Task] = {}
        said: list[Fired] = []
        while True:
            free = [n for n in view.free if n not in pending]
            try:
                prompt = f"{t_plus(view.now, 1)} · free: {', '.join(free) or 'nobody'} › "
                line, ended = self.read(prompt), False
            except EOFError:
                line, ended = "end", True
                self._say("(input ended: the outage runs on with no more decisions)")
            words = line.strip().split(maxsplit=1)
            command = words[0].lower() if words else "next"
            rest = words[1] if len(words) > 1 else ""
            if command in ("next", "n"):
                if self._stalled(view, pending):
                    self._say("nothing would happen: nobody is on the fix or a workaround and "
                              "everyone is here; assign someone, or jump N", "red")
                    continue
                return self._commit(view, pending, None, said)
            if command in ("jump", "j") or command.startswith("+"):
                minutes = _minutes(command[1:] if command.startswith("+") else rest)
                if minutes is None:
                    self._say("jump how far? e.g. jump 15", "red")
                    continue
                self.until = math.floor(view.now) + minutes
                return self._commit(view, pending, self.until, said)
            if command == "end":
                if not self._fix_staffed(view, pending):
                    if ended:
                        raise DrillAborted(f"the input ended at {t_plus(view.now, 1)} with nobody "
                                           "on the fix: the outage would never end")
                    self._say("nobody is on the fix: the outage would never end; assign someone "
                              "first", "red")
                    continue
                self.ending = True
                return self._commit(view, pending, None, said)
            if command == "undo":
                if pending:
                    name = list(pending)[-1]
                    self._say(f"took back: {name} → {task_text(pending.pop(name))}")
                elif self.decisions:
                    raise Rewind()
                else:
                    self._say("nothing to undo")
            elif command in ("inject", "i"):
                said.append(self._ad_hoc(view.now, rest))
            elif command in ("board", "b"):
                self.board(view)
            elif command in ("help", "?", "pause"):
                self._say(HELP if command != "pause" else
                          "The clock is stopped while you decide; Enter runs it on.")
            else:
                self._assign(view, pending, words)

    def _commit(self, view, pending: dict[str, Task], wake: float | None,
                said: list[Fired]) -> Move:
        if pending:
            self.decisions.append(Entry(view.now, dict(pending)))
            self._say(f"Decided at {t_plus(view.now, 1)}: " + ", ".join(
                f"{n} → {task_text(t)}" for n, t in pending.items()), "bold")
        return Move(pending, wake, tuple(said))

    def _assign(self, view, pending: dict[str, Task], words: list[str]) -> None:
        if len(words) != 2:
            self._say("expected NAME TASK (e.g. ana fix), or a command: ? for help", "red")
            return
        who, what = words
        present = [r.name for r in view.responders if r.present]
        if who.lower() == "free":
            names = [n for n in view.free if n not in pending]
        else:
            name = _pick(who, [r.name for r in view.responders])
            if name is None:
                self._say(f"no responder {who!r}; the team is "
                          f"{', '.join(r.name for r in view.responders)}", "red")
                return
            if name not in present:
                self._say(f"{name} has not arrived yet", "red")
                return
            names = [name]
        task = self._task(view, pending, what, len(names))
        if task is not None:
            for name in names:
                pending[name] = task
                self._say(f"{name} → {task_text(task)}")

    def _task(self, view, pending: dict[str, Task], what: str, people: int) -> Task | None:
        options = [o.name for o in view.options if o.available]
        text = _pick(ALIASES.get(what.lower(), what.lower()), ["fix", "communicate", "rest", *options])
        if text is None:
            self._say(f"no task {what!r}; expected fix, communicate, rest"
                      + (f" or a workaround: {', '.join(options)}" if options else ""), "red")
            return None
        task = task_of(text, self.scenario)
        if task.kind != "workaround":
            return task
        option = next(o for o in view.options if o.name == text)
        taken = option.worker is not None or task in pending.values()
        if people > 1 or taken or option.status not in ("untried", "abandoned"):
            state = "one person per workaround" if people > 1 else \
                "someone is on it" if taken else f"it is {option.status}"
            self._say(f"cannot send anyone to {text}: {state}", "red")
            return None
        return task

    def _ad_hoc(self, now: float, text: str) -> Fired:
        sender, to, message = "facilitator", "team", text.strip()
        head, colon, body = message.partition(":")
        if colon and "->" in head:
            sender, to = (part.strip() for part in head.split("->", 1))
            message = body.strip()
        inject = Fired(now, f"ad-hoc-{next(self.ad_hoc)}", sender, to, message, ad_hoc=True)
        self._inject(inject)
        return inject

    def _fix_staffed(self, view, pending: dict[str, Task]) -> bool:
        """Whether someone will be on the fix (a vendor's fix needs nobody)."""
        if self.scenario.fix.owner == "external":
            return True
        on_fix = {n for n in view.fixers if n not in pending} | \
            {n for n, t in pending.items() if t is FIX}
        return bool(on_fix)

    def _stalled(self, view, pending: dict[str, Task]) -> bool:
        """Whether, after ``pending``, nothing could ever happen again without a decision."""
        busy = {n for n in view.on_workaround if n not in pending} | \
            {n for n, t in pending.items() if t.kind == "workaround"}
        everyone_here = all(r.present for r in view.responders)
        return not self._fix_staffed(view, pending) and not busy and everyone_here


def _pick(word: str, choices: list[str]) -> str | None:
    """The choice ``word`` names: exactly, or as the only one it begins (case-insensitive)."""
    word = word.lower()
    exact = [c for c in choices if c.lower() == word]
    if exact:
        return exact[0]
    starts = [c for c in choices if c.lower().startswith(word)]
    return starts[0] if len(starts) == 1 else None


def _minutes(text: str) -> int | None:
    try:
        minutes = int(text.strip())
    except ValueError:
        return None
    return minutes if minutes > 0 else None
