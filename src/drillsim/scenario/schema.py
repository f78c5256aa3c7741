"""The scenario file's schema: every field, its default, and the rules between fields.

Unknown keys are errors everywhere (``extra="forbid"``), so a typo never falls back to a default.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..distributions import Distribution, parse_distribution
from ..week import BUSINESS_DAY, WEEKDAYS, Week, parse_clock

Dist = Annotated[
    Distribution,
    BeforeValidator(parse_distribution),
    PlainSerializer(lambda d: d.describe(), return_type=str),
]
Probability = Annotated[float, Field(ge=0, le=1)]
Minutes = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Weight = Annotated[float, Field(ge=0, allow_inf_nan=False)]  # relative demand or incident rate

# Success probability of a workaround by how often it is exercised (RESEARCH.md: 48% of DR tests
# failed, Symantec 2007; proposed 0.5 never exercised, 0.7 yearly, 0.85 quarterly).
TESTED_SUCCESS = {"quarterly": 0.85, "yearly": 0.7, "never": 0.5}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Onset(Strict):
    time_of_day: str = "14:00"  # HH:MM or "random" (drawn from the demand profile)
    weekday: str = "tuesday"  # a weekday name or "random"

    @field_validator("time_of_day")
    @classmethod
    def _clock(cls, value: str) -> str:
        if value != "random":
            parse_clock(value)
        return value

    @field_validator("weekday")
    @classmethod
    def _weekday(cls, value: str) -> str:
        value = value.lower()
        if value != "random" and value not in WEEKDAYS:
            raise ValueError(f"expected a weekday name or 'random', found {value!r}")
        return value


class BusinessHours(Strict):
    start: str = "09:00"
    end: str = "17:00"

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        parse_clock(value)
        return value


class Calendar(Strict):
    business_hours: BusinessHours = BusinessHours()
    business_days: list[str] = ["monday", "tuesday", "wednesday", "thursday", "friday"]

    @field_validator("business_days")
    @classmethod
    def _days(cls, days: list[str]) -> list[str]:
        bad = [d for d in days if d.lower() not in WEEKDAYS]
        if bad:
            raise ValueError(f"expected weekday names, found {bad}")
        return [d.lower() for d in days]


class Demand(Strict):
    customers_per_minute: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    profile: Literal["flat", "business-day"] | list[Weight] = "flat"
    weekday_weights: list[Weight] | None = None  # Monday first

    @field_validator("profile")
    @classmethod
    def _hours(cls, value):
        if isinstance(value, list) and (len(value) != 24 or not any(value)):
            raise ValueError(f"expected 24 hourly weights, not all zero; found {len(value)}")
        return value

    @field_validator("weekday_weights")
    @classmethod
    def _days(cls, value):
        if value is not None and (len(value) != 7 or not any(value)):
            raise ValueError(f"expected 7 daily weights, Monday first; found {len(value)}")
        return value

    def hourly(self) -> list[float]:
        if self.profile == "flat":
            return [1.0] * 24
        if self.profile == "business-day":
            return list(BUSINESS_DAY)
        return list(self.profile)


class Monitoring(Strict):
    delay: Dist


class CustomerReports(Strict):
    report_probability: Probability  # share of affected customers who report
    triage: Dist | None = None  # service desk to IT; none means it reaches IT at once


class Detection(Strict):
    monitoring: Monitoring | None = None
    customer_reports: CustomerReports | None = None


class Response(Strict):
    business_hours: Dist
    after_hours: Dist


class Fatigue(Strict):
    # hours of continuous work before slowing: at least a quarter of an hour, as tiring within
    # seconds would have people relieving each other without end
    after_hours: Annotated[float, Field(ge=0.25)]
    slowdown: Annotated[float, Field(lt=1)]  # efficiency lost once fatigued

    @field_validator("slowdown")
    @classmethod
    def _slows(cls, value: float) -> float:
        """A tired person is one who works slower: zero (or too little to lower an efficiency of
        1 at all) would be tiring that changes nothing."""
        if not 1 - value < 1:
            raise ValueError(f"expected more than 0 (for people who never tire, leave fatigue "
                             f"out); found {value:g}")
        return value


class People(Strict):
    """Who responds: a count or names, how fast they arrive, and when they tire."""

    responders: Annotated[int, Field(ge=1, le=200)] | list[str]
    response: Response  # minutes to arrive when paged in and after business hours
    fatigue: Fatigue | None = None

    @field_validator("responders")
    @classmethod
    def _names(cls, value):
        if isinstance(value, list) and (not value or len(set(value)) != len(value)):
            raise ValueError("expected distinct responder names")
        return value

    @property
    def names(self) -> list[str]:
        if isinstance(self.responders, int):
            return [f"R{i + 1}" for i in range(self.responders)]
        return list(self.responders)


class Team(People):
    """A scenario's team: everyone is paged for this one outage."""

    speedup_exponent: Annotated[float, Field(ge=0, le=1)] = 0.3


