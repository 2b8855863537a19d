"""The JSON Schemas shipped in the package, and validation against them."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

__all__ = ["first_error", "load_schema", "validation_errors"]


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema ``name``: ``report`` and ``readiness`` are shipped files.

    ``config`` is built from the job registry (:mod:`noxci.configschema`).
    """
    if name == "config":
        from noxci.configschema import config_schema

        return config_schema()
    text = resources.files("noxci.schemas").joinpath(f"{name}.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator(name: str) -> Validator:
    # jsonschema is imported here, not at module level: `nox -l` must not pay
    # for it.
    import jsonschema

    schema = load_schema(name)
    # The shipped schemas are checked against their metaschema by the test
    # suite; checking them again on every run would cost most of a second.
    cls = jsonschema.validators.validator_for(schema)
    validator: Validator = cls(schema)
    return validator


def _location(path: Any) -> str:
    parts = [str(part) for part in path]
    return ".".join(parts) if parts else "(top level)"


MAX_MESSAGE = 300  # jsonschema quotes the offending value: a hostile one can be huge


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 3] + "..."


def validation_errors(name: str, data: Any) -> list[str]:
    """Return one line per way ``data`` breaks schema ``name``, in path order."""
    lines = {
        _short(f"{_location(error.absolute_path)}: {error.message}")
        for error in _validator(name).iter_errors(data)
    }
    return sorted(lines)


def first_error(name: str, data: Any) -> tuple[tuple[str | int, ...], str] | None:
    """The first way ``data`` breaks schema ``name``: (path, message), or None."""
    errors = sorted(
        _validator(name).iter_errors(data),
        key=lambda e: [str(p) for p in e.absolute_path],
    )
    if not errors:
        return None
    return tuple(errors[0].absolute_path), _short(errors[0].message)
