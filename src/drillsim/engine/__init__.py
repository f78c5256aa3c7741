"""The SimPy outage model: incidents, the team they share, and what strategies see."""

from .clock import Clock
from .dispatch import DefaultDispatch
from .incident import Event, Incident, Model, Option
from .outcome import METRICS, Outcome
from .team import Responder, Roster, Team
from .view import IncidentView, OptionInfo, ResponderInfo
from .work import Work

__all__ = ["METRICS", "Clock", "DefaultDispatch", "Event", "Incident", "IncidentView", "Model", "Option",
           "OptionInfo", "Outcome", "Responder", "ResponderInfo", "Roster", "Team", "Work"]
