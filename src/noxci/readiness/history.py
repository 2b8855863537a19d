"""``history.jsonl``: one compact line per scored run, oldest first.

It feeds the trend and, where the project is not on GitHub, the local CI
pass rate (preflight runs). The rules that keep that rate honest:

- one run per commit: a run on the commit of an earlier line replaces it
  (the latest counts, whatever the working tree held), so re-running an
  unchanged preflight adds nothing, and a failed run of uncommitted
  changes that were undone stops counting when the tree passes again;
- a run in which a job errored (an install failed, a service was down) is
  ``errored``: left out of the rate, and said to be, as cancelled runs are;
- evidence cannot be removed in the working tree: where the file is tracked
  by git, the lines of HEAD's version count too, and where a line differs
  from HEAD's, HEAD's counts;
- appends are made under a file lock, so concurrent runs lose no line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from noxci import fsutil, proc, safefile
from noxci.errors import ToolError
from noxci.readiness.model import CiRun

__all__ = [
    "OUTCOMES",
    "HistoryEntry",
    "append_entry",
    "preflight_runs",
    "read_history",
    "run_key",
]

OUTCOMES = ("success", "failure", "errored")


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
    outcome: str  # success, failure or errored: how the run's jobs ended
    inputs: str | None = (
        None  # the jobs' inputs, digested: tells runs apart without a commit
    )
    cache_hits: int = 0
    jobs: int = 0
    flaky: int = 0
    security_keys: tuple[str, ...] = ()
    duration_s: float | None = None  # a preflight's wall time, jobs only

    @property
    def jobs_ok(self) -> bool:
        """Whether every blocking job passed."""
        return self.outcome == "success"

    @property
    def identity(self) -> tuple[str, str | None, str]:
        """What names the line: when, on which commit, where."""
        return (self.generated_at, self.commit, self.context)

    @property
    def run_key(self) -> tuple[str, str | None, str] | None:
        """Runs with equal keys are the same evidence (None: a line of its own).

        On a commit, the latest run stands for it, whatever the working tree
        held: a failed run of uncommitted changes that were then undone is
        not evidence against the commit. Without a commit, the inputs
        digest tells runs apart.
        """
        return run_key(self.context, self.commit, self.inputs)

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
            "outcome": self.outcome,
            "inputs": self.inputs,
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


def run_key(
    context: str, commit: str | None, inputs: str | None
) -> tuple[str, str | None, str] | None:
    """The key of :attr:`HistoryEntry.run_key`, for a run not written yet."""
    if inputs is None:
        return None
    if commit:
        return (context, commit, "")
    return (context, None, inputs)


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


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**9:
        raise ValueError("not a count")
    return value


def _outcome(data: dict[str, Any]) -> str:
    outcome = data.get("outcome")
    if outcome is None:  # a line from before outcomes were recorded
        jobs_ok = data.get("jobs_ok")
        if not isinstance(jobs_ok, bool):
            raise ValueError("bad jobs_ok")
        return "success" if jobs_ok else "failure"
    if outcome not in OUTCOMES or data.get("jobs_ok", outcome == "success") != (
        outcome == "success"
    ):
        raise ValueError("bad outcome")
    return str(outcome)


def _text(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _entry(data: Any) -> HistoryEntry:
    if not isinstance(data, dict) or data.get("context") not in {
        "ci",
        "preflight",
        "local",
    }:
        raise ValueError("not a history line")
    return HistoryEntry(
        generated_at=str(data["generated_at"]),
        commit=_text(data.get("commit")),
        branch=_text(data.get("branch")),
        context=data["context"],
        score=_number(data["score"]),
        band=str(data["band"]),
        gate=str(data["gate"]),
        components={str(k): _number(v) for k, v in dict(data["components"]).items()},
        outcome=_outcome(data),
        inputs=_text(data.get("inputs")),
        cache_hits=_count(data.get("cache_hits", 0)),
        jobs=_count(data.get("jobs", 0)),
        flaky=_count(data.get("flaky", 0)),
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


def _parse(text: str) -> tuple[list[HistoryEntry], list[int]]:
    entries: list[HistoryEntry] = []
    bad: list[int] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entries.append(_entry(fsutil.loads(line)))
        except (ValueError, KeyError, TypeError, RecursionError):
            bad.append(number)
    return entries, bad


def _committed(path: Path) -> str | None:
    """HEAD's version of ``path`` when git tracks it, else None."""
    try:
        done = proc.run(
            ["git", "show", f"HEAD:./{path.name}"],
            cwd=path.parent,
            timeout=30,
            echo=False,
        )
    except (ToolError, OSError):
        return None
    return done.stdout if done.returncode == 0 else None


