"""``ci.yml`` and its job matrix, derived from the job registry.

``nox -s matrix`` prints the matrix of the parallel jobs: the noxfile's
``ci``-tagged sessions (as ``nox -l -t ci`` lists them) less those that wait
for others, one entry per session with its Python, the job's timeout and
its SARIF file. :func:`ci_workflow` writes the workflow: a plan job runs
``nox -s matrix``, the jobs run as one matrix from its output, then
readiness (the gate) and the jobs that wait for others (mcp, build) as the
seed's graph says. Adding a job changes the matrix, never the workflow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from noxci.config import Config
from noxci.registry import JOBS, JobSpec, ci_jobs, job_spec
from noxci.workflowgen.steps import (
    ACTIONS,
    Runner,
    environment,
    header,
    job,
    relative_dir,
    setup,
    upload,
)

__all__ = ["ci_workflow", "matrix", "print_matrix"]

READINESS_MINUTES = 10
PLAN_MINUTES = 5
DEFAULT_MINUTES = 15  # a ci-tagged session of the project's own
MATRIX_JOB = "jobs"
COMBINE_JOB = "combine"
DURATIONS_ARTIFACT = "noxci-durations"  # what the plan job split by


def matrix(sessions: Mapping[str, tuple[str, str]], shards: int = 1) -> dict[str, Any]:
    """The parallel CI sessions as a GitHub Actions matrix (``include`` entries).

    ``sessions`` maps each ``ci``-tagged session to its function's name and
    its Python (:func:`noxci.preflight.ci_sessions`). A job whose parts are
    combined (tests) gets an entry per shard, ``shard`` ``K/N``; ``part`` is
    the report each entry writes.
    """
    from noxci.jobs.shards import part_name

    specs = {spec.name: spec for spec in JOBS}
    include = []
    for session, (name, python) in sessions.items():
        spec = specs.get(name)
        if spec is not None and spec.after:
            continue  # a job of its own, after the matrix
        split = shards if spec is not None and spec.combines else 1
        for k in range(1, split + 1):
            include.append(
                {
                    "session": session,
                    "python": python,
                    "timeout": spec.ci_minutes if spec is not None else DEFAULT_MINUTES,
                    "sarif": (
                        f"reports/{session}.{spec.sarif}" if spec and spec.sarif else ""
                    ),
                    "shard": f"{k}/{split}" if split > 1 else "",
                    "part": part_name(session, k, split) if split > 1 else session,
                }
            )
    return {"include": include}


def combined_shards(config: Config, durations: Mapping[str, float]) -> int:
    """How many shards the tests job is split into (``auto`` from ``durations``)."""
    from noxci.jobs.shards import shard_count
    from noxci.jobs.tests import Settings

    cfg = config.settings("tests", Settings)
    return shard_count(cfg.shards, cfg.shard_minutes, durations)


def print_matrix(
    env: Mapping[str, str], registry: Mapping[str, Any] | None = None
) -> str:
    """Print the matrix of nox's ``ci``-tagged sessions; under Actions also set it as a step output."""
    import contextlib
    import json
    import sys

    import nox.registry

    from noxci import ghactions
    from noxci.errors import ConfigError, NoxciError
    from noxci.preflight import ci_sessions

    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    sessions = ci_sessions(
        nox.registry.get() if registry is None else registry, running
    )
    if sessions is None:
        raise ConfigError(
            "matrix: a ci-tagged session is parametrized or has no virtualenv; "
            "tag it with something other than ci"
        )
    shards = 1
    with contextlib.suppress(NoxciError):  # the jobs report a bad config themselves
        from noxci.config import find_root, load_config
        from noxci.jobs.shards import read_durations

        config = load_config(find_root(Path.cwd()))
        durations = read_durations(
            config.reports_dir / "tests.durations.json",
            root=config.root,
            limit=config.max_file_size,
        )
        shards = combined_shards(config, durations)
        if shards > 1 or len(config.python) > 1:
            # What this split is balanced by: the plan job hands this very
            # file to every shard (a cache could differ between runners).
            from noxci.fsutil import ignored_dir
            from noxci.jobs.shards import write_durations

            ignored_dir(config.reports_dir)
            write_durations(config.reports_dir / "tests.durations.json", durations)
    text = json.dumps(matrix(sessions, shards), separators=(",", ":"))
    sys.stdout.write(text + "\n")
    ghactions.set_output("matrix", text, env)
    return text


