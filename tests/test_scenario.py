"""Scenario files: the example loads as written; every error names file, line, field and value."""

from __future__ import annotations

import pytest

import drillsim as ds
from conftest import BASE, WEBSITE, merge
from drillsim.scenario import ScenarioError, parse_scenario

TEXT = WEBSITE.read_text()


def error(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "bad.yaml")
    return str(info.value)


def test_the_example_scenario_loads_as_written():
    sc = ds.load_scenario(WEBSITE)
    assert sc.name == "website-outage" and sc.team.names == ["R1", "R2"]
    assert [w.name for w in sc.workarounds] == ["reroute-to-backup-site", "phone-orders"]
    assert sc.available(sc.workarounds[0]) and sc.workarounds[1].success == 0.7
    assert sc.fix.phases[2].duration.mean == 10
    assert len(sc.digest) == 64 and sc.source.endswith("website-outage.yaml")


def test_bundled_scenarios_all_validate():
    for path in sorted(WEBSITE.parent.glob("*.yaml")):
        ds.load_scenario(path)


def test_optional_sections_can_be_left_out_and_zero_durations_are_valid():
    sc = ds.Scenario.model_validate(BASE)
    assert sc.workarounds == [] and sc.team.fatigue is None and sc.rto_minutes is None
    zero = merge(BASE, {"fix": {"phases": [{"name": "f", "duration": {"fixed": 0}}]}})
    res = ds.simulate(ds.Scenario.model_validate(zero), ["fix-only"], replications=10, seed=1)
    assert (res.frame["customer_impact_minutes"] == 0).all()


@pytest.mark.parametrize("old, new, anchor, expected", [
    ("responders: 2", "responderz: 2", "responderz:",
     "team.responderz: unknown field (did you mean 'responders'?)"),
    ("success_probability: 0.8", "success_probability: 1.8", "success_probability: 1.8",
     "workarounds[0].success_probability: expected less than or equal to 1; found 1.8"),
    ("median: 40, p90: 190", "median: -40, p90: 190", "median: -40",
     "fix.phases[0].duration: lognormal.median: expected a duration of 0 or more, found -40"),
    ("severity: 1.0 ", "severity: lots ", "severity:", "severity: expected a valid number"),
    ("rto_minutes: 60", "rto_minutes: 600", "mtpd_minutes:",
     "mtpd_minutes: expected at least rto_minutes (600): RTO ≤ MTPD"),
    ("profile: business-day", "profile: weekly", "profile: weekly",
     "demand.profile: expected 'flat' or 'business-day' or a valid list; found 'weekly'"),
    ("  - name: phone-orders\n", "  - name: phone-orders\n    tested: yearly\n", "phone-orders",
     "workarounds[1]: give exactly one of success_probability or tested"),
    ("slowdown: 0.25", "slowdown: 0", "slowdown: 0",  # tiring must slow people (it once hung)
     "team.fatigue.slowdown: expected more than 0 (for people who never tire, leave fatigue out); "
     "found 0"),
    ("slowdown: 0.25", "slowdown: 1e-300", "slowdown: 1e-300",  # 1 - 1e-300 is 1
     "team.fatigue.slowdown: expected more than 0 (for people who never tire, leave fatigue out); "
     "found 1e-300"),
    ("after_hours: 12,", "after_hours: 0.001,", "after_hours: 0.001",  # relieved without end
     "team.fatigue.after_hours: expected greater than or equal to 0.25"),
    ("profile: business-day", "profile: [.inf" + ", 1" * 23 + "]", "profile: [.inf",
     "demand.profile[0]: expected a finite number; found inf"),
])
def test_errors_name_line_field_expected_and_found(old, new, anchor, expected):
    assert old in TEXT
    text = TEXT.replace(old, new, 1)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if anchor in row)
    message = error(text)
    assert f"bad.yaml:{line}: {expected}" in message
    assert "Traceback" not in message


def test_yaml_syntax_empty_and_duplicate_keys():
    assert error("name: [unclosed\n").startswith("bad.yaml:2: not valid YAML")
    assert "the file is empty" in error("")
    assert "bad.yaml:2: name: duplicate key" in error("name: a\nname: b\n")
    assert "expected a mapping" in error("- just\n- a list\n")


def test_yaml_is_loaded_safely():
    message = error("name: !!python/object/apply:os.system ['echo pwned']\n")
    assert message.startswith("bad.yaml:1: not allowed in a scenario")


def test_a_scenario_nothing_could_detect_is_refused():
    data = merge(BASE, {"detection": {"monitoring": None}})
    with pytest.raises(ValueError, match="never be detected"):
        ds.Scenario.model_validate(data)


def test_tested_workarounds_take_research_defaults():
    option = {"name": "runbook", "find": {"fixed": 1}, "activate": {"fixed": 1},
              "tested": "quarterly", "coverage": 1}
    sc = ds.Scenario.model_validate(merge(BASE, {"workarounds": [option]}))
    assert sc.workarounds[0].success == 0.85


def test_extends_overrides_a_parent_and_errors_point_at_the_right_file(tmp_path):
    sc = ds.load_scenario(WEBSITE.parent / "website-outage-no-backup-site.yaml")
    assert sc.name == "website-outage-no-backup-site"
    assert not sc.available(sc.workarounds[0]) and sc.available(sc.workarounds[1])
    assert sc.fix == ds.load_scenario(WEBSITE).fix
    (tmp_path / "base.yaml").write_text(TEXT.replace("responders: 2", "responderz: 2"))
    (tmp_path / "child.yaml").write_text("extends: base.yaml\nseverity: 2\n")
    message = error_of(tmp_path / "child.yaml")
    assert f"{tmp_path / 'child.yaml'}:2: severity: expected less than or equal to 1" in message
    line = next(i for i, row in enumerate(TEXT.splitlines(), 1) if "responders: 2" in row)
    assert f"{tmp_path / 'base.yaml'}:{line}: team.responderz: unknown field" in message
    (tmp_path / "loop.yaml").write_text("extends: loop.yaml\n")
    assert "extends this file again" in error_of(tmp_path / "loop.yaml")


def error_of(path) -> str:
    with pytest.raises(ScenarioError) as info:
        ds.load_scenario(path)
    return str(info.value)
