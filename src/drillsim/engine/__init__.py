"""The SimPy outage model: incidents, the team they share, and what strategies see."""

from .clock import Clock
from .incident import METRICS, Event, Incident, Model, Option, Outcome
from .team import DefaultDispatch, Responder, Roster, Team
from .view import IncidentView, OptionInfo, ResponderInfo
from .work import Work

__all__ = ["METRICS", "Clock", "DefaultDispatch", "Event", "Incident", "IncidentView", "Model", "Option",
           "OptionInfo", "Outcome", "Responder", "ResponderInfo", "Roster", "Team", "Work"]