def _matrix_job(runner: Runner, reports: str, *, combine: bool) -> list[str]:
    key = "noxci-${{ matrix.part }}"
    return [
        *job(
            MATRIX_JOB,
            title="${{ matrix.part }}",
            minutes="${{ matrix.timeout }}",
            needs=["plan"],
            permissions={
                "security-events": "write # upload SARIF findings to code scanning"
            },
            extra=[
                "    strategy:",
                "      fail-fast: false",
                "      matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}",
            ],
        ),
        *setup("${{ matrix.python }}", runner),
        f"      - uses: {ACTIONS['cache-restore']}",
        "        with:",
        f"          path: {reports}/${{{{ matrix.part }}}}.*",
        f"          key: {key}-${{{{ github.sha }}}}",
        f"          restore-keys: {key}-",
        # Every shard splits by the same durations: the plan job's.
        *(
            [
                f"      - uses: {ACTIONS['download']}",
                "        if: ${{ matrix.shard != '' }}",
                "        with:",
                f"          name: {DURATIONS_ARTIFACT}",
                f"          path: {reports}",
            ]
            if combine
            else []
        ),
        f'      - run: {runner.nox} -s "$NOXCI_SESSION" ${{NOXCI_SHARD:+-- --shard "$NOXCI_SHARD"}}',
        "        env:",
        "          NOXCI_SESSION: ${{ matrix.session }}",
        "          NOXCI_SHARD: ${{ matrix.shard }}",
        f"      - uses: {ACTIONS['cache-save']}",
        "        if: ${{ !cancelled() }}",
        "        with:",
        f"          path: {reports}/${{{{ matrix.part }}}}.*",
        f"          key: {key}-${{{{ github.sha }}}}-${{{{ github.run_id }}}}",
        *upload("reports-${{ matrix.part }}", f"{reports}/"),
        f"      - uses: {ACTIONS['upload-sarif']}",
        "        if: ${{ !cancelled() && matrix.sarif != '' && hashFiles(matrix.sarif) != '' }}",
        "        with:",
        "          sarif_file: ${{ matrix.sarif }}",
        "          category: ${{ matrix.part }}",
    ]


def _durations_restore(reports: str) -> list[str]:
    """Restore the durations the last combined tests run recorded (shards are balanced by them)."""
    return [
        f"      - uses: {ACTIONS['cache-restore']}",
        "        with:",
        f"          path: {reports}/tests.durations.json",
        "          key: noxci-durations-${{ github.sha }}",
        "          restore-keys: noxci-durations-",
    ]


def _combine_job(config: Config, runner: Runner, reports: str) -> list[str]:
    """The job that makes the tests' parts (shards, Pythons) one report."""
    first = job_spec("tests").sessions(config.python)[0]
    return [
        *job(
            COMBINE_JOB,
            title="combine tests",
            minutes=READINESS_MINUTES,
            needs=[MATRIX_JOB],
            condition="${{ !cancelled() }} # a missing or failed part is named in the report",
        ),
        *setup(config.python[0], runner),
        f"      - uses: {ACTIONS['download']}",
        "        with:",
        "          pattern: reports-tests*",
        f"          path: {reports}",
        "          merge-multiple: true",
        f"      - run: {runner.nox} -s {first} -- --combine",
        f"      - uses: {ACTIONS['cache-save']}",
        "        if: ${{ !cancelled() && hashFiles('"
        + reports
        + "/tests.durations.json') != '' }}",
        "        with:",
        f"          path: {reports}/tests.durations.json",
        "          key: noxci-durations-${{ github.sha }}-${{ github.run_id }}",
        *upload("reports-combined", f"{reports}/"),
    ]


def combining(config: Config, specs: Sequence[JobSpec]) -> bool:
    """Whether the tests job's parts need combining in CI (several Pythons or shards)."""
    from noxci.jobs.tests import Settings

    if not any(spec.combines for spec in specs):
        return False
    shards = config.settings("tests", Settings).shards
    return len(config.python) > 1 or shards != 1


