"""Advisories read from a directory of OSV YAML/JSON files, and version matching.

The PyPA Advisory Database layout (``vulns/<package>/<ID>.yaml``) is indexed
by directory and file name at start-up and parsed lazily per package; any
other layout is parsed in full on first use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from noxci import safefile
from noxci.errors import ConfigError

__all__ = ["AdvisoryStore", "affects"]

_SUFFIXES = {".yaml", ".yml", ".json"}


def _yaml(text: str) -> Any:
    """Safe YAML parsing, with libyaml's C loader when it is there (5x faster)."""
    if hasattr(yaml, "CSafeLoader"):
        return yaml.load(text, Loader=yaml.CSafeLoader)
    return yaml.safe_load(text)  # pragma: no cover - PyYAML built without libyaml


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _in_range(version: Version, events: list[Mapping[str, str]]) -> bool:
    """OSV's ECOSYSTEM range semantics: introduced .. fixed (or last_affected]."""
    affected = False
    for event in events:
        if "introduced" in event:
            start = event["introduced"]
            low = None if start == "0" else _version(start)
            if start == "0" or (low is not None and version >= low):
                affected = True
        elif "fixed" in event:
            high = _version(event["fixed"])
            if high is not None and version >= high:
                affected = False
        elif "last_affected" in event:
            last = _version(event["last_affected"])
            if last is not None and version > last:
                affected = False
    return affected


def affects(advisory: Mapping[str, Any], name: str, version: str) -> bool:
    """Whether ``advisory`` affects PyPI package ``name`` at ``version``."""
    wanted = canonicalize_name(name)
    parsed = _version(version)
    for entry in advisory.get("affected", []):
        package = entry.get("package", {})
        if (
            package.get("ecosystem") != "PyPI"
            or canonicalize_name(package.get("name", "")) != wanted
        ):
            continue
        listed = entry.get("versions", [])
        if version in listed or (
            parsed is not None and any(_version(v) == parsed for v in listed)
        ):
            return True
        if parsed is None:
            continue
        for rng in entry.get("ranges", []):
            if rng.get("type") == "ECOSYSTEM" and _in_range(
                parsed, rng.get("events", [])
            ):
                return True
    return False


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _range_ok(rng: Any) -> bool:
    events = rng.get("events", []) if isinstance(rng, dict) else None
    return isinstance(events, list) and all(
        isinstance(e, dict) and all(isinstance(v, str) for v in e.values())
        for e in events
    )


def _entry_problem(entry: Any) -> str | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("package", {}), dict):
        return "an affected entry is not a mapping with a package mapping"
    if not isinstance(entry.get("package", {}).get("name", ""), str):
        return "a package name is not a string"
    if not _strings(entry.get("versions", [])):
        return "versions is not a list of strings"
    ranges = entry.get("ranges", [])
    if not isinstance(ranges, list) or not all(_range_ok(r) for r in ranges):
        return "a range is not a list of string events"
    return None


def shape_problem(data: Any) -> str | None:
    """What makes ``data`` unusable as an OSV advisory here, if anything."""
    if not isinstance(data, dict):
        return "not a mapping"
    if not isinstance(data.get("id", ""), str) or not _strings(data.get("aliases", [])):
        return "id or aliases is not text"
    affected = data.get("affected", [])
    if not isinstance(affected, list):
        return "affected is not a list"
    return next(filter(None, map(_entry_problem, affected)), None)


def _jsonable(value: Any) -> Any:
    """YAML timestamps become OSV's ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` strings."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC) if value.tzinfo else value
        return value.replace(tzinfo=None).isoformat() + "Z"
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00Z"
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


class AdvisoryStore:
    """The advisories under ``root``, by package and by id."""

    def __init__(self, root: Path, *, limit: int | None = None) -> None:
        if not root.is_dir():
            raise ConfigError(f"{root}: no such advisory directory")
        self.root = root
        self.limit = limit
        self._by_package: dict[str, list[Path]] = {}
        self._by_id: dict[str, Path] = {}
        self._loaded: dict[Path, dict[str, Any]] = {}
        self._flat: list[Path] = []
        for path in sorted(root.rglob("*")):
            if path.suffix not in _SUFFIXES or not path.is_file():
                continue
            self._by_id[path.stem] = path
            if path.parent == root:
                self._flat.append(path)
            else:
                self._by_package.setdefault(
                    canonicalize_name(path.parent.name), []
                ).append(path)
        self._flat_indexed = not self._flat

    def __len__(self) -> int:
        return len(self._by_id)

    def _load(self, path: Path) -> dict[str, Any]:
        if path not in self._loaded:
            # Read through the safe reader; a broken advisory fails the query
            # (a FileProblem): skipping it would hide a vulnerability.
            text = safefile.read_text(path, root=self.root, limit=self.limit)
            try:
                data = safefile.loads(text) if path.suffix == ".json" else _yaml(text)
                safefile.check_nesting(data)
                data = _jsonable(data)
                problem = shape_problem(data)
            except (yaml.YAMLError, ValueError) as exc:
                problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if problem is not None:
                raise safefile.FileProblem(path, f"not a valid advisory: {problem}")
            self._loaded[path] = data
        return self._loaded[path]

    def _index_flat(self) -> None:
        for path in self._flat:
            for entry in self._load(path).get("affected", []):
                name = canonicalize_name(entry.get("package", {}).get("name", ""))
                self._by_package.setdefault(name, []).append(path)
        self._flat_indexed = True

    def _candidates(self, name: str) -> Iterator[dict[str, Any]]:
        if not self._flat_indexed:
            self._index_flat()
        for path in self._by_package.get(canonicalize_name(name), []):
            yield self._load(path)

    def query(self, name: str, version: str) -> list[dict[str, Any]]:
        """Every advisory affecting ``name`` at ``version``, by id."""
        found = {
            adv["id"]: adv
            for adv in self._candidates(name)
            if "id" in adv and affects(adv, name, version)
        }
        return [found[key] for key in sorted(found)]

    def get(self, advisory_id: str) -> dict[str, Any] | None:
        """The advisory with this id (or alias), if known."""
        path = self._by_id.get(advisory_id)
        if path is not None:
            return self._load(path)
        for path in self._by_id.values():
            data = self._load(path)
            if advisory_id in data.get("aliases", []):
                return data
        return None
