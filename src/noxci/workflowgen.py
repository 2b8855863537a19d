"""The CI workflow and its job matrix, derived from the job registry.

``nox -s matrix`` prints the matrix of the parallel jobs: the noxfile's
``ci``-tagged sessions (as ``nox -l -t ci`` lists them) less those that wait
for others, one entry per session with its Python and the job's timeout.
``.github/workflows/ci.yml`` is :func:`ci_workflow`'s output: a plan job runs
``nox -s matrix``, the jobs run as one matrix from its output, then
readiness (the gate) and the jobs that wait for others (mcp, build) as the
seed's graph says. Adding a job changes the matrix, never the workflow; a
test fails when the committed workflow drifts from this text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from noxci.config import Config
from noxci.registry import JOBS, JobSpec, ci_jobs

__all__ = ["ACTIONS", "ci_workflow", "matrix"]

# Every action the generated workflows use, pinned by commit SHA.
ACTIONS = {
    "checkout": "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0",
    "setup-python": "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 # v5.6.0",
    "setup-uv": "astral-sh/setup-uv@e92bafb6253dcd438e0484186d7669ea7a8ca1cc # v6.4.3",
    "cache-restore": "actions/cache/restore@0400d5f644dc74513175e3cd8d07132dd4860809 # v4.2.4",
    "cache-save": "actions/cache/save@0400d5f644dc74513175e3cd8d07132dd4860809 # v4.2.4",
    "upload": "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2",
    "download": "actions/download-artifact@634f93cb2916e3fdff6788551b99b062d0335ce0 # v5.0.0",
}
NOX = "uv run --locked nox"
READINESS_MINUTES = 10
PLAN_MINUTES = 5
MATRIX_JOB = "jobs"


DEFAULT_MINUTES = 15  # a ci-tagged session of the project's own


def matrix(sessions: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    """The parallel CI sessions as a GitHub Actions matrix (``include`` entries).

    ``sessions`` maps each ``ci``-tagged session to its function's name and
    its Python (:func:`noxci.preflight.ci_sessions`).
    """
    specs = {spec.name: spec for spec in JOBS}
    include = []
    for session, (name, python) in sessions.items():
        spec = specs.get(name)
        if spec is not None and spec.after:
            continue  # a job of its own, after the matrix
        minutes = spec.ci_minutes if spec is not None else DEFAULT_MINUTES
        include.append({"session": session, "python": python, "timeout": minutes})
    return {"include": include}


def _setup(python: str) -> list[str]:
    return [
        f"      - uses: {ACTIONS['checkout']}",
        "        with:",
        "          persist-credentials: false",
        f"      - uses: {ACTIONS['setup-python']}",
        "        with:",
        f'          python-version: "{python}"',
        f"      - uses: {ACTIONS['setup-uv']}",
        "        with:",
        "          enable-cache: true",
        "          cache-dependency-glob: uv.lock",
    ]


def _job(
    name: str,
    *,
    minutes: int | str,
    needs: Sequence[str] = (),
    condition: str | None = None,
    permissions: Mapping[str, str] | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    lines = [
        f"  {name}:",
        f"    name: {'${{ matrix.session }}' if name == MATRIX_JOB else name}",
    ]
    if needs:
        lines.append(f"    needs: [{', '.join(needs)}]")
    if condition:
        lines.append(f"    if: {condition}")
    lines += [
        "    runs-on: ubuntu-latest",
        f"    timeout-minutes: {minutes}",
        "    permissions:",
    ]
    grants = {"contents": "read # check out the code", **(permissions or {})}
    lines += [f"      {key}: {value}" for key, value in grants.items()]
    return [*lines, *extra, "    steps:"]


def _upload(
    name: str, path: str, *, always: bool = True, required: bool = True
) -> list[str]:
    return [
        f"      - uses: {ACTIONS['upload']}",
        *(["        if: ${{ !cancelled() }}"] if always else []),
        "        with:",
        f"          name: {name}",
        f"          path: {path}",
        *(["          if-no-files-found: error"] if required else []),
    ]


def _matrix_job(python: str) -> list[str]:
    key = "noxci-${{ matrix.session }}"
    return [
        *_job(
            MATRIX_JOB,
            minutes="${{ matrix.timeout }}",
            needs=["plan"],
            extra=[
                "    strategy:",
                "      fail-fast: false",
                "      matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}",
            ],
        ),
        *_setup("${{ matrix.python }}"),
        f"      - uses: {ACTIONS['cache-restore']}",
        "        with:",
        "          path: reports/${{ matrix.session }}.json",
        f"          key: {key}-${{{{ github.sha }}}}",
        f"          restore-keys: {key}-",
        f'      - run: {NOX} -s "$NOXCI_SESSION"',
        "        env:",
        "          NOXCI_SESSION: ${{ matrix.session }}",
        f"      - uses: {ACTIONS['cache-save']}",
        "        if: ${{ !cancelled() }}",
        "        with:",
        "          path: reports/${{ matrix.session }}.json",
        f"          key: {key}-${{{{ github.sha }}}}-${{{{ github.run_id }}}}",
        *_upload("reports-${{ matrix.session }}", "reports/"),
    ]


def _after_job(
    spec: JobSpec, parallel: set[str], present: set[str], python: str
) -> list[str]:
    needs = []
    for name in spec.after:
        target = MATRIX_JOB if name in parallel else name
        if (target in present or target == MATRIX_JOB) and target not in needs:
            needs.append(target)
    artifact = (
        _upload("dist", "dist/", always=False)
        if spec.name == "build"
        else _upload(f"reports-{spec.name}", "reports/", required=False)
    )
    return [
        *_job(spec.name, minutes=spec.ci_minutes, needs=needs),
        *_setup(python),
        f"      - run: {NOX} -s {spec.name}",
        *artifact,
    ]


def _in_order(specs: list[JobSpec]) -> list[JobSpec]:
    """``specs`` so that each comes after the jobs it waits for."""
    done: list[JobSpec] = []
    names = {spec.name for spec in specs}
    pending = list(specs)
    while pending:
        ready = [
            s
            for s in pending
            if all(n not in names or n in {d.name for d in done} for n in s.after)
        ]
        if not ready:
            raise ValueError(
                f"the jobs {[s.name for s in pending]} wait for each other"
            )
        done += ready
        pending = [s for s in pending if s not in ready]
    return done


def ci_workflow(config: Config, specs: list[JobSpec]) -> str:
    """``.github/workflows/ci.yml`` for the project's registered jobs."""
    python = config.python[0]
    jobs = ci_jobs(specs)
    parallel = {spec.name for spec in jobs if not spec.after}
    later = _in_order([spec for spec in jobs if spec.after])
    present = {"readiness", *(spec.name for spec in later)}
    lines = [
        "# Generated by `noxci init --github` from noxci's job registry: do not edit.",
        "# CI: every job is `nox -s <session>`, in the seed's graph. The plan job",
        "# lists the parallel jobs (`nox -s matrix`), which run as one matrix; each",
        "# restores its session's last report (noxci reuses it when the inputs",
        "# digest is unchanged) and uploads the new one. Readiness (the gate) scores",
        "# the uploaded reports; the jobs that wait for others run after them.",
        "name: CI",
        "",
        "on:",
        "  push:",
        "  pull_request:",
        "",
        "permissions: {}",
        "",
        "concurrency:",
        "  group: ci-${{ github.ref }}",
        "  cancel-in-progress: true",
        "",
        "env:",
        '  FORCE_COLOR: "1"',
        "  UV_PYTHON_DOWNLOADS: never",
        "",
        "jobs:",
        *_job(
            "plan",
            minutes=PLAN_MINUTES,
            extra=["    outputs:", "      matrix: ${{ steps.matrix.outputs.matrix }}"],
        ),
        *_setup(python),
        "      - id: matrix",
        f"        run: {NOX} -s matrix",
        "",
        *_matrix_job(python),
        "",
        *_job(
            "readiness",
            minutes=READINESS_MINUTES,
            needs=[MATRIX_JOB],
            condition="${{ !cancelled() }} # the table and the dashboard even when a job failed",
            permissions={
                "actions": "read # list the CI workflow's runs for the pass rate"
            },
        ),
        *_setup(python),
        f"      - uses: {ACTIONS['download']}",
        "        with:",
        "          pattern: reports-*",
        "          path: reports",
        "          merge-multiple: true",
        f"      - run: {NOX} -s readiness",
        "        env:",
        "          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}",
        f"      - uses: {ACTIONS['cache-save']}",
        f"        if: ${{{{ !cancelled() && github.ref == 'refs/heads/{config.default_branch}' }}}}",
        "        with:",
        "          path: reports/*.json",
        "          key: noxci-reports-${{ github.sha }}-${{ github.run_id }}",
        *_upload("readiness", "readiness/"),
    ]
    for spec in later:
        lines += ["", *_after_job(spec, parallel, present, python)]
    return "\n".join(lines) + "\n"
