"""The ``build`` job: ``uv build`` of the sdist and wheel, with their hashes.

Artifacts are built into a private directory and then moved into ``out-dir``
(git-ignored), so a failed build never leaves half an artifact behind.
``nox -s build -- ARGS`` passes ARGS to ``uv build``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from noxci import fsutil
from noxci.jobconfig import JobConfig, option
from noxci.jobs.base import JobContext, Outcome
from noxci.report import Finding, Severity, Status
from noxci.uvtool import find_uv
from noxci.venvs import interpreter

__all__ = ["Settings", "run"]


@dataclass(frozen=True, kw_only=True)
class Settings(JobConfig):
    """``[tool.noxci.build]``."""

    out_dir: str = option(
        "dist",
        {"type": "string", "minLength": 1},
        "Where the artifacts go (git-ignored).",
    )


@dataclass(frozen=True, kw_only=True)
class Artifact:
    """One built distribution."""

    file: str
    kind: str
    size: int
    sha256: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _kind(name: str) -> str | None:
    if name.endswith(".whl"):
        return "wheel"
    if name.endswith((".tar.gz", ".zip")):
        return "sdist"
    return None


def _collect(tmp: Path, out_dir: Path, *, keep: bool) -> list[Artifact]:
    """Hash what uv built; move it into ``out_dir`` only when the build passed."""
    artifacts = []
    for path in sorted(tmp.iterdir()):
        kind = _kind(path.name)
        if kind is None:
            continue
        artifacts.append(
            Artifact(
                file=path.name,
                kind=kind,
                size=path.stat().st_size,
                sha256=_sha256(path),
            )
        )
        if keep:
            os.replace(path, out_dir / path.name)
    return artifacts


def run(ctx: JobContext) -> Outcome:
    """Build, hash and collect the distributions."""
    cfg = ctx.settings(Settings)
    out_dir = ctx.root / cfg.out_dir
    if not out_dir.exists():  # an existing dist/ is the project's to ignore
        fsutil.ignored_dir(out_dir)
    python = ["--python", str(interpreter(ctx.venv))] if ctx.venv else []
    with tempfile.TemporaryDirectory(prefix=".build-", dir=out_dir) as tmp:
        done = ctx.tool(
            [find_uv(), "build", "--out-dir", tmp, *python, *ctx.posargs],
            env={"UV_PYTHON_DOWNLOADS": "never"},
        )
        artifacts = _collect(Path(tmp), out_dir, keep=done.returncode == 0)
    ok = done.returncode == 0 and {a.kind for a in artifacts} >= {"sdist", "wheel"}
    if not ok:
        message = (
            f"uv build exited {done.returncode}: {done.tail()}"
            if done.returncode
            else "uv build did not produce both an sdist and a wheel"
        )
        return Outcome(
            status=Status.FAILED,
            summary=message,
            metrics={"artifacts_count": 0, "artifacts_bytes": 0},
            findings=[
                Finding(
                    tool="uv",
                    rule="build-failed",
                    severity=Severity.HIGH,
                    message=message,
                )
            ],
        )
    return Outcome(
        status=Status.PASSED,
        summary=f"built {', '.join(a.file for a in artifacts)}",
        metrics={
            "artifacts_count": len(artifacts),
            "artifacts_bytes": sum(a.size for a in artifacts),
        },
        artifacts={
            f"{a.kind}:{a.file}": ctx.relative(out_dir / a.file) for a in artifacts
        },
        details={"artifacts": [asdict(a) for a in artifacts]},
    )
