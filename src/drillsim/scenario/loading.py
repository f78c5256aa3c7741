"""Load scenario YAML safely and turn every problem into one line: file, line, field, expected, found."""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..distributions import KINDS as DISTRIBUTION_KINDS
from .schema import Scenario


class ScenarioError(ValueError):
    """A scenario file that cannot be used; ``str()`` is the full, user-facing message."""


M = TypeVar("M", bound=BaseModel)


class _Loader(yaml.SafeLoader):
    """Safe loader (no arbitrary objects) whose nodes we also walk for line numbers."""


@dataclass(frozen=True)
class Document:
    """A YAML file read and parsed once: its text, its data and the file:line of every field path,
    ready to validate as a scenario, a portfolio or any other schema."""

    source: str
    text: str
    data: dict
    where: dict[tuple, str]


def read_document(path: str | Path, what: str = "scenario") -> Document:
    """Read and parse a YAML file, each problem one line; ``what`` names the kind of document."""
    source = str(path)
    text = _read_text(Path(path))
    return Document(source, text, *_read_yaml(text, source, what))


def load_scenario(path: str | Path) -> Scenario:
    """Read, parse and validate one scenario file (following ``extends``)."""
    return scenario_from(read_document(path))


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Parse and validate scenario text; ``source`` names it in messages and anchors ``extends``."""
    return scenario_from(Document(source, text, *_read_yaml(text, source)))


def scenario_from(document: Document) -> Scenario:
    """Validate a parsed scenario (following ``extends``)."""
    data, where, texts = _resolve(document, ())
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_explain(exc.errors(), document.source, where)) from None
    scenario._source = (document.source, hashlib.sha256("\0".join(texts).encode()).hexdigest())
    return scenario


def load_document(path: str | Path, model: type[M], what: str) -> M:
    """Read a YAML file into any strict schema (a portfolio, a recipe…) with the same one-line
    errors as scenarios; ``what`` names the kind of document in messages."""
    return validate_document(read_document(path, what), model)


def validate_document(document: Document, model: type[M]) -> M:
    """Validate a parsed document against any strict schema, each problem one line."""
    try:
        return model.model_validate(document.data, context={"source": document.source})
    except ValidationError as exc:
        raise ScenarioError(_explain(exc.errors(), document.source, document.where, model)) from None


def merge(base: dict, changes: dict) -> dict:
    """``changes`` laid over ``base``: mappings merge, lists, values and distributions replace."""
    out = dict(base)
    for key, value in changes.items():
        old = out.get(key)
        if isinstance(value, dict) and isinstance(old, dict) and not DISTRIBUTION_KINDS & set(value):
            out[key] = merge(old, value)
        else:
            out[key] = value
    return out


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the file ({exc.strerror or exc})") from None


def _resolve(document: Document, chain: tuple[str, ...]
             ) -> tuple[dict, dict[tuple, str], list[str]]:
    """The scenario's data with ``extends: other.yaml`` applied, where each field was written,
    and the texts it was built from."""
    data, where = dict(document.data), document.where
    parent = data.pop("extends", None)
    if parent is None:
        return data, where, [document.text]
    if not isinstance(parent, str):
        raise ScenarioError(f"{where[('extends',)]}: extends: expected a scenario file name, "
                            f"found {parent!r}")
    path = Path(document.source).parent / parent
    if str(path.resolve()) in chain:
        raise ScenarioError(f"{where[('extends',)]}: extends: {parent} extends this file again")
    base, base_where, texts = _resolve(read_document(path),
                                       (*chain, str(Path(document.source).resolve())))
    return merge(base, data), {**base_where, **where}, [*texts, document.text]


def _read_yaml(text: str, source: str, what: str = "scenario") -> tuple[dict, dict[tuple, str]]:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        context = ""
        if exc.context and exc.context_mark:
            context = f" ({exc.context} at line {exc.context_mark.line + 1})"
        raise ScenarioError(f"{source}{line}: not valid YAML: {exc.problem or exc}{context}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{source}: not valid YAML: {exc}") from None
    if node is None:
        raise ScenarioError(f"{source}: the file is empty; expected a {what} (a mapping of "
                            "its fields)")
    if not isinstance(node, yaml.MappingNode):
        raise ScenarioError(f"{source}:{node.start_mark.line + 1}: expected a mapping of scenario "
                            f"fields, found a {type(node).__name__.removesuffix('Node').lower()}")
    where: dict[tuple, str] = {}
    _index(node, (), where, source)
    try:
        return _Loader(text).construct_document(node), where
    except yaml.MarkedYAMLError as exc:  # e.g. a !!python tag: safe loading refuses it
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise ScenarioError(f"{source}{line}: not allowed in a scenario: {exc.problem}") from None


def _index(node: yaml.Node, path: tuple, where: dict[tuple, str], source: str) -> None:
    """Record file:line of every field path; duplicate keys are errors, not silent overrides."""
    where[path] = f"{source}:{node.start_mark.line + 1}"
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            name = key.value
            if name in seen:
                where = ".".join(map(str, (*path, name)))
                raise ScenarioError(f"{source}:{key.start_mark.line + 1}: {where}: duplicate key")
            seen.add(name)
            _index(value, (*path, name), where, source)
            where[(*path, name)] = f"{source}:{key.start_mark.line + 1}"
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), where, source)


def _explain(errors: list[dict[str, Any]], source: str, where: dict[tuple, str],
             root: type[BaseModel] = Scenario) -> str:
    """One line per field; a union's several failed branches become one "expected A or B"."""
    by_field: dict[tuple, list[dict[str, Any]]] = {}
    for err in errors:
        by_field.setdefault(tuple(p for p in err["loc"] if not _is_type_tag(p)), []).append(err)
    out = []
    for group in by_field.values():
        if len(group) == 1:
            out.append(_describe(group[0], source, where, root))
            continue
        messages = [_describe(err, source, where, root) for err in group]
        head = messages[0].split(": expected", 1)[0]
        wants = [m.split(": expected", 1)[1].split("; found")[0].strip() for m in messages
                 if ": expected" in m]
        found = group[0].get("input")
        out.append(f"{head}: expected {' or '.join(wants)}; found {found!r}" if wants
                   else messages[0])
    return "\n".join(out)


