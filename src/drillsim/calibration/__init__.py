"""Calibration from a firm's own incident history (DESIGN §12).

``history`` reads an incident export into durations and says what it dropped; ``fitting`` fits
lognormal, Weibull, gamma and exponential and ranks them; ``matching`` adjusts a whole scenario
so that its simulated metric matches the history; ``snippet`` writes the result as scenario YAML.
"""

from .fitting import FAMILIES, Fit, fit, fit_all
from .history import History, HistoryError, read_history
from .matching import TARGETS, Match, MatchError, match_scenario

__all__ = ["FAMILIES", "TARGETS", "Fit", "History", "HistoryError", "Match", "MatchError", "fit",
           "fit_all", "match_scenario", "read_history"]
