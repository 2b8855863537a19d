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
    seconds: float = 8.0
    refused: bool = False  # the peer's port is closed


def _f(path: str, status: int, **kw: Any) -> Fault:
    return Fault("POST" if path != RUNS else "GET", path, status=status, **kw)


def _wait(seconds: float) -> dict[str, str]:
    return {"Retry-After": f"{seconds:g}"}


@dataclass(frozen=True)
class Peer:
    """How one peer's failures show: its path, exit codes and words."""

    name: str
    path: str
    ok: int  # the exit code when it answered
    failed: int  # the exit code when it did not (publishing never changes the gate)
    says: str  # how noxci names it in "X answered 503"
    unreachable: str
    delivered: bool  # whether a message or upload must arrive


PEERS = (
    Peer(
        "github",
        RUNS,
        0,
        ExitCode.INCOMPLETE,
        "GitHub API",
        "GitHub API unreachable (",
        False,
    ),
    Peer(
        "slack",
        slack_webhook.PATH,
        ExitCode.INCOMPLETE,
        ExitCode.INCOMPLETE,
        "the Slack webhook",
        "the Slack webhook is unreachable",
        True,
    ),
    Peer(
        "upload",
        UPLOAD,
        0,
        0,
        "the readiness service",
        "upload to the readiness service failed",
        True,
    ),
)


def _common(peer: Peer) -> Iterator[Net]:
    """What every peer is put through."""
    n, path = peer.name, peer.path
    arrived, lost = (1, 0) if peer.delivered else (None, None)
    yield Net(f"{n}-ok", n, code=peer.ok, requests=1, delivered=arrived)
    for status in (500, 502, 503, 504):
        yield Net(
            f"{n}-{status}-once",
            n,
            (_f(path, status),),
            peer.ok,
            requests=2,
            delivered=arrived,
        )
    for status, wait in ((503, 0), (429, 0), (429, 0.1)):
        yield Net(
            f"{n}-{status}-retry-after-{wait:g}",
            n,
            (_f(path, status, headers=_wait(wait)),),
            peer.ok,
            requests=2,
            delivered=arrived,
        )
    yield Net(
        f"{n}-500-persistent",
        n,
        (_f(path, 500),) * 4,
        peer.failed,
        f"{peer.says} answered 500",
        requests=3,
        delivered=lost,
    )
    for status, wait in ((503, 30), (429, 120)):  # the issue's: 91 s and 242 s waits
        yield Net(
            f"{n}-retry-after-{wait}",
            n,
            (_f(path, status, headers=_wait(wait)),),
            peer.failed,
            f"asked to wait {wait} s, more than network-max-wait (10 s)",
            requests=1,
            delivered=lost,
            fast=False,
        )
    yield Net(
        f"{n}-retry-after-over-the-cap",
        n,
        (_f(path, 503, headers=_wait(1)),),
        peer.failed,
        "more than network-max-wait (0.2 s)",
        requests=1,
        delivered=lost,
    )
    for status in (400, 401, 403, 404, 422):
        yield Net(
            f"{n}-{status}-is-not-retried",
            n,
            (_f(path, status, body={"message": "no", "error": "no"}),),
            peer.failed,
            f"{peer.says} answered {status}",
            requests=1,
            delivered=lost,
        )
    yield Net(
        f"{n}-stall",
        n,
        (_f(path, 200, delay=3.0),) * 3,
        peer.failed,
        peer.unreachable if n != "slack" else "Slack notification failed",
    )
    yield Net(f"{n}-refused", n, code=peer.failed, says=peer.unreachable, refused=True)


def _github_only() -> Iterator[Net]:
    past = email.utils.formatdate(time.time() - 60, usegmt=True)
    for name, value in (("a-past-date", past), ("garbage", "soon")):
        yield Net(
            f"github-retry-after-{name}",
            "github",
            (_f(RUNS, 503, headers={"Retry-After": value}),),
            requests=2,
        )
    limited = {"message": "API rate limit exceeded for installation ID 1."}
    for name, reset, code, requests in (
        ("in-2100", "4102444800", ExitCode.INCOMPLETE, 1),
        ("now", str(int(time.time())), 0, 2),
    ):
        headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
        yield Net(
            f"github-rate-limit-resets-{name}",
            "github",
            (_f(RUNS, 403, body=limited, headers=headers),),
            code,
            "rate limit exceeded; it asked to wait" if code else "",
            requests=requests,
        )
    gone = "ci-history (missing)"
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
            ExitCode.INCOMPLETE,
            says,
        )


def _upload_only() -> Iterator[Net]:
    huge = b'{"id": 1, "x": "' + b"a" * (4 << 20) + b'"}'
    for name, raw in (("malformed", b"{"), ("deep", DEEP), ("huge", huge)):
        yield Net(
            f"upload-{name}-answer",
            "upload",
            (_f(UPLOAD, 201, raw=raw),),
            says="answered 201 without the stored run's id",
            requests=1,
        )


NET = [*(n for p in PEERS for n in _common(p)), *_github_only(), *_upload_only()]


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
