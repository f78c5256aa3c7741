"""Scenario files: the schema and the YAML loader with file-and-line errors."""

from .library import find_scenario
from .loading import ScenarioError, load_scenario, parse_scenario
from .schema import Scenario, Workaround

__all__ = ["Scenario", "ScenarioError", "Workaround", "find_scenario", "load_scenario", "parse_scenario"]
