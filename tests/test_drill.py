"""Drills: the human strategy, injects, scripted and recorded decisions, the after-action review."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

import drillsim as ds
from conftest import WEBSITE
from drillsim.drill.aar import document, html_page, markdown
from drillsim.drill.console import Facilitator
from drillsim.drill.human import Entry, Move, Script, task_of
from drillsim.drill.record import load_recording, save_recording
from drillsim.drill.review import MET, NOT_MET, PARTIAL, review
from drillsim.drill.session import Drill, with_team
from drillsim.scenario import ScenarioError
from drillsim.strategies import parse_strategy

TEAM = ["Ana", "Ben", "Chen"]
DAY = dt.date(2026, 5, 4)
INJECTS = [
    {"name": "customer-calls", "at": "detection", "detected_by": "customer", "from": "customer",
     "to": "service desk", "message": "Your website is down.", "expected_action": "Page IT.",
     "objective": "Detect and mobilise"},
    {"name": "alert-fires", "at": "detection", "detected_by": "monitoring", "from": "monitoring",
     "to": "on-call", "message": "HTTP checks failing.", "expected_action": "Page IT.",
     "objective": "Detect and mobilise"},
    {"name": "second-arrives", "at": "arrival", "responder": 2, "from": "service desk",
     "to": "incident commander", "message": "More customers are calling.",
     "expected_action": "Name someone to talk to customers.", "objective": "Keep customers informed",
     "expect": {"task": "communicate", "within": 15}},
    {"name": "dns-not-propagating", "at": "workaround-failed", "option": "reroute-to-backup-site",
     "from": "DNS provider", "to": "incident commander",
     "message": "The backup site's DNS change has not propagated.",
     "expected_action": "Switch to phone orders.", "objective": "Restore service by a workaround",
     "expect": {"task": "phone-orders", "within": 15}},
    {"name": "ceo-asks", "at": "not-mitigated", "by": 60, "from": "CEO", "to": "incident commander",
     "message": "An hour gone. What do customers get?", "expected_action": "Start a workaround.",
     "objective": "Restore service by a workaround", "expect": {"task": "workaround", "within": 10}},
    {"name": "press-call", "at": 90, "from": "journalist", "to": "communications",
     "message": "Have you been hacked?", "expected_action": "Hold statement.",
     "objective": "Keep customers informed"},
]


def website(injects=INJECTS, team=TEAM) -> ds.Scenario:
    data = yaml.safe_load(WEBSITE.read_text())
    data["injects"] = injects
    return with_team(ds.Scenario.model_validate(data), team)


def script_of(incident, scenario) -> Script:
    """The decisions a finished incident's strategy made, as a drill script."""
    moves: dict[float, dict] = {}
    for event in incident.log:
        if event.kind == "assigned":
            moves.setdefault(event.time, {})[event.who] = task_of(
                event.detail.removeprefix("workaround:"), scenario)
    return Script([Entry(t, a) for t, a in sorted(moves.items())])


class Follow:
    """A decider that does what a built-in strategy would (to test the human strategy itself)."""

    def __init__(self, name: str) -> None:
        self.strategy = parse_strategy(name)

    def bind(self, incident) -> None:
        pass

    def decide(self, view, fired) -> Move:
        result = self.strategy.decide(view) or {}
        if isinstance(result, ds.Decision):
            return Move(dict(result.assign), result.ask_at)
        return Move(dict(result))


@pytest.mark.parametrize("name", ["fix-only", "fix-plus-workaround", "workaround-first"])
def test_a_scripted_drill_equals_the_built_in_bit_for_bit(name):
    scenario = website()
    for replication in range(12):
        drill = Drill(scenario, 11, replication)
        built_in = drill.replay(parse_strategy(name), name)
        played = drill.play(script_of(built_in, scenario))
        assert played.incident.outcome == built_in.outcome
        assert played.incident.levels == built_in.levels
        assert [(e.time, e.kind, e.who, e.detail) for e in played.incident.log] == \
            [(e.time, e.kind, e.who, e.detail) for e in built_in.log]


def test_the_human_strategy_adds_nothing_of_its_own():
    """Injects and their wakes change nothing: a human doing what escalate-after does equals it."""
    scenario = website()
    for replication in range(12):
        drill = Drill(scenario, 5, replication)
        played = drill.play(Follow("escalate-after"))
        assert played.incident.outcome == drill.replay(parse_strategy("escalate-after"), "e").outcome
        assert any(f.name == "press-call" for f in played.shown) == (played.incident.end >= 90)


def test_names_take_the_scenario_slots_in_order():
    plain = ds.load_scenario(WEBSITE)
    named = with_team(plain, ["Ana", "Ben"])
    strategy = parse_strategy("fix-plus-workaround")
    for replication in range(5):
        a = Drill(plain, 3, replication).replay(strategy, "a")
        b = Drill(named, 3, replication).replay(strategy, "b")
        assert a.outcome == b.outcome
        assert [e.time for e in a.log if e.kind == "arrived"] == \
            [e.time for e in b.log if e.kind == "arrived"]
    with pytest.raises(ValueError, match="distinct"):
        with_team(plain, ["Ana", "Ana"])