class Phase(Strict):
    name: str
    duration: Dist


class Fix(Strict):
    owner: Literal["internal", "external"] = "internal"
    phases: Annotated[list[Phase], Field(min_length=1)]
    repair_failure_probability: Annotated[float, Field(ge=0, lt=1)] = 0.0


class Workaround(Strict):
    name: str
    requires: str | None = None  # a capability the organisation must have
    runbook: bool = False  # documented (true) or improvised
    find: Dist
    activate: Dist
    success_probability: Probability | None = None
    tested: Literal["quarterly", "yearly", "never"] | None = None
    coverage: Probability  # share of the affected demand it serves
    holds_staff: Literal[0, 1] = 0  # 1: the person stays to operate it (e.g. taking phone orders)

    @model_validator(mode="after")
    def _success(self) -> Workaround:
        if (self.success_probability is None) == (self.tested is None):
            raise ValueError("give exactly one of success_probability or tested")
        return self

    @property
    def success(self) -> float:
        if self.success_probability is not None:
            return self.success_probability
        return TESTED_SUCCESS[self.tested]


# What sets an inject off: minutes from onset, or one of these moments of the incident.
InjectEvent = Literal["onset", "detection", "arrival", "workaround-succeeded", "workaround-failed",
                      "repair-failed", "not-mitigated"]
INJECT_QUALIFIERS = {"detected_by": ("detection",), "responder": ("arrival",),
                     "option": ("workaround-succeeded", "workaround-failed"), "by": ("not-mitigated",)}


class Expect(Strict):
    """An expected action a drill can check: someone on ``task`` within ``within`` minutes of the
    inject (``fix``, ``communicate``, ``workaround`` for any option, or an option's name)."""

    task: str
    within: Annotated[int, Field(ge=0)]


class Inject(Strict):
    """One line of the master scenario events list (MSEL): a message that reaches the team.

    ``at`` is whole minutes from onset, or an event. An inject that states an outcome fires only
    when the draw gives that outcome (``workaround-failed`` with ``option``), so every strategy
    compared after the drill faces the same incident (DESIGN §12).
    """

    model_config = ConfigDict(populate_by_name=True)  # files say from:, dumps say sender:

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    at: Annotated[int, Field(ge=0)] | InjectEvent
    detected_by: Literal["customer", "monitoring"] | None = None  # with at: detection
    option: str | None = None  # with at: workaround-succeeded / -failed (default: any option)
    responder: Annotated[int, Field(ge=1)] | None = None  # with at: arrival: the n-th to arrive
    by: Annotated[int, Field(ge=0)] | None = None  # with at: not-mitigated: minutes from onset
    sender: str = Field(alias="from")
    to: str
    message: str
    expected_action: str
    objective: str
    expect: Expect | None = None

    @model_validator(mode="after")
    def _qualifiers(self) -> Inject:
        for field, events in INJECT_QUALIFIERS.items():
            if getattr(self, field) is not None and self.at not in events:
                raise ValueError(f"{field} goes only with at: {' or '.join(events)}")
        if self.at == "not-mitigated" and self.by is None:
            raise ValueError("at: not-mitigated needs by: the minute from onset it is checked at")
        return self


