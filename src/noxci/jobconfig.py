"""A job's config: the keys every job shares, and how a job declares its own.

Each job module declares ``Settings``, a frozen dataclass that extends
:class:`JobConfig`. Its own keys are fields made with :func:`option`, which
carries the key's JSON Schema, its default and its one-line meaning: the
config schema, the defaults and docs/configuration.md are all built from
them, so a key is written once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = [
    "NAME",
    "PATHS",
    "JobConfig",
    "build_settings",
    "option",
    "settings_defaults",
    "settings_schema",
]

_T = TypeVar("_T")

PATHS: Mapping[str, Any] = {
    "type": "array",
    "items": {"type": "string", "minLength": 1},
}
NAME: Mapping[str, Any] = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}


def option(
    default: Any,
    schema: Mapping[str, Any],
    doc: str,
    *,
    convert: Callable[[Any], Any] | None = None,
) -> Any:
    """A job-specific config key: its default, JSON Schema and meaning.

    ``convert`` turns the TOML value into the field's type (tables into
    dataclasses); lists become tuples without it.
    """
    metadata = {"schema": {**schema, "description": doc}, "convert": convert}
    if isinstance(default, (list, dict)):
        raise TypeError("use a tuple or a frozen value as a default")
    return dataclasses.field(default=default, metadata=metadata)


def _shared(schema: Mapping[str, Any], doc: str) -> Any:
    return dataclasses.field(metadata={"schema": {**schema, "description": doc}})


@dataclass(frozen=True, kw_only=True)
class JobConfig:
    """What every job has; its defaults come from the job's registry entry."""

    blocking: bool = _shared(
        {"type": "boolean"}, "Whether a failure of this job fails the session and CI."
    )
    timeout: float = _shared(
        {"type": "number", "exclusiveMinimum": 0, "maximum": 86400},
        "Seconds each tool run may take before it is stopped and the report says error.",
    )
    group: str = _shared(
        {"type": "string", "minLength": 1},
        "The PEP 735 dependency group the session installs from uv.lock.",
    )
    tools: tuple[str, ...] = _shared(
        PATHS,
        "Requirements noxci installs when the project declares no dependency group for this job (pinned defaults).",
    )
    install_project: bool = _shared(
        {"type": "boolean"},
        "Whether the session installs the project itself (editable) besides its group.",
    )
    cache: bool | str = _shared(
        {"oneOf": [{"type": "boolean"}, {"const": "daily"}]},
        "Reuse the last report when the inputs digest is unchanged: true, false, or daily (the date is an input, for results that age, like vulnerability audits).",
    )
    inputs: tuple[str, ...] = _shared(
        PATHS,
        "Git-style globs of the files this job reads; their contents go into inputs_digest.",
    )
    inputs_exclude: tuple[str, ...] = _shared(PATHS, "Globs removed from inputs.")
    env: tuple[str, ...] = _shared(
        {"type": "array", "items": NAME},
        "Environment variables whose values (hashed) go into inputs_digest.",
    )

    @property
    def digest_globs(self) -> tuple[str, ...]:
        """The files the job's inputs digest covers: ``inputs`` and what the job itself reads."""
        return self.inputs


def _key(field: dataclasses.Field[Any]) -> str:
    return field.name.replace("_", "-")


def _own_fields(cls: type[JobConfig]) -> list[dataclasses.Field[Any]]:
    shared = {f.name for f in dataclasses.fields(JobConfig)}
    return [f for f in dataclasses.fields(cls) if f.name not in shared]


def _toml(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_toml(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name.replace("_", "-"): _toml(getattr(value, f.name))
            for f in dataclasses.fields(value)
        }
    return value


def shared_schema() -> dict[str, Any]:
    """The JSON Schema of each key every job has (for the schema's ``$defs``)."""
    return {_key(f): dict(f.metadata["schema"]) for f in dataclasses.fields(JobConfig)}


def settings_schema(cls: type[JobConfig]) -> dict[str, Any]:
    """The JSON Schema of a job's own keys."""
    return {_key(f): dict(f.metadata["schema"]) for f in _own_fields(cls)}


def settings_defaults(cls: type[JobConfig]) -> dict[str, Any]:
    """A job's own keys with their defaults, as TOML values (kebab-case); unset ones left out."""
    return {
        _key(f): _toml(f.default) for f in _own_fields(cls) if f.default is not None
    }


def build_settings(cls: type[_T], table: Mapping[str, Any]) -> _T:
    """Fill dataclass ``cls`` from a schema-valid kebab-case table."""
    values: dict[str, Any] = {}
    for item in dataclasses.fields(cls):  # type: ignore[arg-type]
        key = item.name.replace("_", "-")
        if key not in table:
            continue
        value = table[key]
        convert = item.metadata.get("convert")
        if convert is not None:
            value = convert(value)
        elif isinstance(value, list):
            value = tuple(value)
        values[item.name] = value
    return cls(**values)
