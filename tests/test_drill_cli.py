"""``drillsim drill`` as a facilitator uses it: the console fed from the keyboard, scripted and
recorded drills, the after-action report and its actions in the store, and bad files."""

from __future__ import annotations

import re

import pytest
import yaml
from click.testing import CliRunner

import drillsim as ds
from conftest import WEBSITE
from drillsim.cli import main
from drillsim.drill.session import Drill, with_team
from drillsim.strategies import parse_strategy

TEAM = ["Ana", "Ben", "Chen"]
SEED = 7


def drillsim(*args, input: str | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, env={"COLUMNS": "200"})


def built_in_decisions(name: str, seed: int = SEED, replication: int = 0) -> list[dict]:
    """What a built-in strategy decided on the drill's draws, as drill-file decisions."""
    drill = Drill(with_team(ds.load_scenario(WEBSITE), TEAM), seed, replication)
    moves: dict[float, dict] = {}
    for event in drill.replay(parse_strategy(name), name).log:
        if event.kind == "assigned":
            moves.setdefault(event.time, {})[event.who] = event.detail.removeprefix("workaround:")
    return [{"at": t, "assign": a} for t, a in sorted(moves.items())]


def drill_file(path, decisions, **changes):
    doc = {"drill": 1, "scenario": "website-outage", "date": "2026-05-04", "seed": SEED,
           "replication": 0, "team": TEAM, "decisions": decisions, **changes}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def team_row(output: str) -> list[str]:
    return re.search(r"^ *the team +(.*)$", output, re.M).group(1).split()


def test_a_scripted_drill_reaches_the_aar_and_the_improvement_plan(tmp_path):
    script = drill_file(tmp_path / "fpw.yaml", built_in_decisions("fix-only"))
    store = tmp_path / "drillsim.db"
    done = drillsim("drill", WEBSITE, "--decisions", script, "--aar", tmp_path / "aar", "-n", 200,
                    "--store", store)
    assert done.exit_code == 0, done.output
    assert "fix-only would have done exactly what the team did." in done.stdout
    fpw = built_in_decisions("fix-plus-workaround")
    reroute = next(d["at"] for d in fpw if "reroute-to-backup-site" in d["assign"].values())
    assert f"with one person on reroute-to-backup-site from T+{reroute:.0f}" in done.stdout
    md = (tmp_path / "aar" / "aar.md").read_text()
    page = (tmp_path / "aar" / "aar.html").read_text()
    for heading in ("Outcome against targets", "What other strategies would have done",
                    "Objectives", "Timeline", "Strengths", "Areas for improvement",
                    "Improvement plan"):
        assert f"## {heading}" in md and heading in page
    assert "<svg" in page and "decision: Ben → fix" in md
    listed = drillsim("actions", "--store", store)
    assert listed.exit_code == 0 and "Write continuity-first into the incident procedure" in \
        listed.output and "drill website-outage 2026-05-04" in listed.output
    first = int(re.search(r"^\| (\d+) \|", md, re.M).group(1))  # the AAR names the store's ids
    assert drillsim("actions", "close", first, "--store", store).exit_code == 0
    assert str(first) in drillsim("actions", "list", "--status", "closed", "--store",
                                  store).output