def _in_order(specs: list[JobSpec]) -> list[JobSpec]:
    """``specs`` so that each comes after the jobs it waits for."""
    done: list[JobSpec] = []
    names = {spec.name for spec in specs}
    pending = list(specs)
    while pending:
        finished = {d.name for d in done}
        ready = [
            s for s in pending if all(n not in names or n in finished for n in s.after)
        ]
        if not ready:
            raise ValueError(
                f"the jobs {[s.name for s in pending]} wait for each other"
            )
        done += ready
        pending = [s for s in pending if s not in ready]
    return done


def _after_job(
    spec: JobSpec,
    parallel: set[str],
    present: set[str],
    *,
    python: str,
    runner: Runner,
    reports: str,
) -> list[str]:
    needs: list[str] = []
    for name in spec.after:
        target = MATRIX_JOB if name in parallel else name
        if (target in present or target == MATRIX_JOB) and target not in needs:
            needs.append(target)
    artifact = (
        upload("dist", "dist/", always=False)
        if spec.name == "build"
        else upload(f"reports-{spec.name}", f"{reports}/", required=False)
    )
    return [
        *job(spec.name, minutes=spec.ci_minutes, needs=needs),
        *setup(python, runner),
        f"      - run: {runner.nox} -s {spec.name}",
        *artifact,
    ]


def ci_workflow(config: Config, specs: Sequence[JobSpec], runner: Runner) -> str:
    """``.github/workflows/ci.yml`` for the project's registered jobs."""
    python = config.python[0]
    reports = relative_dir(config, config.reports_dir)
    jobs = ci_jobs(list(specs))
    parallel = {spec.name for spec in jobs if not spec.after}
    later = _in_order([spec for spec in jobs if spec.after])
    present = {"readiness", *(spec.name for spec in later)}
    combine = combining(config, jobs)
    lines = [
        *header(
            [
                "CI: every job is `nox -s <session>`, in the seed's graph. The plan job",
                "lists the parallel jobs (`nox -s matrix`: one entry per session, and",
                "per shard of the tests), which run as one matrix; each restores its",
                "session's last report (noxci reuses it when the inputs digest is",
                "unchanged), uploads the new one and its SARIF findings.",
                *(
                    [
                        "The combine job makes the tests' parts one report (`nox -s tests",
                        "-- --combine`); a missing or failed part fails it closed.",
                    ]
                    if combine
                    else []
                ),
                "Readiness (the gate) scores the uploaded reports; the jobs that wait",
                "for others run after them.",
            ],
            "CI",
            ["  push:", "  pull_request:"],
        ),
        "concurrency:",
        "  group: ci-${{ github.ref }}",
        "  cancel-in-progress: true",
        "",
        *environment(runner),
        "jobs:",
        *job(
            "plan",
            minutes=PLAN_MINUTES,
            extra=["    outputs:", "      matrix: ${{ steps.matrix.outputs.matrix }}"],
        ),
        *setup(python, runner),
        *(_durations_restore(reports) if combine else []),
        "      - id: matrix",
        f"        run: {runner.nox} -s matrix",
        *(
            upload(DURATIONS_ARTIFACT, f"{reports}/tests.durations.json", always=False)
            if combine
            else []
        ),
        "",
        *_matrix_job(runner, reports, combine=combine),
        "",
        *([*_combine_job(config, runner, reports), ""] if combine else []),
        *job(
            "readiness",
            minutes=READINESS_MINUTES,
            needs=[MATRIX_JOB, *([COMBINE_JOB] if combine else [])],
            condition="${{ !cancelled() }} # the table and the dashboard even when a job failed",
            permissions={
                "actions": "read # list the CI workflow's runs for the pass rate"
            },
        ),
        *setup(python, runner),
        f"      - uses: {ACTIONS['download']}",
        "        with:",
        "          pattern: reports-*",
        f"          path: {reports}",
        "          merge-multiple: true",
        f"      - run: {runner.nox} -s readiness",
        "        env:",
        "          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}",
        f"      - uses: {ACTIONS['cache-save']}",
        f"        if: ${{{{ !cancelled() && github.ref == 'refs/heads/{config.default_branch}' }}}}",
        "        with:",
        f"          path: {reports}/*.json",
        "          key: noxci-reports-${{ github.sha }}-${{ github.run_id }}",
        *upload("readiness", f"{relative_dir(config, config.readiness_dir)}/"),
    ]
    for spec in later:
        lines += [
            "",
            *_after_job(
                spec, parallel, present, python=python, runner=runner, reports=reports
            ),
        ]
    return "\n".join(lines) + "\n"
