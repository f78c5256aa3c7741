"""Method and assumptions: each scenario's parameters in figures, and the source of every number
as its file states it (the comment on or just above the line that sets it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..scenario import Scenario
from ..scenario.summary import durations, median_p90
from ..store import scenario_files
from .numbers import num, pct, words

NUMBER = re.compile(r"\d")


def parameters(scenario: Scenario, currency: str) -> list[tuple[str, str]]:
    """The scenario's settings as (setting, value) rows, in words."""
    rows = [("severity (share of demand lost at onset)", pct(scenario.severity)),
            ("onset", f"{scenario.onset.weekday} {scenario.onset.time_of_day}")]
    for label, value in (("RTO", scenario.rto_minutes), ("MTPD", scenario.mtpd_minutes),
                         ("RPO (recorded, not simulated)", scenario.rpo_minutes)):
        if value is not None:
            rows.append((label, f"{num(value)} minutes"))
    rows.append(("MBCO (service level that counts as resumed)", pct(scenario.mbco)))
    if scenario.cost_per_minute is not None:
        rows.append(("cost per customer-impact minute",
                     f"{num(scenario.cost_per_minute)} {scenario.currency or currency}".strip()))
    rows.append(("responders", str(len(scenario.team.names))))
    rows.append(("fix done by", "the team" if scenario.fix.owner == "internal" else "a vendor"))
    rows.append(("repair does not hold", pct(scenario.fix.repair_failure_probability)))
    for label, distribution in durations(scenario):
        median, p90 = median_p90(distribution)
        rows.append((label, f"median {num(median)}, p90 {num(p90)} minutes"))
    for w in scenario.workarounds:
        needs = "" if w.requires is None else (
            f"needs {words(w.requires)} ({'present' if scenario.available(w) else 'missing'}); ")
        rows.append((f"workaround {w.name}",
                     f"{needs}{'runbook' if w.runbook else 'improvised'}; succeeds {pct(w.success)}; "
                     f"serves {pct(w.coverage)} of the affected demand"))
    return rows


@dataclass(frozen=True)
class Appendix:
    """One scenario in the appendix: its parameters, and the sources of the numbers in its
    files — each file listed once, under the first scenario that uses it."""

    scenario: Scenario
    parameters: list[tuple[str, str]]
    sources: list[tuple[str, int, str, str]]  # file, line, setting, source
    shown_before: list[tuple[str, str]]  # (file, the scenario it is listed under)
    missing: bool  # the files changed since the scenario was loaded: no sources to show


def appendices(scenarios: list[Scenario], currency: str) -> list[Appendix]:
    """The appendix of every scenario, in order."""
    owners: dict[str, str] = {}
    out = []
    for scenario in scenarios:
        files = scenario_files(scenario)
        rows, before = [], []
        for entry in files or ():
            name = Path(entry["file"]).name
            if name in owners:
                before.append((name, owners[name]))
                continue
            owners[name] = scenario.name
            rows += [(name, *row) for row in sources(entry["text"])]
        out.append(Appendix(scenario, parameters(scenario, currency), rows, before, files is None))
    return out


def sources(text: str) -> list[tuple[int, str, str]]:
    """Every line of a scenario file that sets a number, with its stated source: (line,
    setting, source) — the comment on the line, or the comment block just above it."""
    out = []
    pending: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        code, comment = split_comment(line)
        if not code.strip():
            pending = [*pending, comment] if comment else []
            continue
        note = comment or " ".join(pending)
        pending = []
        if NUMBER.search(code) and note:
            out.append((number, code.strip(), note))
    return out


def split_comment(line: str) -> tuple[str, str]:
    """A YAML line's code and its comment: a ``#`` at the start or after a space, outside a
    quoted scalar (a quote opens one only where a scalar can start, so "can't" opens none)."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'" and (i == 0 or line[i - 1] in " \t:[{,"):
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i], line[i + 1:].strip()
    return line, ""