def test_an_inject_that_states_an_outcome_fires_only_when_the_draw_gives_it():
    scenario = website()
    fired = failed = 0
    for replication in range(60):
        played = Drill(scenario, 2, replication).play(Follow("fix-plus-workaround"))
        failures = [e.time for e in played.incident.log
                    if e.detail == "reroute-to-backup-site: failed"]
        shown = [f.at for f in played.shown if f.name == "dns-not-propagating"]
        assert shown == failures
        fired += bool(shown)
        failed += not Drill(scenario, 2, replication).draws.success[0]
    assert 0 < fired == failed  # it fires exactly when the reroute's draw fails


def test_triggers_fire_at_their_moments():
    scenario = website()
    for replication in range(20):
        drill = Drill(scenario, 9, replication)
        played = drill.play(Follow("fix-only"))
        at = {f.name: f.at for f in played.shown}
        by_customer = drill.draws.detected_by == "customer"
        assert ("customer-calls" in at) == by_customer and ("alert-fires" in at) != by_customer
        assert at.get("customer-calls", at.get("alert-fires")) == drill.draws.detect
        arrivals = sorted(e.time for e in played.incident.log if e.kind == "arrived")
        assert at["second-arrives"] == arrivals[1]
        # fix-only never mitigates before the fix, so the CEO calls whenever the fix outlasts T+60
        assert ("ceo-asks" in at) == (played.incident.end > 60)
        assert at.get("ceo-asks", 60) == 60 and at.get("press-call", 90) == 90
        assert [f.at for f in played.shown] == sorted(f.at for f in played.shown)


def test_a_mitigation_in_time_stops_the_not_mitigated_inject():
    scenario = website()
    for replication in range(30):
        played = Drill(scenario, 4, replication).play(Follow("workaround-first"))
        mitigated = played.incident.outcome.time_to_mitigate
        called = any(f.name == "ceo-asks" for f in played.shown)
        assert called == (mitigated > 60 and played.incident.end > 60)


def test_inject_schema_errors_name_file_line_and_field(tmp_path):
    def load(inject: str):
        path = tmp_path / "web.yaml"
        path.write_text(f"extends: {WEBSITE}\ninjects:\n  - {inject}\n")
        return ds.load_scenario(path)

    common = "from: a, to: b, message: m, expected_action: e, objective: o"
    with pytest.raises(ScenarioError, match=r"web\.yaml:2: injects: .*no workaround 'nope'"):
        load(f"{{name: dns, at: workaround-failed, option: nope, {common}}}")
    with pytest.raises(ScenarioError, match=r"web\.yaml:3: injects\[0\]: at: not-mitigated needs by"):
        load(f"{{name: ceo, at: not-mitigated, {common}}}")
    with pytest.raises(ScenarioError, match="option goes only with at: workaround-succeeded"):
        load(f"{{name: x, at: detection, option: phone-orders, {common}}}")
    with pytest.raises(ScenarioError, match=r"web\.yaml:3: injects\[0\]\.at: "):
        load(f"{{name: x, at: 12.5, {common}}}")  # whole minutes or an event
    assert load(f"{{name: x, at: 12, {common}}}").injects[0].sender == "a"


def test_a_recording_replays_exactly(tmp_path):
    """A console drill with jumps, an ad-hoc inject and an undo, saved and replayed."""
    scenario = website()
    drill = Drill(scenario, 7, 0)
    lines = iter(["ben fix", "", "ana reroute", "", "chen comms", "undo", "chen fix", "",
                  "inject CEO -> IC: status?", "jump 17", "ana phone", "+5", "undo",
                  "chen rest", "", "end"])

    def read(prompt: str) -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    console = Facilitator(scenario, drill.draws.onset, read=read)
    console.out.quiet = True
    played = drill.play(console)
    assert [dict(e.assign) for e in played.entries] == [
        {"Ben": ds.FIX}, {"Ana": ds.workaround("reroute-to-backup-site")}, {"Chen": ds.FIX},
        {"Chen": ds.REST}]  # the undone ones are gone
    assert played.entries[-1].at.is_integer()  # made where a jump stopped the clock
    assert [f.message for f in played.shown if f.ad_hoc] == ["status?"]
    path = tmp_path / "drill.yaml"
    save_recording(path, played, DAY)
    recording = load_recording(path, ds.load_scenario(WEBSITE))
    assert recording.team == TEAM and recording.date == DAY
    again = Drill(with_team(ds.load_scenario(WEBSITE), recording.team), recording.seed,
                  recording.replication).play(Script(recording.entries), recording.said)
    assert again.incident.outcome == played.incident.outcome
    assert again.incident.log == played.incident.log
    assert [(e.at, dict(e.assign)) for e in again.entries] == \
        [(e.at, dict(e.assign)) for e in played.entries]


