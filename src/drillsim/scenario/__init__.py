"""Scenario files: the schema and the YAML loader with file-and-line errors."""

from .loading import ScenarioError, load_scenario, parse_scenario
from .schema import Scenario, Workaround

__all__ = ["Scenario", "ScenarioError", "Workaround", "load_scenario", "parse_scenario"]
