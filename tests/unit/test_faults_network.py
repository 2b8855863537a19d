"""The fault suite, network: GitHub, Slack and the readiness service misbehaving.

Each case scripts one hostile behaviour on a local server (a 502, a
``Retry-After: 30``, a rate limit, a stall, a malformed or 2,000-deep answer,
a refused connection) and runs the real ``noxci readiness`` against it. On
top of the harness's checks (exit code, one error line, no traceback,
bounded time), each asserts how many requests were made and that nothing
accepted was lost (the Slack message delivered after a retry, the upload
stored). Most cases set ``network-max-wait = 0.2`` and ``network-budget =
2``; the issue's own ``Retry-After`` cases run with the defaults and show
that no wait is made at all.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from noxci.errors import ExitCode
from tests.fakes import github_api, slack_webhook
from tests.fakes.server import Answer, FakeServer, Fault, Request, json_answer, serve
from tests.fault_harness import Case, copy_project, judge, run_case, template

FAST = "\nnetwork-max-wait = 0.2\nnetwork-budget = 2.0\n"
RUNS = f"/repos/{github_api.REPO}/actions/workflows/ci.yml/runs"
UPLOAD = "/api/v1/projects/widget/runs"
DEEP = b"[" * 2000 + b"]" * 2000


@dataclass(frozen=True)
class Net:
    """A network case: the faults to queue, the command, what must happen."""

    id: str
    peer: str  # github, slack or upload
    faults: tuple[Fault, ...] = ()
    code: int = 0
    says: str = ""
    requests: int | None = None  # requests to the faulty path
    delivered: int | None = None  # messages or uploads that must have arrived
    fast: bool = True  # the short limits (else the defaults)
    seconds: float = 5.0
    refused: bool = False  # the peer's port is closed
    extra: dict[str, str] = field(default_factory=dict)


def _f(path: str, status: int, **kw: Any) -> Fault:
    return Fault("POST" if path != RUNS else "GET", path, status=status, **kw)


def _retry_after(seconds: float) -> dict[str, str]:
    return {"Retry-After": f"{seconds:g}"}


def _github_cases() -> Iterator[Net]:
    gone = "ci-history (missing)"
    yield Net("github-ok", "github", requests=1)
    for status in (500, 502, 503, 504):
        yield Net(f"github-{status}-once", "github", (_f(RUNS, status),), requests=2)
    yield Net(
        "github-503-persistent",
        "github",
        (_f(RUNS, 503),) * 5,
        code=ExitCode.INCOMPLETE,
        says="GitHub API answered 503: Bad Gateway after 3 attempts in",
        requests=3,
    )
    yield Net(
        "github-retry-after-30",
        "github",
        (_f(RUNS, 503, headers=_retry_after(30)),),
        code=ExitCode.INCOMPLETE,
        says="it asked to wait 30 s, more than network-max-wait (10 s)",
        requests=1,
        fast=False,
    )
    yield Net(
        "github-retry-after-over-the-cap",
        "github",
        (_f(RUNS, 503, headers=_retry_after(1)),),
        code=ExitCode.INCOMPLETE,
        says="more than network-max-wait (0.2 s)",
        requests=1,
    )
    yield Net(
        "github-429-retry-after-0",
        "github",
        (_f(RUNS, 429, headers=_retry_after(0)),),
        requests=2,
    )
    yield Net(
        "github-429-retry-after-120",
        "github",
        (_f(RUNS, 429, headers=_retry_after(120)),),
        code=ExitCode.INCOMPLETE,
        says="asked to wait 120 s",
        requests=1,
        fast=False,
    )
    past = email.utils.formatdate(time.time() - 60, usegmt=True)
    yield Net(
        "github-retry-after-a-past-date",
        "github",
        (_f(RUNS, 503, headers={"Retry-After": past}),),
        requests=2,
    )
    yield Net(
        "github-retry-after-garbage",
        "github",
        (_f(RUNS, 503, headers={"Retry-After": "soon"}),),
        requests=2,
    )
    limited = {"message": "API rate limit exceeded for installation ID 1."}
    yield Net(
        "github-rate-limit-resets-in-2100",
        "github",
        (
            _f(
                RUNS,
                403,
                body=limited,
                headers={
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": "4102444800",
                },
            ),
        ),
        code=ExitCode.INCOMPLETE,
        says="GitHub API rate limit exceeded; it asked to wait",
        requests=1,
    )
    yield Net(
        "github-rate-limit-resets-now",
        "github",
        (
            _f(
                RUNS,
                403,
                body=limited,
                headers={
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": str(int(time.time())),
                },
            ),
        ),
        requests=2,
    )
    for status, message in (
        (401, "Bad credentials"),
        (404, "Not Found"),
        (422, "Validation Failed"),
    ):
        yield Net(
            f"github-{status}-is-not-retried",
            "github",
            (_f(RUNS, status, body={"message": message}),),
            code=ExitCode.INCOMPLETE,
            says=f"GitHub API answered {status}: {message}",
            requests=1,
        )
    for name, raw, says in (
        ("truncated", b'{"total_count": 3, "workflow_runs": [{', gone),
        ("deep", DEEP, gone),
        ("html", b"<html>down</html>", gone),
        ("empty", b"", "ci-history (empty)"),  # no runs at all: still no pass
    ):
        yield Net(
            f"github-{name}-answer",
            "github",
            (_f(RUNS, 200, raw=raw, headers={"Content-Type": "application/json"}),),
            code=ExitCode.INCOMPLETE,
            says=says,
        )
    yield Net(
        "github-stall",
        "github",
        (_f(RUNS, 200, body={}, delay=3.0),) * 3,
        code=ExitCode.INCOMPLETE,
        says="GitHub API unreachable (",
        seconds=5.0,
    )
    yield Net(
        "github-refused",
        "github",
        code=ExitCode.INCOMPLETE,
        says="GitHub API unreachable (",
        refused=True,
    )


def _slack_cases() -> Iterator[Net]:
    path = slack_webhook.PATH
    yield Net("slack-ok", "slack", code=ExitCode.INCOMPLETE, delivered=1, requests=1)
    yield Net(
        "slack-502-once",
        "slack",
        (_f(path, 502),),
        code=ExitCode.INCOMPLETE,
        delivered=1,
        requests=2,
    )
    yield Net(
        "slack-503-retry-after-0",
        "slack",
        (_f(path, 503, headers=_retry_after(0)),),
        code=ExitCode.INCOMPLETE,
        delivered=1,
        requests=2,
    )
    yield Net(
        "slack-500-persistent",
        "slack",
        (_f(path, 500),) * 4,
        code=ExitCode.INCOMPLETE,
        says="Slack notification failed: the Slack webhook answered 500",
        delivered=0,
        requests=3,
    )
    yield Net(
        "slack-retry-after-120",
        "slack",
        (_f(path, 429, headers=_retry_after(120)),),
        code=ExitCode.INCOMPLETE,
        says="asked to wait 120 s, more than network-max-wait (10 s)",
        delivered=0,
        requests=1,
        fast=False,
    )
    yield Net(
        "slack-429-then-ok",
        "slack",
        (_f(path, 429, headers=_retry_after(0.1)),),
        code=ExitCode.INCOMPLETE,
        delivered=1,
        requests=2,
    )
    for status in (400, 403, 404, 410):
        yield Net(
            f"slack-{status}-is-not-retried",
            "slack",
            (_f(path, status),),
            code=ExitCode.INCOMPLETE,
            says=f"answered {status}",
            delivered=0,
            requests=1,
        )
    yield Net(
        "slack-stall",
        "slack",
        (_f(path, 200, delay=3.0),) * 3,
        code=ExitCode.INCOMPLETE,
        says="Slack notification failed",
        seconds=5.0,
    )
    yield Net(
        "slack-refused",
        "slack",
        code=ExitCode.INCOMPLETE,
        says="the Slack webhook is unreachable",
        refused=True,
    )


def _upload_cases() -> Iterator[Net]:
    yield Net("upload-ok", "upload", delivered=1, requests=1)
    for status in (500, 502, 503):
        yield Net(
            f"upload-{status}-once",
            "upload",
            (_f(UPLOAD, status),),
            delivered=1,
            requests=2,
        )
    yield Net(
        "upload-503-retry-after-over-the-cap",
        "upload",
        (_f(UPLOAD, 503, headers=_retry_after(5)),),
        says="asked to wait 5 s",
        delivered=0,
        requests=1,
    )
    for status in (400, 401, 403, 413, 422):
        yield Net(
            f"upload-{status}-is-not-retried",
            "upload",
            (_f(UPLOAD, status, body={"error": "no"}),),
            says=f"the readiness service answered {status}: no",
            delivered=0,
            requests=1,
        )
    for name, raw in (
        ("malformed", b"{"),
        ("deep", DEEP),
        ("huge", b'{"id": 1, "x": "' + b"a" * (4 << 20) + b'"}'),
    ):
        yield Net(
            f"upload-{name}-answer",
            "upload",
            (_f(UPLOAD, 201, raw=raw),),
            says="answered 201 without the stored run's id",
            requests=1,
        )
    yield Net(
        "upload-stall",
        "upload",
        (_f(UPLOAD, 201, delay=3.0),) * 3,
        says="upload to the readiness service failed",
        seconds=5.0,
    )
    yield Net(
        "upload-refused",
        "upload",
        says="upload to the readiness service failed",
        refused=True,
    )


NET = [*_github_cases(), *_slack_cases(), *_upload_cases()]


@dataclass
class Peers:
    """One fake GitHub, Slack webhook and readiness service for a worker's cases."""

    server: FakeServer
    projects: dict[bool, Path]  # passing projects: short network limits, or defaults
    received: list[Any] = field(default_factory=list)  # Slack messages
    stored: list[Any] = field(default_factory=list)  # uploads

    def reset(self) -> FakeServer:
        with self.server.lock:
            self.server.faults.clear()
            self.server.requests.clear()
        self.received.clear()
        self.stored.clear()
        return self.server


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peers]:
    # One server for all cases: starting and stopping one costs half a second.
    projects = {
        fast: template(
            tmp_path_factory.mktemp("net-template"),
            "[tool.noxci]" + FAST if fast else "",
        )
        for fast in (True, False)
    }
    found = Peers(server=FakeServer(), projects=projects)
    state = github_api.GitHubState(
        runs=[github_api.make_run(i, "success") for i in range(10, 0, -1)]
    )
    github_api.install(found.server, state)
    slack_webhook.install(found.server, found.received)
    _service(found.server, found.stored)
    with serve(found.server):
        yield found