def test_the_review_rates_objectives_from_what_happened():
    scenario = website()
    drill = Drill(scenario, 11, 0)
    fpw = drill.replay(parse_strategy("fix-plus-workaround"), "fpw")
    arrivals = [e.time for e in fpw.log if e.kind == "arrived"]
    silent = review(drill.play(script_of(fpw, scenario)), DAY, replications=100)
    assert any(a.label == "fix-plus-workaround" and "exactly what the team did" in
               _sentence(silent, a) for a in silent.alternatives)
    rating = dict((f.name, r.rating) for f, r in silent.injects)
    assert rating["second-arrives"] == NOT_MET  # nobody ever talked to customers
    # The same moves, but the third person to arrive talks to customers at once.
    moves = script_of(fpw, scenario).entries
    third = next(e for e in moves if e.at == arrivals[2])
    talking = [e if e is not third else Entry(e.at, {n: task_of("communicate", scenario)
                                                     for n in e.assign}) for e in moves]
    told = review(drill.play(Script(talking)), DAY, replications=100)
    rating = dict((f.name, r.rating) for f, r in told.injects)
    expected = MET if arrivals[2] - arrivals[1] <= 15 else PARTIAL
    assert rating["second-arrives"] == expected
    objectives = {o.subject: o.rating for o in told.objectives}
    resume = told.team.outcome.time_to_resume
    assert objectives["Resume service to customers within the RTO (60 min)"] == (
        MET if resume <= 60 else PARTIAL if resume <= 480 else NOT_MET)
    for action in told.actions:
        assert set(action) == {"action", "owner", "due"} and action["due"] > DAY.isoformat()


def _sentence(result, alternative):
    from drillsim.drill.review import counterfactual

    return counterfactual(alternative, result.team)


def test_the_counterfactual_names_who_did_what_and_when():
    scenario = website()
    drill = Drill(scenario, 11, 1)
    played = drill.play(script_of(drill.replay(parse_strategy("fix-only"), "f"), scenario))
    result = review(played, DAY, replications=100)
    fpw = next(a for a in result.alternatives if a.label == "fix-plus-workaround")
    first = next(e for e in fpw.incident.log if e.detail.startswith("workaround:"))
    assert fpw.how == f"with one person on reroute-to-backup-site from T+{first.time:.0f}"
    sentence = _sentence(result, fpw)
    assert f"T+{fpw.incident.outcome.time_to_resume:.0f} instead of " \
           f"T+{played.incident.outcome.time_to_resume:.0f}" in sentence
    assert 0 <= fpw.beat_team <= 1 and fpw.median > 0


def test_the_aar_escapes_scenario_text_and_fetches_nothing():
    hostile = [dict(INJECTS[0], message="<script>alert('x')</script> & <img src=x>",
                    **{"from": "<b>customer</b>"})]
    scenario = website(hostile)
    drill = Drill(scenario, 1, 0)
    while drill.draws.detected_by != "customer":
        drill = Drill(scenario, 1, drill.replication + 1)
    played = drill.play(Follow("fix-plus-workaround"))
    blocks = document(review(played, DAY, replications=50))
    page = html_page(blocks, "AAR")
    assert "<script>" not in page and "&lt;script&gt;" in page and "<img" not in page
    assert "<b>customer" not in page and "http" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    text = markdown(blocks)
    assert "## Improvement plan" in text and "<script>alert('x')</script>" in text


def test_with_a_speed_the_clock_runs_between_decision_points_and_ctrl_c_pauses_it(monkeypatch):
    import types

    from drillsim.drill import console as console_module

    real = [0.0]
    interrupted = []

    def sleep(seconds):
        real[0] += 1.0  # each nap lets a whole real second pass
        if not interrupted:
            interrupted.append(real[0])
            raise KeyboardInterrupt

    monkeypatch.setattr(console_module, "time",
                        types.SimpleNamespace(sleep=sleep, monotonic=lambda: real[0]))
    prompts = []
    answers = iter(["", "ben fix", "", "ana fix", "", "chen fix", "", "end"])

    def read(prompt):
        prompts.append(prompt)
        return next(answers)

    scenario = website([])
    drill = Drill(scenario, 7, 0)
    console = Facilitator(scenario, drill.draws.onset, read=read, speed=60)  # a minute a second
    console.out.quiet = True
    played = drill.play(console)
    assert prompts[0].startswith("Paused at T+")
    # The clock ran a simulated minute per (fake) real second up to the last decision point.
    assert console.last_call <= real[0] <= console.last_call + 4  # whole fake seconds per gap
    assert played.incident.outcome == drill.replay(parse_strategy("fix-only"), "f").outcome


def test_every_library_scenario_has_an_msel_that_plays():
    from drillsim.scenario.library import entries

    library = {e.name: e.scenario for e in entries() if e.scenario is not None}
    assert len(library) >= 12
    website_injects = {i.name: i for i in library["website-outage"].injects}
    assert website_injects["customer-calls"].detected_by == "customer"
    assert website_injects["alert-fires"].detected_by == "monitoring"
    dns = website_injects["dns-not-propagating"]
    assert (dns.at, dns.option) == ("workaround-failed", "reroute-to-backup-site")
    for name, scenario in library.items():
        assert scenario.injects, name
        for replication in range(3):
            played = Drill(scenario, 1, replication).play(Follow("fix-plus-workaround"))
            assert played.shown, name
            assert all(0 <= f.at <= played.incident.end for f in played.shown), name