def test_the_console_driven_from_the_keyboard_reaches_the_aar_and_replays(tmp_path):
    scenario = tmp_path / "website.yaml"  # the library's outage without its injects: a fixed
    scenario.write_text(f"extends: {WEBSITE}\ninjects: []\n")  # set of decision points
    keys = [  # Ben arrives at T+4.7, Ana at T+5.1, Chen at T+8.5; the reroute works at T+39.3
        "?", "dan fix", "ana fix", "ben fix", "",
        "ana reroute", "",
        "chen reroute", "chen comms", "undo", "chen fix", "",
        "inject CEO -> incident commander: ETA?", "ana phone", "jump 20",
        "pause", "board", "undo",
        "ana comms", "end"]
    record, aar = tmp_path / "drill.yaml", tmp_path / "aar"
    done = drillsim("drill", scenario, "--team", ",".join(TEAM), "--seed", SEED, "--record",
                    record, "--aar", aar, "--no-store", "-n", 200, "--date", "2026-05-04",
                    input="\n".join(keys) + "\n")
    assert done.exit_code == 0, done.output
    out = done.stdout
    assert "Commands (names and tasks may be shortened)" in out
    assert "no responder 'dan'" in out and "Ana has not arrived yet" in out
    assert "cannot send anyone to reroute-to-backup-site: someone is on it" in out
    assert "took back: Chen → communicate" in out and "AD-HOC INJECT T+39.3" in out
    assert "↶ Undone: Ana → phone-orders. Back at T+39.3." in out
    assert "Service restored at" in out and (aar / "aar.html").exists()
    md = (aar / "aar.md").read_text()
    assert "CEO → incident commander" in md and "decision: Ana → communicate" in md
    assert "phone-orders" not in yaml.safe_load(record.read_text())["decisions"].__str__()
    again = drillsim("drill", scenario, "--decisions", record, "--no-store", "-n", 200)
    assert again.exit_code == 0, again.output
    assert team_row(again.stdout) == team_row(out)  # the same outcome


def test_input_ending_with_nobody_on_the_fix_is_a_clear_error():
    done = drillsim("drill", WEBSITE, "--seed", SEED, "--no-store", input="r1 comms\n")
    assert done.exit_code == 1
    assert "the input ended at T+" in done.output and "nobody on the fix" in done.output
    assert "Traceback" not in done.output


@pytest.mark.parametrize("decisions, message", [
    ([{"at": 5, "assign": {"Dan": "fix"}}],
     r":\d+: decisions\[0\]\.assign\.Dan: unknown responder 'Dan'; the team is Ana, Ben, Chen"),
    ([{"at": 5, "assign": {"Ana": "reroute"}}],
     r":\d+: decisions\[0\]\.assign\.Ana: unknown task or workaround 'reroute'; expected fix, "
     r"communicate, rest or a workaround: reroute-to-backup-site, phone-orders"),
    ([{"at": 30, "assign": {"Ana": "fix"}}, {"at": 20, "assign": {"Ben": "fix"}}],
     r":\d+: decisions\[1\]\.at: a decision in the past: T\+20 comes after a decision at T\+30"),
    ([{"at": 30, "assign": {"Ana": "fix"}}, {"at": 30, "assign": {"Ben": "fix"}}],
     r":\d+: decisions\[1\]\.at: a second decision at T\+30; put both in one decision"),
    ([{"at": 0.5, "assign": {"Ana": "fix"}}],
     r":\d+: decisions\[0\] \(for T\+0\.5\): at T\+4\.7 min assigned responder 'Ana', who has "
     r"not arrived"),
    ([{"at": 5, "assign": {"Ana": "fix"}}],  # a field of the wrong type, found by the schema
     None),
])
def test_bad_decision_files_get_one_line_errors(tmp_path, decisions, message):
    changes = {} if message else {"seed": "seven"}
    path = drill_file(tmp_path / "bad.yaml", decisions, **changes)
    done = drillsim("drill", WEBSITE, "--decisions", path, "--no-store", "-n", 50)
    assert done.exit_code == 1 and "Traceback" not in done.output
    error = done.output.strip().splitlines()[-1]
    assert error.startswith(f"Error: {path}:")
    assert re.search(message or r":4: seed: expected a valid integer.*; found 'seven'", error), error


def test_options_that_disagree_with_the_file_are_refused(tmp_path):
    path = drill_file(tmp_path / "ok.yaml", built_in_decisions("fix-only"))
    done = drillsim("drill", WEBSITE, "--decisions", path, "--seed", SEED + 1, "--no-store")
    assert done.exit_code == 2 and "--seed disagrees with" in done.output
    wrong = drill_file(tmp_path / "other.yaml", [], scenario="email-outage")
    done = drillsim("drill", WEBSITE, "--decisions", wrong, "--no-store")
    assert done.exit_code == 1 and "recorded on scenario 'email-outage'" in done.output