def _describe(err: dict[str, Any], source: str, places: dict[tuple, str],
              root: type[BaseModel]) -> str:
    loc = tuple(part for part in err["loc"] if not _is_type_tag(part))
    field = _field_path(loc) or "(top level)"
    where = next((places[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in places), source)
    kind, found = err["type"], err.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_fields(loc[:-1], root)
        hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        expected = f"one of {', '.join(allowed)}" if allowed else "no such field"
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        return f"{where}: {field}: unknown field{suggestion}; expected {expected}"
    if kind == "missing":
        return f"{where}: {field}: required field is missing"
    message = err["msg"].removeprefix("Value error, ")
    message = message.replace("Input should be", "expected").replace("String should", "expected to")
    if kind.startswith(("value_error", "assertion_error")):
        return f"{where}: {field}: {message}"
    return f"{where}: {field}: {message}; found {found!r}"


def _is_type_tag(part: Any) -> bool:
    """Pydantic adds union branch names (``int``, ``list[str]``…) to locations; they are not fields."""
    return isinstance(part, str) and ("[" in part or part in {"int", "float", "str", "bool"}
                                      or part.startswith(("function-", "literal[")))


def _field_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _allowed_fields(loc: tuple, root: type[BaseModel]) -> list[str]:
    """The field names valid at ``loc`` in the schema, for 'did you mean' hints."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if _is_model(model) else None
        if field is None:
            return []
        model = _inner_model(field.annotation)
    return list(model.model_fields) if _is_model(model) else []


def _is_model(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, BaseModel)


def _inner_model(annotation: Any) -> Any:
    """The model class inside ``X``, ``X | None`` or ``list[X]``."""
    if _is_model(annotation):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        inner = _inner_model(arg)
        if inner is not None:
            return inner
    return None
