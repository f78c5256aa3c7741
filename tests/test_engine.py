"""Exact, deterministic checks of the engine: work content, speed-up, fatigue, demand integrals."""

from __future__ import annotations

import math

import pytest

import drillsim as ds
from conftest import scenario
from drillsim.week import BUSINESS_DAY, Week

FIXED_FIX = {"phases": [{"name": "fix", "duration": {"fixed": 120}}]}


def one(sc, strategy="fix-only", replication=0, seed=3):
    """The outcome of one replication."""
    frame = ds.simulate(sc, [strategy], replications=replication + 1, seed=seed).frame
    return frame.iloc[replication]


def test_two_people_speed_a_fix_by_n_to_the_alpha():
    sc = scenario(fix=FIXED_FIX, team={"speedup_exponent": 0.3})
    assert one(sc)["time_to_restore"] == pytest.approx(120 / 2**0.3)
    assert one(scenario(fix=FIXED_FIX, team={"responders": 1}))["time_to_restore"] == 120


def test_fatigue_slows_work_after_the_stated_hours():
    sc = scenario(fix={"phases": [{"name": "fix", "duration": {"fixed": 120}}]},
                  team={"responders": 1, "fatigue": {"after_hours": 1, "slowdown": 0.5}})
    # 60 minutes at full speed, the remaining 60 of work at half speed
    assert one(sc)["time_to_restore"] == pytest.approx(60 + 60 / 0.5)


def test_after_hours_paging_is_slower():
    team = {"responders": 1, "response": {"business_hours": {"fixed": 5},
                                          "after_hours": {"fixed": 30}}}
    day = one(scenario(fix=FIXED_FIX, team=team, onset={"time_of_day": "10:00"}))
    night = one(scenario(fix=FIXED_FIX, team=team, onset={"time_of_day": "03:00"}))
    weekend = one(scenario(fix=FIXED_FIX, team=team,
                           onset={"time_of_day": "10:00", "weekday": "saturday"}))
    assert (day["time_to_restore"], night["time_to_restore"]) == (125, 150)
    assert weekend["time_to_restore"] == 150


