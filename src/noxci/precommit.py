"""The tool hooks of a project's ``.pre-commit-config.yaml``: their versions and paths.

A hook's ``rev`` is the version of the tool the project runs (ruff-pre-commit
``v0.15.16`` is ruff 0.15.16), the paths in its ``args`` are what the
project runs it on (structlog runs interrogate on ``tests``), and its
``additional_dependencies`` what the tool needs beside it (hepunits' mypy
hook adds pint, whose types it checks against).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Hook", "pre_commit_hooks"]

# The repositories whose rev is the tool's own version, by their last path part.
_REPOS = {
    "ruff-pre-commit": "ruff",
    "black-pre-commit-mirror": "black",
    "black": "black",
    "flake8": "flake8",
    "mirrors-mypy": "mypy",
    "bandit": "bandit",
    "interrogate": "interrogate",
    "zizmor-pre-commit": "zizmor",
}


@dataclass(frozen=True, kw_only=True)
class Hook:
    """One tool's hook: the version its rev names and the paths its args give."""

    version: str
    paths: tuple[str, ...]
    ids: tuple[str, ...] = ()
    additional_dependencies: tuple[str, ...] = ()


def pre_commit_hooks(root: Path) -> dict[str, Hook]:
    """The tools pinned by ``.pre-commit-config.yaml``, by distribution name."""
    path = root / ".pre-commit-config.yaml"
    if not path.is_file():
        return {}
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    found: dict[str, Hook] = {}
    repos = data.get("repos", []) if isinstance(data, dict) else []
    for repo in repos if isinstance(repos, list) else []:
        if not isinstance(repo, dict):
            continue
        url, rev = str(repo.get("repo", "")), str(repo.get("rev", ""))
        tool = _REPOS.get(url.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1])
        match = re.fullmatch(r"v?(\d+(?:\.\d+)+)", rev)
        if not tool or not match:
            continue
        paths: list[str] = []
        ids: list[str] = []
        extra: list[str] = []
        for hook in repo.get("hooks") or []:
            if isinstance(hook, dict) and isinstance(hook.get("id"), str):
                ids.append(hook["id"])
            deps = (
                hook.get("additional_dependencies") if isinstance(hook, dict) else None
            )
            extra += (
                [d for d in deps if isinstance(d, str)]
                if isinstance(deps, list)
                else []
            )
            args = hook.get("args") if isinstance(hook, dict) else None
            for arg in args if isinstance(args, list) else []:
                if isinstance(arg, str) and not arg.startswith("-"):
                    paths.append(arg)
        found[tool] = Hook(
            version=match.group(1),
            paths=tuple(paths),
            ids=tuple(ids),
            additional_dependencies=tuple(dict.fromkeys(extra)),
        )
    return found
