"""The fault suite, jobs: hostile tool outputs and a hostile service under the smoke test.

A job is run by the job pipeline (:func:`noxci.runjob.execute`, what every
session calls) with a runner that plays the tool and writes the hostile
output file; the report must be an ``error`` with a one-line reason, and the
session's exit code 6 (a tool failed), never a traceback. The smoke checks
run against a local service scripted to misbehave, under the real retry
policy with short limits.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
import requests

from noxci import proc
from noxci.config import NetworkLimits
from noxci.errors import ExitCode
from noxci.jobs import get_job
from noxci.jobs.base import JobContext
from noxci.report import Status
from noxci.runjob import execute, verdict
from noxci.smokecheck import SmokeCheck, check_http
from tests import fault_corpus as corpus
from tests.conftest import MakeConfig
from tests.fakes.server import FakeServer, Fault, json_answer, serve

KINDS = tuple(k for k in corpus.FILE_KINDS if k not in corpus.UNBOUNDED_KINDS)
VALID_RUFF = '[{"code": "E501", "message": "long", "filename": "/x/a.py", "location": {"row": 1, "column": 1}, "fix": null}]'


class HostileRuff:
    """Plays ruff, exiting 0: the JSON diagnostics are the hostile ``kind``.

    ``ruff check --output-file`` (the ``fmt`` job) gets ``kind`` written there;
    the ``lint`` job reads the JSON on stdout, so a JSON variant is printed.
    ``--show-files`` lists one file, as ruff does for a one-module project.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path,
        timeout: float | None = None,
        capture: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> proc.Completed:
        args = list(argv)
        stdout = b""
        if "--show-files" in args:
            stdout = str(cwd / "a.py").encode()
        elif "--output-file" in args:
            out = Path(args[args.index("--output-file") + 1])
            corpus.make(out, self.kind, VALID_RUFF.encode())
        elif "json" in args:
            stdout = corpus.JSON_VARIANTS[self.kind](VALID_RUFF)
        return proc.Completed(
            argv=tuple(args),
            returncode=0,
            stdout=stdout.decode("utf-8", errors="replace"),
            stderr="",
            duration_s=0.0,
        )


# "wrong-types" changes score and status members, which ruff's output lacks.
JSON_KINDS = tuple(v for v in corpus.JSON_VARIANTS if v != "wrong-types")
CASES = [
    *(pytest.param("fmt", kind, id=f"fmt-{kind}") for kind in (*KINDS, *JSON_KINDS)),
    *(pytest.param("lint", kind, id=f"lint-{kind}") for kind in JSON_KINDS),
]


@pytest.mark.parametrize(("job", "kind"), CASES)
def test_a_hostile_tool_output_is_an_error_report(
    job: str, kind: str, make_config: MakeConfig
) -> None:
    config = make_config('[tool.noxci.lint]\nformatter = "none"\n')
    (config.root / "a.py").write_text("x = 1\n", encoding="utf-8")
    ctx = JobContext(
        config=config,
        job=job,
        session=job,
        python="3.11",
        runner=HostileRuff(kind),
    )
    start = time.monotonic()
    report = execute(ctx, get_job(job))
    assert time.monotonic() - start < 10
    result = verdict(report)
    if kind in {"empty", "top-level-array"}:
        # No diagnostics: what ruff writes for a clean project.
        assert (report.status, result.exit_code) == (Status.PASSED, 0), report.error
        return
    if job == "lint" and kind == "oversized-9mib":
        # Valid JSON padded with spaces, read from a pipe (no file to cap): the
        # one finding in it fails the job, as it should.
        assert (report.status, report.metrics["ruff_findings"]) == (Status.FAILED, 1)
        return
    assert report.status is Status.ERROR, report.summary
    assert report.error is not None
    assert "\n" not in report.error
    assert len(report.error) < 600
    assert result.exit_code == ExitCode.TOOL
    assert (config.reports_dir / f"{job}.json").is_file()  # the error report is kept


@pytest.fixture(scope="module")
def staging() -> Iterator[FakeServer]:
    server = FakeServer()
    server.route("GET", "/health", lambda _r: json_answer(200, {"status": "ok"}))
    with serve(server):
        yield server


SMOKE = [
    # (id, faults, json keys, passes, attempts)
    ("ok", (), (), True, 1),
    ("502-once", (Fault("GET", "/health", status=502),), (), True, 2),
    (
        "503-retry-after-0",
        (Fault("GET", "/health", status=503, headers={"Retry-After": "0"}),),
        (),
        True,
        2,
    ),
    (
        "503-retry-after-120",
        (Fault("GET", "/health", status=503, headers={"Retry-After": "120"}),),
        (),
        False,
        1,
    ),
    ("500-persistent", (Fault("GET", "/health", status=500),) * 4, (), False, 3),
    ("404", (Fault("GET", "/health", status=404),), (), False, 1),
    (
        "deep-json",
        (Fault("GET", "/health", status=200, raw=b"[" * 5000),),
        ("status",),
        False,
        1,
    ),
    (
        "nan-json",
        (Fault("GET", "/health", status=200, raw=b'{"status": NaN}'),),
        ("status",),
        False,
        1,
    ),
    (
        "not-json",
        (Fault("GET", "/health", status=200, raw=b"<html>"),),
        ("status",),
        False,
        1,
    ),
    ("stall", (Fault("GET", "/health", status=200, delay=2.0),) * 3, (), False, 3),
]


@pytest.mark.parametrize(
    ("faults", "keys", "passes", "attempts"),
    [s[1:] for s in SMOKE],
    ids=[s[0] for s in SMOKE],
)
def test_a_hostile_service_under_the_smoke_test(
    staging: FakeServer,
    faults: tuple[Fault, ...],
    keys: tuple[str, ...],
    passes: bool,
    attempts: int,
) -> None:
    with staging.lock:
        staging.faults.clear()
    for fault in faults:
        staging.fault(fault)
    start = time.monotonic()
    with requests.Session() as http:
        result = check_http(
            http,
            staging.url,
            SmokeCheck(name="health", path="/health", json_keys=keys),
            kind="health",
            attempts=3,
            backoff=0.1,
            timeout=0.5,
            network=NetworkLimits(max_wait=0.2, budget=1.5),
        )
    assert time.monotonic() - start < 5
    assert (result.ok, result.attempts) == (passes, attempts), result.error
    assert staging.url not in (result.error or "")