def test_impact_integrates_demand_exactly_across_hours():
    sc = scenario(fix=FIXED_FIX, team={"responders": 1},
                  demand={"customers_per_minute": 40, "profile": "business-day"},
                  onset={"time_of_day": "13:30"})
    week = Week(BUSINESS_DAY)
    start = 24 * 60 + 13 * 60 + 30  # Tuesday 13:30
    weights = [week.hourly[(start // 60) + h] for h in range(3)]
    expected = 30 * weights[0] + 60 * weights[1] + 30 * weights[2]
    row = one(sc)
    assert row["customer_impact_minutes"] == pytest.approx(expected)
    assert row["customers_affected"] == pytest.approx(40 * expected)
    assert row["time_to_restore"] == 120


def test_vendor_owned_fix_runs_from_onset_at_its_own_pace():
    sc = scenario(fix={**FIXED_FIX, "owner": "external"},
                  detection={"monitoring": {"delay": {"fixed": 50}}})
    assert one(sc)["time_to_restore"] == 120
    assert one(sc, "fix-plus-workaround")["time_to_restore"] == 120


def test_continuity_targets_use_time_to_resume():
    option = {"name": "phones", "find": {"fixed": 10}, "activate": {"fixed": 10},
              "success_probability": 1, "coverage": 0.3}
    better = {"name": "backup", "find": {"fixed": 15}, "activate": {"fixed": 15},
              "success_probability": 1, "coverage": 0.9}
    sc = scenario(fix={"phases": [{"name": "fix", "duration": {"fixed": 500}}]},
                  workarounds=[option, better], rto_minutes=45, mtpd_minutes=480,
                  cost_per_minute=2, team={"responders": 3})
    row = one(sc, "fix-plus-workaround:workaround_staff=2")
    assert row["time_to_mitigate"] == 20  # phone orders: a first improvement
    assert row["time_to_resume"] == 30  # the backup site reaches the MBCO of 0.5
    assert row["rto_met"] == 1 and row["mtpd_breached"] == 0
    assert row["customer_impact_minutes"] == pytest.approx(20 + 0.7 * 10 + 0.1 * 470)
    assert row["cost"] == pytest.approx(2 * row["customer_impact_minutes"])
    fix_only = one(sc)
    assert fix_only["rto_met"] == 0 and fix_only["mtpd_breached"] == 1
    assert math.isnan(one(scenario())["rto_met"])


def test_held_workaround_keeps_its_operator():
    option = {"name": "phones", "find": {"fixed": 0}, "activate": {"fixed": 0},
              "success_probability": 1, "coverage": 0.3, "holds_staff": 1}
    sc = scenario(fix=FIXED_FIX, workarounds=[option], team={"speedup_exponent": 1.0})
    # the operator never joins the fix, so it runs at one person's pace
    assert one(sc, "fix-plus-workaround")["time_to_restore"] == 120
    released = scenario(fix=FIXED_FIX, team={"speedup_exponent": 1.0},
                        workarounds=[{**option, "holds_staff": 0}])
    assert one(released, "fix-plus-workaround")["time_to_restore"] == 60


def test_unavailable_workarounds_are_never_tried():
    option = {"name": "backup", "requires": "backup_site", "find": {"fixed": 1},
              "activate": {"fixed": 1}, "success_probability": 1, "coverage": 1}
    sc = scenario(fix=FIXED_FIX, workarounds=[option], team={"speedup_exponent": 0.0})
    assert one(sc, "fix-plus-workaround")["mitigated_by"] == "fix"
    has_site = scenario(fix=FIXED_FIX, workarounds=[option], capabilities={"backup_site": True})
    assert one(has_site, "fix-plus-workaround")["time_to_mitigate"] == 2


def test_event_log_tells_who_did_what():
    res = ds.simulate(ds.load_scenario("scenarios/website-outage.yaml"),
                      ["fix-plus-workaround"], replications=5, seed=1)
    incident = res.timeline("fix-plus-workaround", 3)
    kinds = [e.kind for e in incident.log]
    assert kinds[0] == "detected" and kinds[-1] == "restored"
    assert {"arrived", "assigned"} <= set(kinds)
    assert incident.levels[0] == (0.0, 0.0) and incident.levels[-1][1] == 1.0
    assert incident.outcome == tuple(res.frame.iloc[3][list(ds.Outcome._fields)])


def test_phases_are_tracked_through_staffing_changes():
    """Phase ends are not events, yet the view and the log place them exactly."""
    phases = [{"name": "diagnose", "duration": {"fixed": 30}},
              {"name": "repair", "duration": {"fixed": 60}},
              {"name": "verify", "duration": {"fixed": 10}}]
    team = {"responders": 2, "speedup_exponent": 1.0,
            "response": {"business_hours": {"empirical": [0]}, "after_hours": {"fixed": 0}}}
    option = {"name": "o", "find": {"fixed": 20}, "activate": {"fixed": 0},
              "success_probability": 0, "coverage": 1}
    sc = scenario(fix={"phases": phases}, team=team, workarounds=[option])
    seen = []

    class Watch(ds.strategies.FixPlusWorkaround):
        def decide(self, view):
            seen.append((view.now, view.phase, view.time_in_phase))
            return super().decide(view)

    res = ds.simulate(sc, {"watch": Watch()}, replications=1, seed=1)
    # one on the fix from 0; the second joins at 20 after a failed workaround: rate 2
    assert res.frame["time_to_restore"].iloc[0] == pytest.approx(20 + 80 / 2)
    assert seen[-1] == (20, "diagnose", 20)
    log = res.timeline("watch", 0).log
    phase_ends = [(e.time, e.detail) for e in log if e.kind == "phase"]
    assert phase_ends == [(pytest.approx(25), "diagnose done; repair begins"),
                          (pytest.approx(55), "repair done; verify begins")]


def test_a_finished_run_leaves_no_reference_cycles():
    """Runs are freed by reference counting, so the runner can pause the cyclic collector."""
    import gc

    from drillsim.runner import Job, resolve_strategies

    job = Job(ds.load_scenario("scenarios/website-outage.yaml"),
              resolve_strategies(["fix-only", "fix-plus-workaround", "escalate-after"]), 1)
    job.chunk(0, 0, 50)
    gc.collect()
    gc.disable()
    try:
        job.chunk(0, 0, 200)
        assert gc.collect() == 0
    finally:
        gc.enable()
