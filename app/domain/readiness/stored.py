"""A readiness result as plain JSON and back, so a report page reads the stored result instead of
recomputing the model on every view.

Rules: dataclasses become objects of their fields, enums their values, tuples lists; reading rebuilds
the same types from the annotations (`from_json(to_json(r)) == r`). Unknown or missing fields raise
ValueError, and the caller recomputes: a stored result from an older version of the code is never
trusted half-read.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from typing import Any

from .results import Readiness


def to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, dict | types.MappingProxyType):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def readiness_from_json(data: Any) -> Readiness:
    try:
        return _build(Readiness, data)
    except (TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"not a stored readiness result: {exc}") from exc


def _build(kind: Any, data: Any) -> Any:  # noqa: C901 - one branch per kind of annotation
    origin = typing.get_origin(kind)
    if kind is Any:
        return data
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        if data is None:
            return None
        if len(options) == 1:
            return _build(options[0], data)
        return data
    if origin is tuple:
        args = typing.get_args(kind)
        item = args[0] if args else Any
        if item is str or item is Any:  # cited evidence ids: as stored, without a call per id
            return tuple(data)
        return tuple(_build(item, v) for v in data)
    if origin in (dict, typing.Mapping) or kind in (dict,):
        args = typing.get_args(kind)
        value = args[1] if len(args) == 2 else Any
        return {k: _build(value, v) for k, v in data.items()}
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(data)
    if dataclasses.is_dataclass(kind):
        hints, names, fields = _shape(kind)
        unknown = set(data) - fields
        if unknown:
            raise KeyError(f"{kind.__name__} has no field {sorted(unknown)[0]!r}")
        return kind(**{name: _build(hints[name], data[name]) for name in names if name in data})
    if kind is float and isinstance(data, int):
        return float(data)
    return data


@functools.cache
def _shape(kind: type) -> tuple[dict[str, Any], frozenset[str], frozenset[str]]:
    """A dataclass's resolved annotations, its init fields and all its fields (resolving them is slow)."""
    fields = dataclasses.fields(kind)
    return (
        typing.get_type_hints(kind),
        frozenset(f.name for f in fields if f.init),
        frozenset(f.name for f in fields),
    )
