"""The config schema and defaults, built from the registry and the jobs' Settings.

``schemas/config-base.schema.json`` and ``schemas/defaults.toml`` hold the
keys that are not a job's (the Python versions, directories, readiness).
Every job adds one table: the keys all jobs share, defined once under
``$defs``, and its own keys from its ``Settings``. ``noxci config schema``
prints the result; docs/configuration.md is generated from it.
"""

from __future__ import annotations

import copy
import functools
import importlib
import json
import tomllib
from importlib import resources
from typing import TYPE_CHECKING, Any

from noxci.registry import JOBS, JobSpec

if TYPE_CHECKING:
    from noxci.jobconfig import JobConfig

__all__ = ["config_schema", "defaults", "settings_class"]


def settings_class(spec: JobSpec) -> type[JobConfig]:
    """The job's ``Settings`` dataclass (its module is imported on demand)."""
    settings: type[JobConfig] = importlib.import_module(spec.module).Settings
    return settings


def _resource(name: str) -> str:
    return resources.files("noxci.schemas").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def config_schema() -> dict[str, Any]:
    """The whole ``[tool.noxci]`` JSON Schema."""
    from noxci.jobconfig import settings_schema, shared_schema

    schema: dict[str, Any] = json.loads(_resource("config-base.schema.json"))
    shared = shared_schema()
    schema.setdefault("$defs", {}).update(
        {f"job-{key}": value for key, value in shared.items()}
    )
    tables = {}
    for spec in JOBS:
        properties = {key: {"$ref": f"#/$defs/job-{key}"} for key in shared}
        properties.update(settings_schema(settings_class(spec)))
        tables[spec.name] = {
            "type": "object",
            "additionalProperties": False,
            "description": spec.description,
            "properties": properties,
        }
    readiness = schema["properties"].pop("readiness")
    schema["properties"].update({**tables, "readiness": readiness})
    return schema


@functools.cache
def _defaults() -> dict[str, Any]:
    from noxci.jobconfig import settings_defaults

    merged: dict[str, Any] = tomllib.loads(_resource("defaults.toml"))
    for spec in JOBS:
        merged[spec.name] = {
            **spec.shared_defaults(),
            **settings_defaults(settings_class(spec)),
        }
    return merged


def defaults() -> dict[str, Any]:
    """Every key's default, as a ``[tool.noxci]`` table would spell it."""
    return copy.deepcopy(_defaults())