class Scenario(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: str
    description: str = ""
    severity: Probability  # share of demand affected at onset
    onset: Onset = Onset()
    rto_minutes: Minutes | None = None
    mtpd_minutes: Minutes | None = None
    # Maximum tolerable data loss, as time (ISO 22301 RPO). Shown with the scenario; the engine
    # does not yet simulate how much data an incident loses.
    rpo_minutes: Minutes | None = None
    mbco: Probability = 0.5  # service level that counts as resumed
    cost_per_minute: Minutes | None = None  # currency per customer-impact minute
    currency: str = ""
    capabilities: dict[str, bool] = {}
    calendar: Calendar = Calendar()
    demand: Demand
    detection: Detection
    team: Team
    fix: Fix
    workarounds: list[Workaround] = []
    injects: list[Inject] = []  # the drill's MSEL
    _source: tuple[str, str] = PrivateAttr(default=("<code>", ""))  # (file, SHA-256 of its text)

    @field_validator("mtpd_minutes")
    @classmethod
    def _rto_within_mtpd(cls, mtpd: float | None, info: ValidationInfo) -> float | None:
        rto = info.data.get("rto_minutes")
        if mtpd is not None and rto is not None and rto > mtpd:
            raise ValueError(f"expected at least rto_minutes ({rto:g}): RTO ≤ MTPD")
        return mtpd

    @field_validator("detection")
    @classmethod
    def _detectable(cls, detection: Detection, info: ValidationInfo) -> Detection:
        reports = detection.customer_reports
        if detection.monitoring is None and (
                reports is None or reports.report_probability == 0 or not info.data.get("severity")):
            raise ValueError("the outage could never be detected: give monitoring, or "
                             "customer_reports with a report_probability above 0")
        return detection

    @field_validator("workarounds")
    @classmethod
    def _distinct(cls, workarounds: list[Workaround]) -> list[Workaround]:
        names = [w.name for w in workarounds]
        if len(set(names)) != len(names):
            raise ValueError(f"expected distinct workaround names, found {names}")
        return workarounds

    @field_validator("injects")
    @classmethod
    def _inject_names(cls, injects: list[Inject], info: ValidationInfo) -> list[Inject]:
        options = [w.name for w in info.data.get("workarounds", [])]
        tasks = ["fix", "communicate", "workaround", *options]
        for i, inject in enumerate(injects):
            if inject.option is not None and inject.option not in options:
                raise ValueError(f"injects[{i}].option: no workaround {inject.option!r}; expected "
                                 f"one of {', '.join(options) or 'none (there are no workarounds)'}")
            if inject.expect is not None and inject.expect.task not in tasks:
                raise ValueError(f"injects[{i}].expect.task: expected one of {', '.join(tasks)}; "
                                 f"found {inject.expect.task!r}")
        names = [inject.name for inject in injects]
        if len(set(names)) != len(names):
            raise ValueError(f"expected distinct inject names, found {names}")
        return injects

    def available(self, workaround: Workaround) -> bool:
        """Whether the organisation can use this workaround at all."""
        return workaround.requires is None or self.capabilities.get(workaround.requires, False)

    def week(self) -> Week:
        days = self.calendar.business_days
        return Week(
            self.demand.hourly(),
            self.demand.weekday_weights or (1.0,) * 7,
            parse_clock(self.calendar.business_hours.start),
            parse_clock(self.calendar.business_hours.end),
            [WEEKDAYS.index(d) for d in days],
        )

    @property
    def source(self) -> str:
        """The file this scenario was read from."""
        return self._source[0]

    @property
    def digest(self) -> str:
        """SHA-256 of the scenario file's text (empty for a scenario built in code)."""
        return self._source[1]

    def summary(self) -> dict[str, Any]:
        """The scenario's identity for outputs."""
        return {"name": self.name, "title": self.title, "file": self.source, "sha256": self.digest}
