"""The one subprocess wrapper.

It echoes the command, enforces a timeout on the whole process group, and
turns "not found" and "timed out" into :class:`~noxci.errors.ToolError`. It
never decides whether an exit code is good: callers get the code and use it.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import shlex
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol, cast

from noxci import console
from noxci.errors import ToolError

__all__ = ["TAIL_CHARS", "Completed", "Runner", "background", "run", "venv_env"]

TAIL_CHARS = 600  # what a tool's failure adds to a one-line error
# A line a tool starts its error with: "error: ...", "ERROR: ...", or uv's
# cross (U+00D7) before "No solution found".
_HEADLINE = re.compile(r"^(?:error|fatal)\b|^\u00d7", re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class Completed:
    """A finished command. ``stdout``/``stderr`` are empty when not captured."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    duration_s: float

    def tail(self, lines: int = 5) -> str:
        """What went wrong, from stderr (else stdout), joined into one line.

        From the tool's own headline (``error:``, uv's cross) where it printed
        one, so that the reason is not cut off ("Because ... is unsatisfiable"),
        else the last ``lines`` lines; at most :data:`TAIL_CHARS` characters.
        """
        text = [
            line.strip()
            for line in (self.stderr or self.stdout).strip().splitlines()
            if line.strip()
        ]
        start = next(
            (i for i, line in enumerate(text) if _HEADLINE.match(line)),
            max(len(text) - lines, 0),
        )
        joined = " | ".join(text[start:])
        return joined if len(joined) <= TAIL_CHARS else joined[: TAIL_CHARS - 1] + "…"


class Runner(Protocol):
    """Something that runs a command; tests substitute a fake."""

    def __call__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path,
        timeout: float | None = None,
        capture: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> Completed:
        """Run ``argv`` in ``cwd`` and return how it ended."""
        ...


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def run(
    argv: Sequence[str],
    *,
    cwd: Path,
    timeout: float | None = None,
    capture: bool = True,
    env: Mapping[str, str] | None = None,
    echo: bool = True,
) -> Completed:
    """Run ``argv``; raise :class:`ToolError` if it cannot start or times out."""
    args = tuple(str(arg) for arg in argv)
    if echo:
        console.info(f"$ {shlex.join(args)}")
    pipe = subprocess.PIPE if capture else None
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            args,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=pipe,
            stderr=pipe,
            text=True,
            encoding="utf-8",
            errors="replace",
            # Own process group, so a timeout stops the tool's children too
            # (pytest-xdist workers, coverage subprocesses).
            start_new_session=True,
        )
    except FileNotFoundError:
        raise ToolError(f"{args[0]}: command not found") from None
    except PermissionError:
        raise ToolError(f"{args[0]}: not executable") from None
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise ToolError(f"{Path(args[0]).name} timed out after {timeout:g}s") from None
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    return Completed(
        argv=args,
        returncode=proc.returncode,
        stdout=stdout or "",
        stderr=stderr or "",
        duration_s=time.monotonic() - start,
    )


def venv_env(bin_dir: Path, base: Mapping[str, str]) -> dict[str, str]:
    """``base`` with the virtualenv at ``bin_dir``'s parent activated."""
    env = dict(base)
    env["PATH"] = os.pathsep.join([str(bin_dir), env.get("PATH", os.defpath)])
    env["VIRTUAL_ENV"] = str(bin_dir.parent)
    env.pop("PYTHONHOME", None)
    return env


@contextlib.contextmanager
def background(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    ready_timeout: float = 30.0,
) -> Iterator[str]:
    """Start a long-running process; yield the first line it prints; stop it after.

    For servers (``noxci serve --port 0`` prints its URL first). The process
    and its group are terminated on exit, killed if they do not stop.
    """
    args = tuple(str(arg) for arg in argv)
    console.info(f"$ {shlex.join(args)} &")
    try:
        server = subprocess.Popen(
            args,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise ToolError(f"{args[0]}: command not found") from None
    try:
        stdout = cast("IO[str]", server.stdout)  # a pipe: stdout=PIPE above
        ready, _, _ = select.select([stdout], [], [], ready_timeout)
        line = stdout.readline().strip() if ready else ""
        if not line:
            server.kill()
            _, err = server.communicate(timeout=10)
            reason = (
                err.strip().splitlines()[-1]
                if err.strip()
                else f"nothing printed in {ready_timeout:g}s"
            )
            raise ToolError(f"{Path(args[0]).name} did not start: {reason}")
        yield line
    finally:
        if server.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _kill_group(server)
                server.wait()
        server.communicate()
