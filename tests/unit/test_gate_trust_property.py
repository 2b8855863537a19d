"""Property: nothing but better evidence raises the score or passes the gate.

The evidence fails the gate: GitHub's last 10 CI runs passed 7 times (86.95),
and, on a laptop, the committed preflight history passed 2 of 5 runs. Then
an adversary, in any order, takes GitHub down or makes it slow or rate-limit
(with the cache fresh, old, gone or replaced by a local one), deletes,
truncates or edits the tracked history, re-runs an unchanged preflight,
marks a blocking job failed with clean figures, or writes nan or inf into
the configuration. The gate never passes and the score never rises.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from noxci.config import Config, load_config
from noxci.errors import ConfigError, NetworkError
from noxci.github import GitHubSettings
from noxci.readiness.model import CiRun, Gate
from noxci.readiness.run import Options, readiness
from noxci.report import checksum
from tests.conftest import git
from tests.readiness_helpers import (
    ci_runs,
    fetch_returning,
    passing_set,
    write_project,
)

GITHUB = GitHubSettings(
    token="ghs_PropertyToken0007",
    repository="acme/widget",
    api_url="http://127.0.0.1:9",
)
FETCHED = "2026-11-27T10:00:00Z"
NOW = {"fresh": "2026-11-27T12:00:00Z", "old": "2026-11-28T12:00:00Z"}


def _down(*_: object, **__: object) -> list[CiRun]:
    raise NetworkError("GitHub API answered 503 after 3 attempts in 9.0 s")


@pytest.fixture(scope="module")
def base() -> Iterator[Path]:
    """A git project: passing reports, GitHub's cached 7 of 10, 2 of 5 preflight runs committed."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "base"
        root.mkdir()
        config = write_project(root)
        (root / ".gitignore").write_text("reports/\n")
        git(root, "init", "-q", "-b", "main")
        for hour, passed in zip(range(5, 10), "fffss", strict=True):
            (root / "src" / "widget" / f"run{hour}.py").write_text('"""R."""\n')
            passing_set(config)
            if passed == "f":
                (config.reports_dir / "lint.json").unlink()
            readiness(  # recorded in the committed history
                config,
                {},
                Options(
                    now=f"2026-11-27T0{hour}:00:00Z", context="preflight", update=True
                ),
            )
        passing_set(config)
        readiness(
            config,
            {},
            Options(
                now=FETCHED,
                github=GITHUB,
                fetch=fetch_returning(ci_runs("sssssssfff")),
                context="ci",
            ),
        )
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "evidence")
        yield root


def _score(config: Config, mode: str, now: str) -> tuple[Gate, float]:
    if mode == "local":
        options = Options(now=now, context="preflight", write=False)
    elif mode == "github-ok":
        options = Options(
            now=now,
            github=GITHUB,
            fetch=fetch_returning(ci_runs("sssssssfff")),
            write=False,
        )
    else:
        options = Options(now=now, github=GITHUB, fetch=_down, write=False)
    result = readiness(config, {}, options).result
    return result.gate, result.score


@pytest.fixture(scope="module")
def baselines(base: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        shutil.copytree(base, root)
        config = load_config(root)
        gate, github = _score(config, "github-ok", NOW["fresh"])
        assert gate is Gate.BELOW_THRESHOLD
        assert github == pytest.approx(0.4 * 70 + 0.3 * 96.5 + 20 + 10)
        gate, local = _score(config, "local", NOW["fresh"])
        assert gate is Gate.BELOW_THRESHOLD  # 3 of 6 runs passed, the current one too
        return {"github": github, "local": local}


def _history(config: Config, kind: str, n: int) -> None:
    path = config.readiness_dir / "history.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    if kind == "delete":
        path.unlink(missing_ok=True)
    elif kind == "truncate":
        path.write_text("".join(f"{line}\n" for line in lines[: n % (len(lines) + 1)]))
    elif kind == "flip" and lines:
        i = n % len(lines)
        data = json.loads(lines[i])
        data.update({"outcome": "success", "jobs_ok": True, "score": 100.0})
        lines[i] = json.dumps(data)
        path.write_text("\n".join(lines) + "\n")
    elif kind == "shuffle":
        path.write_text("\n".join(reversed(lines)) + "\n")


def _fail_blocking(config: Config, n: int) -> None:
    job = ("lint", "tests")[n % 2]
    path = config.reports_dir / f"{job}.json"
    data = json.loads(path.read_text())
    data["status"] = "failed"
    data["checksum"] = checksum(data)
    path.write_text(json.dumps(data))


ACTIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("history"),
            st.sampled_from(["delete", "truncate", "flip", "shuffle"]),
            st.integers(0, 50),
        ),
        st.tuples(st.just("rerun"), st.just(""), st.integers(1, 2)),
        st.tuples(st.just("fail-blocking"), st.just(""), st.integers(0, 9)),
        st.tuples(
            st.just("config"),
            st.sampled_from(["nan", "inf", "-inf"]),
            st.integers(0, 2),
        ),
    ),
    max_size=3,
)
MODES = st.sampled_from(
    [
        "github-ok",
        "github-down-fresh",
        "github-down-old",
        "github-down-none",
        "github-down-local",
        "local",
    ]
)


def _apply(config: Config, action: tuple[str, str, int]) -> None:
    kind, what, n = action
    if kind == "history":
        _history(config, what, n)
    elif kind == "rerun":
        for minute in range(n):
            readiness(
                config,
                {},
                Options(now=f"2026-11-27T11:{minute:02d}:00Z", context="preflight"),
            )
    elif kind == "fail-blocking":
        _fail_blocking(config, n)
    else:
        key = ("threshold", "ci-runs", "ci-cache-hours")[n]
        pyproject = config.root / "pyproject.toml"
        pyproject.write_text(
            pyproject.read_text() + f"\n[tool.noxci.readiness]\n{key} = {what}\n"
        )


def _prepare(config: Config, mode: str) -> None:
    cache = config.readiness_dir / "readiness.json"
    if mode == "github-down-none":
        cache.unlink()
    elif mode == "github-down-local":
        data: dict[str, Any] = json.loads(cache.read_text())
        data["ci"].update(
            {
                "source": "preflight",
                "runs": [r | {"conclusion": "success"} for r in data["ci"]["runs"]],
            }
        )
        cache.write_text(json.dumps(data))


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(mode=MODES, actions=ACTIONS)
def test_nothing_but_better_evidence_passes_the_gate(
    base: Path,
    baselines: dict[str, float],
    mode: str,
    actions: list[tuple[str, str, int]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        shutil.copytree(base, root)
        config = load_config(root)
        _prepare(config, mode)
        # A broken pyproject.toml stops every run, so it comes last.
        for action in sorted(actions, key=lambda a: a[0] == "config"):
            _apply(config, action)
        if any(kind == "config" for kind, _, _ in actions):
            with pytest.raises(ConfigError, match=r"pyproject\.toml"):
                load_config(root)
            return  # a bad number stops noxci: it can never pass
        config = load_config(root)
        now = NOW["old"] if mode == "github-down-old" else NOW["fresh"]
        kind = mode if mode in {"local", "github-ok"} else "github-down"
        gate, score = _score(config, kind, now)
        limit = baselines["local" if mode == "local" else "github"]
        assert gate is not Gate.PASSED, (mode, actions)
        assert score <= limit + 1e-9, (mode, actions)
