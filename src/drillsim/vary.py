"""Field paths and values for sweeps: ``team.responders=1..6``,
``workarounds[0].success_probability=0.5,0.7,0.9``, ``systems[*].rate=x0.5,x1,x2``.

A path names a field of a scenario or a portfolio: field names joined by dots, ``[i]`` for a list
item by position or by its name (``workarounds[phone-orders]``, ``fix.phases[repair]``), ``[*]``
for every item. Values are a comma list, a whole-number range ``1..6``, or multipliers ``xF`` of
the current value: a number is multiplied, a distribution stretched in time (every quantile times
F), a rate's ``per_month`` multiplied. Setting ``success_probability`` of a workaround replaces a
``tested:`` level, and the other way round. The changed model is validated again, so a bad value
gets the schema's own error naming the path; an unknown path gets one line naming the path and
what exists there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from .distributions import Distribution
from .portfolio import Portfolio, Rate
from .scenario import Scenario
from .scenario.loading import _explain
from .scenario.schema import Workaround

Target = Scenario | Portfolio
SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\[\]]+\])*)$")
EITHER = {"success_probability": "tested", "tested": "success_probability"}  # on a workaround


class VaryError(ValueError):
    """A path or value that cannot be varied; ``str()`` is one line naming the path."""


@dataclass(frozen=True)
class Factor:
    """A multiplier of the current value, written ``x0.5``."""

    value: float

    def __str__(self) -> str:
        return f"x{self.value:g}"


@dataclass(frozen=True)
class Field:
    """One varied field: its path as written and the values it takes."""

    path: str
    values: tuple[Any, ...]

    @property
    def factor(self) -> bool:
        """Whether the values are multipliers of the current value."""
        return isinstance(self.values[0], Factor)

    @property
    def label(self) -> str:
        """The field for axes and table headings."""
        return f"{self.path} (×)" if self.factor else self.path


def parse_vary(spec: str) -> Field:
    """``PATH=VALUES`` as given to ``--vary``."""
    path, eq, values = spec.partition("=")
    if not eq or not path.strip():
        raise VaryError(f"--vary {spec}: expected PATH=VALUES, e.g. team.responders=1..6")
    return Field(path.strip(), tuple(parse_values(values, path.strip())))


def parse_values(text: str, path: str = "") -> list[Any]:
    """``1..6``, ``0.5,0.7,0.9`` or ``x0.5,x1,x2`` as values."""
    text = text.strip()
    whole = re.fullmatch(r"(-?\d+)\.\.(-?\d+)", text)
    if whole:
        low, high = int(whole[1]), int(whole[2])
        if high < low:
            raise VaryError(f"{path}={text}: a range runs upwards, e.g. 1..6")
        return list(range(low, high + 1))
    if ".." in text:
        raise VaryError(f"{path}={text}: a range a..b takes whole numbers; give other values as "
                        "a list, e.g. 0.5,0.7,0.9")
    items = [item.strip() for item in text.split(",")]
    if not text or not all(items):
        raise VaryError(f"{path}={text}: expected values such as 1..6, 0.5,0.7 or x0.5,x1,x2")
    return _homogeneous([parse_value(item, path) for item in items], path)


def parse_value(text: Any, path: str = "") -> Any:
    """One value: ``x0.5`` a multiplier; a number; true/false; null; otherwise the text."""
    if not isinstance(text, str):
        return text
    if re.fullmatch(r"[x×]\S+", text):
        try:
            factor = float(text[1:])
        except ValueError:
            raise VaryError(f"{path}={text}: a multiplier is x and a number, e.g. x0.5") from None
        if factor < 0:
            raise VaryError(f"{path}={text}: a multiplier cannot be negative")
        return Factor(factor)
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return {"true": True, "false": False, "null": None, "none": None}.get(text.lower(), text)


def fields(target: Target, vary: Mapping[str, Any] | Sequence[str] | None) -> list[Field]:
    """The varied fields from ``{"path": values}`` or ``["path=values", ...]``, each value checked
    against ``target`` on its own, so a bad path or value fails before any simulation."""
    if not vary:
        return []
    if isinstance(vary, Mapping):
        parsed = [Field(path, tuple(_homogeneous(
            parse_values(values, path) if isinstance(values, str) else
            [parse_value(v, path) for v in values], path))) for path, values in vary.items()]
    else:
        parsed = [parse_vary(spec) for spec in vary]
    paths = [f.path for f in parsed]
    if len(set(paths)) != len(paths):
        raise VaryError(f"each field may be varied once; found {', '.join(paths)}")
    for field in parsed:
        for value in field.values:
            apply(target, {field.path: value})
    return parsed


def apply(target: Target, changes: Mapping[str, Any]) -> Target:
    """A validated copy of ``target`` with each path set to its value (or multiplied by it)."""
    if not changes:
        return target
    data = _data(target)
    changed: list[tuple] = []
    for path, value in changes.items():
        for location, current, parent in locate(target, path):
            _set(data, location, parent, _new_value(path, location, current, parent,
                                                    parse_value(value, path)))
            changed.append(location)
    try:
        if isinstance(target, Portfolio):
            out = Portfolio.model_validate(data, context={"source": target._source})
            out._source = target._source
            out.scenarios()  # loaded here, so remote workers need no scenario files
            return out
        return Scenario.model_validate(data)
    except ValidationError as exc:
        source = ", ".join(f"{path}={value}" for path, value in changes.items())
        raise VaryError(_first_error(exc, changed, source, type(target))) from None


def current(target: Target, path: str) -> list[Any]:
    """The value(s) a path names now (several for ``[*]``); a workaround's success probability
    is its effective one, also where it is given as ``tested:``."""
    return [value for _, value, _ in locate(target, path)]


def locate(target: Target, path: str) -> list[tuple[tuple, Any, Any]]:
    """Every concrete place a path names: (keys and indices, current value, the model it is a
    field of)."""
    found: list[tuple[tuple, Any, Any]] = [((), target, None)]
    for step in _steps(path):
        following = []
        for location, value, _ in found:
            where = _text(location) or f"the {type(target).__name__.lower()}"
            if value is None:
                raise VaryError(f"{path}: {where} is not set in this {type(target).__name__.lower()}"
                                ", so nothing under it can be varied")
            if isinstance(step, str) and not step.startswith("["):
                following.append(_field(path, location, value, step, where))
            else:
                following.extend(_items(path, location, value, step[1:-1], where))
        found = following
    return found


def _field(path: str, location: tuple, value: Any, name: str, where: str) -> tuple:
    if not isinstance(value, BaseModel):
        raise VaryError(f"{path}: {where} is {_kind(value)}, which has no field {name!r}")
    names = list(type(value).model_fields)
    if name not in names:
        raise VaryError(f"{path}: {where} has no field {name!r}; it has {', '.join(names)}")
    field_value = getattr(value, name)
    if isinstance(value, Workaround) and name == "success_probability":
        field_value = value.success
    return (*location, name), field_value, value


def _items(path: str, location: tuple, value: Any, key: str, where: str) -> list[tuple]:
    if not isinstance(value, list):
        raise VaryError(f"{path}: {where} is {_kind(value)}, not a list, so [{key}] means nothing")
    names = [_name(item) for item in value]
    if key == "*":
        chosen = list(range(len(value)))
    elif re.fullmatch(r"-?\d+", key):
        i = int(key)
        if not 0 <= i < len(value):
            listing = f" ({', '.join(n for n in names if n)})" if any(names) else ""
            raise VaryError(f"{path}: {where} has {len(value)} items{listing}; [{key}] is not one")
        chosen = [i]
    elif key in names:
        chosen = [names.index(key)]
    else:
        raise VaryError(f"{path}: {where} has no item named {key!r}; it has "
                        f"{', '.join(str(n) for n in names if n) or 'no named items'}")
    return [((*location, i), value[i], None) for i in chosen]


def _new_value(path: str, location: tuple, current: Any, parent: Any, value: Any) -> Any:
    """The value to set: ``value`` itself, or ``current`` multiplied by a factor."""
    if not isinstance(value, Factor):
        return value
    f = value.value
    if isinstance(current, Distribution):
        return current.scaled(f)
    if isinstance(current, Rate):
        return current.model_copy(update={"per_month": current.per_month * f})
    if isinstance(current, int | float) and not isinstance(current, bool):
        product = current * f
        return int(product) if isinstance(current, int) and float(product).is_integer() else product
    raise VaryError(f"{path}: {value} multiplies a number, a distribution or a rate; "
                    f"{_text(location)} is {_kind(current)}")


def _set(data: dict, location: tuple, parent: Any, value: Any) -> None:
    node = data
    for key in location[:-1]:
        node = node[key]
    name = location[-1]
    node[name] = _data(value)
    if isinstance(parent, Workaround) and name in EITHER:
        node[EITHER[name]] = None  # one replaces the other


def _first_error(exc: ValidationError, changed: list[tuple], source: str, root: type) -> str:
    """The schema's error at a changed field, in one line (a union's other branches and errors
    that follow from the first are left out)."""
    errors = exc.errors()
    for error in errors:
        for location in changed:
            if tuple(error["loc"][:len(location)]) == location:
                return _explain([{**error, "loc": location}], source, {}, root)
    return _explain(errors[:1], source, {}, root)


def _steps(path: str) -> list[str]:
    """``workarounds[0].find`` → ``["workarounds", "[0]", "find"]``."""
    steps = []
    for segment in path.split("."):
        match = SEGMENT.match(segment.strip())
        if match is None:
            raise VaryError(f"{path}: expected field names joined by dots, each with optional "
                            "[index], [name] or [*], e.g. workarounds[0].success_probability")
        steps.append(match[1])
        steps.extend(re.findall(r"\[[^\[\]]+\]", match[2]))
    return steps


def _data(value: Any) -> Any:
    """A model as plain data for validation, distributions kept as they are."""
    if isinstance(value, BaseModel):
        return {name: _data(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, list):
        return [_data(v) for v in value]
    if isinstance(value, dict):
        return {k: _data(v) for k, v in value.items()}
    return value


def _homogeneous(values: list[Any], path: str) -> list[Any]:
    kinds = {isinstance(v, Factor) for v in values}
    if len(kinds) > 1:
        raise VaryError(f"{path}: give all values as multipliers (x0.5) or none")
    if not values:
        raise VaryError(f"{path}: no values given")
    return values


def _name(item: Any) -> str | None:
    """A list item's name, for ``[name]`` paths: its ``name`` (a system's scenario otherwise)."""
    return getattr(item, "name", None) or getattr(item, "scenario", None)


def _text(location: tuple) -> str:
    out = ""
    for part in location:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _kind(value: Any) -> str:
    if isinstance(value, Distribution):
        return f"a distribution ({value.describe()})"
    if isinstance(value, BaseModel):
        return f"a {type(value).__name__} (fields {', '.join(type(value).model_fields)})"
    if isinstance(value, list):
        return "a list"
    return f"{value!r}"
