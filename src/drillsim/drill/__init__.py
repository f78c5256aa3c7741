"""Tabletop drills: a facilitator plays an outage with the team, and an after-action report.

``session.Drill`` is the incident a team plays (a scenario with the team's names, a seed and a
replication); ``human.HumanStrategy`` turns the team's decisions — from ``console.Facilitator``
or a ``human.Script`` read by ``record`` — into an ordinary strategy; ``injects`` decides when
each line of the scenario's MSEL fires; ``review`` judges the drill against every strategy on
the same draws; ``aar`` writes the report.
"""
