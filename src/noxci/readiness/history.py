"""``readiness/history.jsonl``: one compact line per scored run, oldest first.

It feeds the trend (sparkline, weekly comparison) and, on a machine with no
GitHub access and no cache, the local CI pass rate (preflight runs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from noxci import fsutil, safefile
from noxci.readiness.model import CiRun

__all__ = ["HistoryEntry", "append_entry", "preflight_runs", "read_history"]


@dataclass(frozen=True, kw_only=True)
class HistoryEntry:
    """One scored run."""

    generated_at: str
    commit: str | None
    branch: str | None
    context: str
    score: float
    band: str
    gate: str
    components: dict[str, float]
    jobs_ok: bool
    cache_hits: int = 0
    jobs: int = 0
    flaky: int = 0
    security_keys: tuple[str, ...] = ()
    duration_s: float | None = None  # a preflight's wall time, jobs only

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of one line."""
        return {
            "generated_at": self.generated_at,
            "commit": self.commit,
            "branch": self.branch,
            "context": self.context,
            "score": round(self.score, 4),
            "band": self.band,
            "gate": self.gate,
            "components": {k: round(v, 4) for k, v in self.components.items()},
            "jobs_ok": self.jobs_ok,
            "cache_hits": self.cache_hits,
            "flaky": self.flaky,
            "security_keys": list(self.security_keys),
            "jobs": self.jobs,
            **(
                {"duration_s": round(self.duration_s, 3)}
                if self.duration_s is not None
                else {}
            ),
        }


def _finite(value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
    ):
        raise ValueError("not a finite number")
    return float(value)


def _number(value: Any) -> float:
    number = _finite(value)
    if not 0 <= number <= 100:
        raise ValueError("outside 0..100")
    return number


def _entry(data: Any) -> HistoryEntry:
    if not isinstance(data, dict):
        raise ValueError("not an object")
    if not isinstance(data.get("jobs_ok"), bool) or data.get("context") not in {
        "ci",
        "preflight",
        "local",
    }:
        raise ValueError("bad jobs_ok or context")
    return HistoryEntry(
        generated_at=str(data["generated_at"]),
        commit=data.get("commit"),
        branch=data.get("branch"),
        context=data["context"],
        score=_number(data["score"]),
        band=str(data["band"]),
        gate=str(data["gate"]),
        components={str(k): _number(v) for k, v in dict(data["components"]).items()},
        jobs_ok=data["jobs_ok"],
        cache_hits=int(data.get("cache_hits", 0)),
        jobs=int(data.get("jobs", 0)),
        flaky=int(data.get("flaky", 0)),
        security_keys=tuple(str(k) for k in data.get("security_keys", [])),
        duration_s=_duration(data.get("duration_s")),
    )


def _duration(value: Any) -> float | None:
    if value is None:
        return None
    seconds = _finite(value)
    if seconds < 0:
        raise ValueError("duration_s is negative")
    return seconds


def read_history(
    path: Path, *, root: Path | None = None, max_bytes: int | None = None
) -> tuple[list[HistoryEntry], list[int]]:
    """The entries, and the numbers of lines that could not be read.

    A missing file is an empty history; one that cannot be read at all (a
    FIFO, too large, unreadable) is a :class:`~noxci.safefile.FileProblem`.
    """
    try:
        text = safefile.read_text(path, root=root, limit=max_bytes)
    except safefile.MissingFile:
        return [], []
    entries: list[HistoryEntry] = []
    bad: list[int] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entries.append(_entry(fsutil.loads(line)))
        except (ValueError, KeyError, TypeError):
            bad.append(number)
    return entries, bad


def append_entry(
    path: Path, entry: HistoryEntry, *, limit: int, max_bytes: int | None = None
) -> None:
    """Append ``entry``, keeping the newest ``limit`` lines (atomically)."""
    try:
        old = safefile.read_lines(path, limit=max_bytes)
    except safefile.MissingFile:
        old = []
    line = fsutil.canonical(entry.to_dict())
    lines = [*[x for x in old if x.strip()], line][-limit:]
    fsutil.atomic_write_text(path, "\n".join(lines) + "\n")


def preflight_runs(entries: Sequence[HistoryEntry]) -> list[CiRun]:
    """Past preflight runs as CI runs (newest first): passed when every blocking job passed."""
    runs = [
        CiRun(
            id=number,
            conclusion="success" if entry.jobs_ok else "failure",
            created_at=entry.generated_at,
            head_sha=entry.commit,
            branch=entry.branch,
            event="preflight",
            duration_s=entry.duration_s,
        )
        for number, entry in enumerate(entries, 1)
        if entry.context == "preflight"
    ]
    return runs[::-1]