def _merge(
    committed: Sequence[HistoryEntry], local: Sequence[HistoryEntry]
) -> list[HistoryEntry]:
    """HEAD's lines, and the working tree's lines HEAD does not have."""
    known = {entry.identity for entry in committed}
    merged = list(committed) + [e for e in local if e.identity not in known]
    return sorted(merged, key=lambda e: e.generated_at)


def read_history(
    path: Path, *, root: Path | None = None, max_bytes: int | None = None
) -> tuple[list[HistoryEntry], list[int]]:
    """The entries (HEAD's too, where tracked), and the numbers of lines that could not be read.

    A file that cannot be read at all (a FIFO, too large, unreadable) is a
    :class:`~noxci.safefile.FileProblem`; a missing one is empty.
    """
    try:
        text = safefile.read_text(path, root=root, limit=max_bytes)
    except safefile.MissingFile:
        text = ""
    entries, bad = _parse(text)
    committed_text = _committed(path) if path.parent.is_dir() else None
    if committed_text is not None:
        committed, committed_bad = _parse(committed_text)
        entries = _merge(committed, entries)
        bad += [-n for n in committed_bad]  # HEAD's bad lines, as negative numbers
    return entries, bad


def append_entry(
    path: Path, entry: HistoryEntry, *, limit: int, max_bytes: int | None = None
) -> None:
    """Add ``entry`` (replacing a line of the same run), keeping the newest ``limit``.

    The read, the change and the atomic rewrite happen under a lock, so
    that concurrent runs lose no line.
    """
    from filelock import FileLock

    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(_lock_file(path)), timeout=60):
        try:
            old = safefile.read_lines(path, limit=max_bytes)
        except safefile.MissingFile:
            old = []
        kept = []
        for line in old:
            if not line.strip():
                continue
            try:
                same = _entry(fsutil.loads(line)).run_key == entry.run_key
            except (ValueError, KeyError, TypeError, RecursionError):
                same = False  # an unreadable line is kept as it is: evidence
            if not (same and entry.run_key is not None):
                kept.append(line)
        lines = [*kept, fsutil.canonical(entry.to_dict())][-limit:]
        fsutil.atomic_write_text(path, "\n".join(lines) + "\n")


def _lock_file(path: Path) -> Path:
    """The lock for ``path``, outside the project (a committed folder stays clean)."""
    import hashlib
    import tempfile

    key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"noxci-history-{key}.lock"


def preflight_runs(entries: Sequence[HistoryEntry]) -> list[CiRun]:
    """Past preflight runs as CI runs, newest first: one per commit (the latest)."""
    latest: dict[object, HistoryEntry] = {}
    for number, entry in enumerate(entries):
        if entry.context == "preflight":
            latest[entry.run_key or number] = entry
    ordered = sorted(latest.values(), key=lambda e: e.generated_at)
    runs = [
        CiRun(
            id=number,
            conclusion={"success": "success", "errored": "errored"}.get(
                entry.outcome, "failure"
            ),
            created_at=entry.generated_at,
            head_sha=entry.commit,
            branch=entry.branch,
            event="preflight",
            duration_s=entry.duration_s,
        )
        for number, entry in enumerate(ordered, 1)
    ]
    return runs[::-1]
