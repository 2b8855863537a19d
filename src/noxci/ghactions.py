"""GitHub Actions: its environment read, and its files written, in one place.

The pull request and the run's page, read from the Actions environment;
the step summary (``$GITHUB_STEP_SUMMARY``) and step outputs
(``$GITHUB_OUTPUT``), each a no-op outside Actions. Everything written
passes through :func:`noxci.console.redact`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from noxci import console
from noxci.config import Config

__all__ = [
    "annotate",
    "append_step_summary",
    "pr_number",
    "repository_url",
    "run_url",
    "set_output",
]

# GitHub refuses a step summary over 1 MiB; stay well below it.
MAX_SUMMARY = 512 * 1024
# GitHub caps webhook payloads, and so the event file, at 25 MB.
MAX_EVENT = 25 * 1024 * 1024


def pr_number(explicit: int | None, env: Mapping[str, str]) -> int | None:
    """The pull request: ``--pr``, else ``NOXCI_PR_NUMBER``, else the event payload."""
    if explicit is not None:
        return explicit
    given = env.get("NOXCI_PR_NUMBER", "")
    if given.isascii() and given.isdigit() and len(given) < 10:
        return int(given)
    event = env.get("GITHUB_EVENT_PATH")
    return _event_pr(Path(event)) if event else None


def _event_pr(event: Path) -> int | None:
    """The pull request of an event payload, read through the safe reader."""
    from noxci import safefile

    try:
        data = safefile.read_json(event, limit=MAX_EVENT)
    except safefile.MissingFile:
        return None
    except safefile.FileProblem as exc:
        console.warn(f"{exc}; no pull request number from the event payload")
        return None
    if not isinstance(data, dict):
        return None
    pull = data.get("pull_request")
    number = (pull.get("number") if isinstance(pull, dict) else None) or data.get(
        "number"
    )
    return number if type(number) is int and 0 < number < 2**31 else None


def run_url(explicit: str | None, env: Mapping[str, str]) -> str | None:
    """The workflow run's page, from ``--run-url`` or the Actions environment."""
    if explicit:
        return explicit
    if env.get("NOXCI_RUN_URL"):
        return env["NOXCI_RUN_URL"]
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        return (
            f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
        )
    return None


def repository_url(config: Config, env: Mapping[str, str]) -> str | None:
    """The repository's web page: the Actions environment's, else ``[project.urls]``'s."""
    if env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        return f"{server}/{env['GITHUB_REPOSITORY']}"
    from noxci.pyproject import read_pyproject

    project = read_pyproject(config.root).get("project", {})
    urls = project.get("urls", {}) if isinstance(project, dict) else {}
    for key, value in (urls if isinstance(urls, dict) else {}).items():
        wanted = key.lower().replace(" ", "") in {
            "repository",
            "source",
            "sourcecode",
            "github",
        }
        if wanted and isinstance(value, str) and value.startswith("https://"):
            return value.rstrip("/").removesuffix(".git")
    return None


def _append(path: str, text: str) -> None:
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(console.redact(text))


def append_step_summary(text: str, env: Mapping[str, str]) -> bool:
    """Add Markdown to the job's summary page; False outside Actions."""
    path = env.get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    if len(text) > MAX_SUMMARY:
        text = text[: MAX_SUMMARY - 60] + "\n\n… (truncated: see the artifact)\n"
    _append(path, text.rstrip("\n") + "\n\n")
    return True


def annotate(lines: list[str], env: Mapping[str, str]) -> bool:
    """Print workflow commands (annotations) under Actions; False elsewhere."""
    import sys

    if env.get("GITHUB_ACTIONS") != "true":
        return False
    for line in lines:
        sys.stdout.write(console.redact(line) + "\n")
    sys.stdout.flush()
    return True


def set_output(name: str, value: str, env: Mapping[str, str]) -> bool:
    """Set a step output (one line); False outside Actions."""
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return False
    if "\n" in value:
        raise ValueError("a step output written by noxci is one line")
    _append(path, f"{name}={value}\n")
    return True
