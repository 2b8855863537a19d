"""Property: corrupting or omitting any part of a passing input set never
passes the gate and never raises the score (300 random cases).

The baseline is scored once for the module: every case starts from a copy of
the same project, so recomputing it per case only cost time."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from noxci import fsutil
from noxci.config import Config, load_config
from noxci.errors import NetworkError
from noxci.github import GitHubSettings
from noxci.readiness.model import Gate
from noxci.readiness.run import Options, readiness
from noxci.report import checksum
from tests.readiness_helpers import (
    SCORED_JOBS,
    ci_runs,
    fetch_returning,
    passing_set,
    write_project,
)

GITHUB = GitHubSettings(
    token="t", repository="acme/widget", api_url="http://127.0.0.1:9"
)


def _edit(
    path: Path, change: Callable[[dict[str, Any]], None], *, reseal: bool
) -> None:
    data = json.loads(path.read_text())
    change(data)
    if reseal:
        data["checksum"] = checksum(data)
    path.write_text(json.dumps(data))


def _mutate(
    config: Config, mutation: tuple[str, str, int]
) -> Callable[..., list[Any]] | None:
    """Apply one corruption; return a replacement CI fetcher when the CI is hit."""
    target, kind, n = mutation
    if target == "ci":
        if kind == "down":

            def down(*_: object, **__: object) -> list[Any]:
                raise NetworkError("GitHub API unreachable (ConnectionError)")

            return down
        return fetch_returning(ci_runs("c" * (n % 5)))  # nothing completed counts
    if target == "tree":
        source = config.root / "src" / "widget" / "__init__.py"
        source.write_text(source.read_text() + f"EXTRA = {n}\n")
        return None
    path = config.reports_dir / f"{target}.json"
    if not path.exists():
        return None  # already deleted by an earlier mutation
    text = path.read_text(errors="replace")
    try:
        metrics = sorted(fsutil.loads(text)["metrics"])
    except (ValueError, KeyError, TypeError):
        metrics = []
    if not metrics:
        path.unlink()  # already corrupt from an earlier mutation: omit it instead
        return None
    if kind == "delete":
        path.unlink()
    elif kind == "truncate":
        body = text.rstrip()
        path.write_text(body[: n % len(body)])
    elif kind == "flip-digit":  # +1 mod 10: four flips can never cancel out
        digits = [i for i, ch in enumerate(text) if ch.isdigit()]
        i = digits[n % len(digits)]
        path.write_text(text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1 :])
    elif (
        kind == "edit-unsealed"
    ):  # a changed figure, however plausible, breaks the seal
        key = metrics[n % len(metrics)]
        _edit(
            path,
            lambda d: d["metrics"].update({key: d["metrics"][key] + 1}),
            reseal=False,
        )
    elif kind in {"skipped", "error"}:

        def status(d: dict[str, Any]) -> None:
            d["status"] = kind
            d["error"] = "tool crashed" if kind == "error" else None

        _edit(path, status, reseal=True)
    elif kind == "nan-metric":
        key = metrics[n % len(metrics)]
        data = json.loads(text)
        data["metrics"][key] = 123456789
        path.write_text(json.dumps(data).replace("123456789", "NaN"))
    elif kind == "drop-metric":
        _edit(path, lambda d: d["metrics"].pop(metrics[n % len(metrics)]), reseal=True)
    elif kind == "negative-metric":
        key = metrics[n % len(metrics)]
        _edit(path, lambda d: d["metrics"].update({key: -1 - n}), reseal=True)
    elif kind == "garbage":
        path.write_bytes(bytes([n % 256]) * (1 + n % 7))
    elif kind == "wrong-version":
        _edit(path, lambda d: d.update({"schema_version": 2 + n % 3}), reseal=True)
    return None


REPORT_KINDS = [
    "delete",
    "truncate",
    "flip-digit",
    "edit-unsealed",
    "skipped",
    "error",
    "nan-metric",
    "drop-metric",
    "negative-metric",
    "garbage",
    "wrong-version",
]
mutation = st.one_of(
    st.tuples(
        st.sampled_from(SCORED_JOBS),
        st.sampled_from(REPORT_KINDS),
        st.integers(0, 10_000),
    ),
    st.tuples(
        st.just("ci"), st.sampled_from(["down", "cancelled-only"]), st.integers(0, 100)
    ),
    st.tuples(st.just("tree"), st.just("edit"), st.integers(0, 100)),
)


@pytest.fixture(scope="module")
def base_project() -> Any:
    """The passing project, and its score (the baseline of every case)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "base"
        root.mkdir()
        config = write_project(root)
        passing_set(config)
        fetch = fetch_returning(ci_runs("s" * 10))
        baseline = readiness(
            config, {}, Options(github=GITHUB, fetch=fetch, write=False)
        )
        assert baseline.result.gate is Gate.PASSED
        yield root, baseline.result.score


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(mutations=st.lists(mutation, min_size=1, max_size=4))
def test_corruption_never_passes_and_never_raises(
    base_project: tuple[Path, float], mutations: list[tuple[str, str, int]]
) -> None:
    base, baseline = base_project
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        shutil.copytree(base, root)
        config = load_config(root)
        fetch = fetch_returning(ci_runs("s" * 10))
        for item in mutations:
            fetch = _mutate(config, item) or fetch
        result = readiness(
            config, {}, Options(github=GITHUB, fetch=fetch, write=False)
        ).result
        assert result.gate is not Gate.PASSED, mutations
        assert result.gate.exit_code in {1, 2, 8}
        assert result.score <= baseline, mutations