def _service(server: FakeServer, stored: list[Any]) -> None:
    def store(request: Request) -> Answer:
        stored.append(request.json())
        return json_answer(201, {"id": len(stored), "project": "widget"})

    server.route("POST", UPLOAD, store)


def _setup(
    net: Net, url: str
) -> tuple[Callable[[Path], None], tuple[str, ...], dict[str, str]]:
    def setup(root: Path) -> None:
        if net.peer != "upload":
            # GitHub must be the only CI history; Slack needs a failing gate.
            (root / "readiness" / "history.jsonl").unlink()
            (root / "readiness" / "readiness.json").unlink()

    if net.peer == "github":
        env = {
            "GITHUB_TOKEN": "ghs_faultsuite",
            "GITHUB_REPOSITORY": github_api.REPO,
            "GITHUB_API_URL": url,
        }
        return setup, ("readiness", "--no-write"), env
    if net.peer == "slack":
        return (
            setup,
            ("readiness", "--notify"),
            {"SLACK_WEBHOOK_URL": url + slack_webhook.PATH},
        )
    return setup, ("readiness", "--upload", url), {"NOXCI_SERVE_TOKEN": "serve-token"}


@pytest.mark.parametrize("net", NET, ids=[n.id for n in NET])
def test_hostile_peer(
    net: Net,
    peers: Peers,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = peers.reset()
    for fault in net.faults:
        server.fault(fault)
    url = "http://127.0.0.1:9" if net.refused else server.url
    setup, argv, env = _setup(net, url)
    case = Case(
        id=net.id,
        category=net.peer,
        setup=setup,
        argv=argv,
        code=net.code,
        says=net.says,
        seconds=net.seconds,
        env=env,
    )
    root = copy_project(peers.projects[net.fast], tmp_path)
    # PyGithub waits 0.25 s between requests by default; not under test here.
    from noxci.github import GitHubSettings

    plain = GitHubSettings.from_env.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(
        GitHubSettings,
        "from_env",
        classmethod(lambda cls, env, **kw: plain(cls, env, pause=0.0, **kw)),
    )
    outcome = run_case(case, root, monkeypatch, capsys)
    judge(case, outcome, root)
    assert "ghs_faultsuite" not in outcome.err
    assert "serve-token" not in outcome.err
    assert slack_webhook.PATH not in outcome.err
    if net.requests is not None:
        faulty = (
            RUNS
            if net.peer == "github"
            else UPLOAD if net.peer == "upload" else slack_webhook.PATH
        )
        assert sum(r.path == faulty for r in server.requests) == net.requests
    if net.delivered is not None:
        assert (
            len(peers.received if net.peer == "slack" else peers.stored)
            == net.delivered
        )
