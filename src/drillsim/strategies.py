"""Staffing strategies: who works on what at each decision point (DESIGN §4, §11, §12).

A strategy is any object with ``decide(view)``. The engine calls it when responders arrive, a task
ends, a workaround succeeds or fails, a responder tires, or a requested time comes. It returns a
mapping ``responder name → Task`` (only changes need be named), or a :class:`Decision` that also
asks to be called again at a given time. The view shows what a real team could know, never
remaining work or future draws. Built-ins, user classes, the quarter's dispatch and a person at a
drill are all implementations of this one interface.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol


@dataclass(frozen=True, slots=True)
class Task:
    """What a responder is doing: ``fix``, ``workaround`` (with its option), ``communicate``, ``rest``."""

    kind: str
    option: str | None = None

    def __str__(self) -> str:
        return f"{self.kind}:{self.option}" if self.option else self.kind


FIX = Task("fix")
COMMUNICATE = Task("communicate")  # customer communication: occupies the person, changes no service
REST = Task("rest")  # stops the work clock: a rested person is fresh again
_WORKAROUNDS: dict[str, Task] = {}


def workaround(option: str) -> Task:
    """The task of finding and activating the named workaround option."""
    task = _WORKAROUNDS.get(option)
    if task is None:
        task = _WORKAROUNDS.setdefault(option, Task("workaround", option))
    return task


_SHARED = {"fix": FIX, "communicate": COMMUNICATE, "rest": REST}


def canonical(task: Task) -> Task:
    """The shared instance equal to ``task`` (the engine compares tasks by identity)."""
    if task.__class__ is not Task:
        raise ValueError(f"{task!r}, not a Task")
    if task.kind == "workaround":
        if not task.option:
            raise ValueError("a workaround task without an option")
        return _WORKAROUNDS.get(task.option) or workaround(task.option)
    shared = _SHARED.get(task.kind)
    if shared is None:
        raise ValueError(f"a task of unknown kind {task.kind!r}; expected fix, workaround, "
                         "communicate or rest")
    return shared


class Decision(NamedTuple):
    """Assignments, and optionally a time (minutes from onset) to be asked again."""

    assign: Mapping[str, Task]
    ask_at: float | None = None


class Strategy(Protocol):
    def decide(self, view: Any) -> Mapping[str, Task] | Decision | None: ...


class StrategyError(ValueError):
    """A strategy that cannot be built, or that made an impossible assignment."""


REGISTRY: dict[str, Callable[..., Strategy]] = {}


def register(name: str) -> Callable[[type], type]:
    """Class decorator: make a strategy available by ``name`` on the command line and in YAML."""
    def add(cls: type) -> type:
        REGISTRY[name] = cls
        return cls
    return add


@register("fix-only")
class FixOnly:
    """Everyone works on the fix."""

    def decide(self, view):
        return dict.fromkeys(view.free, FIX)


@register("fix-plus-workaround")
class FixPlusWorkaround:
    """The fix is staffed first; then up to ``workaround_staff`` people try workarounds in turn.

    A workaround person takes the next untried available option, and joins the fix after a
    success or when options run out. At least one person always stays on the fix.
    """

    def __init__(self, workaround_staff: int = 1) -> None:
        if not isinstance(workaround_staff, int) or workaround_staff < 0:
            raise StrategyError("workaround_staff must be a whole number ≥ 0")
        self.workaround_staff = workaround_staff

    def decide(self, view):
        return self.assign(view, not view.workaround_succeeded)

    def assign(self, view, open_slots: bool):
        """The assignments when workaround slots are ``open_slots`` (before any success)."""
        free = view.free
        want = self.workaround_staff if open_slots else 0
        if not free and not want:
            return None
        on_workaround = len(view.on_workaround)
        fixers = len(view.fixers)
        if not free and (on_workaround >= want or fixers <= 1):
            return None
        options = None  # the untried options, read once one is wanted
        assign = {}
        for name in free:
            option = None
            if fixers and on_workaround < want:
                options = options or iter(view.untried_options)
                option = next(options, None)
            if option is None:
                assign[name] = FIX
                fixers += 1
            else:
                assign[name] = workaround(option)
                on_workaround += 1
        if on_workaround < want and fixers > 1:  # escalate: pull the newest fixers, never the last
            options = options or iter(view.untried_options)
            for name in view.fixers_newest_first():
                option = next(options, None)
                if option is None or on_workaround >= want or fixers <= 1:
                    break
                assign[name] = workaround(option)
                on_workaround += 1
                fixers -= 1
        return assign


@register("escalate-after")
class EscalateAfter(FixPlusWorkaround):
    """Fix-only until ``after_minutes`` after detection, then one person goes to a workaround."""

    def __init__(self, after_minutes: float = 30.0) -> None:
        super().__init__(1)
        if not isinstance(after_minutes, int | float) or after_minutes < 0:
            raise StrategyError("after_minutes must be a number of minutes ≥ 0")
        self.after_minutes = float(after_minutes)

    def decide(self, view):
        deadline = view.detected_at + self.after_minutes
        if view.now >= deadline:
            return self.assign(view, not view.workaround_succeeded)
        return Decision(self.assign(view, False) or {}, deadline)


@register("workaround-first")
class WorkaroundFirst:
    """Each arriving person takes a different workaround; all turn to the fix once service
    reaches the MBCO through a workaround, or when options run out."""

    def decide(self, view):
        if view.workaround_succeeded and view.service_level >= view.mbco:
            return dict.fromkeys(view.free + view.on_workaround, FIX)
        options = iter(view.untried_options)
        assign = {}
        for name in view.free:
            option = next(options, None)
            assign[name] = FIX if option is None else workaround(option)
        return assign


def parse_strategy(spec: str | Strategy) -> Strategy:
    """Build a strategy from ``name``, ``name:key=value,...``, or ``module:Class[:key=value,...]``."""
    if not isinstance(spec, str):
        if not callable(getattr(spec, "decide", None)):
            raise StrategyError(f"{spec!r} is not a strategy: it has no decide(view) method")
        return spec
    head, _, rest = spec.partition(":")
    if head not in REGISTRY and rest:  # module:Class, perhaps with parameters
        cls_name, _, params = rest.partition(":")
        factory, label = _import(head, cls_name), f"{head}:{cls_name}"
    else:
        factory, params, label = REGISTRY.get(head), rest, head
        if factory is None:
            raise StrategyError(f"unknown strategy {head!r}; expected one of "
                                f"{', '.join(REGISTRY)} or module:Class")
    return _build(factory, _parameters(params, label), label)


def _import(module: str, name: str) -> Callable[..., Strategy]:
    try:
        factory = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise StrategyError(f"cannot load strategy {module}:{name} ({exc})") from None
    return factory


def _parameters(text: str, label: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in filter(None, text.split(",")):
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise StrategyError(f"strategy {label}: expected key=value, found {item!r}")
        params[key.strip()] = _value(value.strip())
    return params


def _value(text: str) -> Any:
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def _build(factory: Callable[..., Strategy], params: dict[str, Any], label: str) -> Strategy:
    try:
        accepted = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        accepted = {}
    unknown = [k for k in params if k not in accepted]
    if unknown:
        names = ", ".join(k for k in accepted if k != "self") or "no parameters"
        raise StrategyError(f"strategy {label} has no parameter {unknown[0]!r}; it takes {names}")
    try:
        strategy = factory(**params)
    except StrategyError as exc:
        raise StrategyError(f"strategy {label}: {exc}") from None
    except (TypeError, ValueError) as exc:
        raise StrategyError(f"strategy {label}: {exc}") from None
    if not callable(getattr(strategy, "decide", None)):
        raise StrategyError(f"{label} is not a strategy: it has no decide(view) method")
    return strategy
