"""The ``security`` job: bandit, pip-audit on the locked dependencies, uv pip check.

It fails closed. A file bandit cannot parse is counted, not skipped; a
dependency pip-audit could not look up is *unaudited*, never clean; when no
dependency at all could be audited the report is an ``error``. Non-blocking
by default (the seed's "for now"): any problem makes the report ``failed``
(as typecheck's errors do), which fails the session and the gate only with
``blocking = true``. A CycloneDX SBOM of the runtime pins is an artifact.

``vulnerability-service`` (or ``NOXCI_VULN_SERVICE``) is ``pypi``, ``osv``,
an OSV-compatible ``/v1/query`` URL, or ``osv-dir:PATH``: serve a local
directory of OSV advisories for the duration of the audit (air-gapped CI).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from noxci import console, fsutil, safefile
from noxci.errors import ToolError
from noxci.jobconfig import PATHS, JobConfig, option
from noxci.jobs.base import JobContext, Outcome
from noxci.parsers.bandit import parse_bandit
from noxci.parsers.pip_audit import AuditResult, merge_audits, parse_pip_audit
from noxci.parsers.pipcheck import parse_pip_check
from noxci.parsers.uv_export import split_pins
from noxci.project import detect_packages, tool_table
from noxci.report import Finding, Severity, Status
from noxci.uvtool import find_uv, sync_runtime
from noxci.venvs import interpreter

__all__ = ["IgnoredAdvisory", "Settings", "run", "vulnerability_service"]

_LEVEL = {"enum": ["low", "medium", "high"]}


# The metrics that are problems (bandit_low is reported only at severity low);
# the others count what was checked.
PROBLEMS = frozenset(
    {"bandit_high", "bandit_medium", "bandit_low", "bandit_errors", "vulns_total"}
    | {"packages_unaudited", "pip_check_problems"}
)


@dataclass(frozen=True, kw_only=True)
class IgnoredAdvisory:
    """An advisory the project accepts, and why."""

    id: str
    reason: str


def _ignores(items: Sequence[Any]) -> tuple[IgnoredAdvisory, ...]:
    return tuple(IgnoredAdvisory(id=i["id"], reason=i["reason"]) for i in items)


@dataclass(frozen=True, kw_only=True)
class Settings(JobConfig):
    """``[tool.noxci.security]``."""

    paths: tuple[str, ...] = option(
        (), PATHS, "Paths bandit scans; empty means src/ or the packages."
    )
    bandit_severity: str = option(
        "medium", _LEVEL, "Lowest bandit severity reported (the seed: medium)."
    )
    bandit_confidence: str = option(
        "medium", _LEVEL, "Lowest bandit confidence reported (the seed: medium)."
    )
    vulnerability_service: str = option(
        "osv",
        {"type": "string", "pattern": "^(pypi|osv|https?://.+|osv-dir:.+)$"},
        "Where pip-audit looks up advisories: pypi, osv, the URL of an OSV-compatible /v1/query endpoint, or osv-dir:PATH to serve a local directory of OSV advisories during the audit. NOXCI_VULN_SERVICE overrides it.",
    )
    ignore: tuple[IgnoredAdvisory, ...] = option(
        (),
        {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "reason"],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "reason": {"type": "string", "minLength": 1},
                },
            },
        },
        "Advisories to ignore, each with the reason why.",
        convert=_ignores,
    )
    sbom: bool = option(
        True,
        {"type": "boolean"},
        "Write a CycloneDX SBOM of the locked runtime dependencies as an artifact.",
    )


BANDIT_ERROR = 2


@contextlib.contextmanager
def vulnerability_service(spec: str, root: Path) -> Iterator[list[str]]:
    """pip-audit's service arguments; ``osv-dir:`` serves a directory meanwhile."""
    if spec in {"pypi", "osv"}:
        yield ["--vulnerability-service", spec]
    elif spec.startswith(("http://", "https://")):
        yield ["--vulnerability-service", "osv", "--osv-url", spec]
    elif spec.startswith("osv-dir:"):
        from noxci.httpserve import serving
        from noxci.osv.server import osv_app
        from noxci.osv.store import AdvisoryStore

        store = AdvisoryStore((root / spec.removeprefix("osv-dir:")).resolve())
        with serving(osv_app(store)) as url:
            yield ["--vulnerability-service", "osv", "--osv-url", f"{url}/v1/query"]
    else:
        raise ToolError(
            f"unknown vulnerability service {spec!r}: use pypi, osv, a URL or osv-dir:PATH"
        )


def _bandit(ctx: JobContext, cfg: Settings) -> tuple[list[str], Path]:
    out = ctx.artifact("bandit.json")
    paths = cfg.paths or detect_packages(ctx.root)
    argv = ["bandit", "-r", *paths, "-f", "json", "-o", str(out), "-q"]
    argv += ["--severity-level", cfg.bandit_severity]
    argv += ["--confidence-level", cfg.bandit_confidence]
    if tool_table(ctx.root, "bandit"):
        argv += ["-c", "pyproject.toml"]
    out.unlink(missing_ok=True)
    done = ctx.tool(argv)
    if done.returncode >= BANDIT_ERROR or not out.is_file():
        raise ToolError(f"bandit exited {done.returncode}: {done.tail()}")
    return argv, out


def _export(ctx: JobContext, path: Path, *args: str) -> None:
    if not (ctx.root / "uv.lock").is_file():
        raise ToolError(
            "no uv.lock: the security job audits the locked dependencies; run `uv lock`"
        )
    # uv picks the interpreter of a project command itself, ignoring the
    # session venv (under nox's script mode it took nox's own Python, which
    # the project's requires-python may exclude): name the session's.
    python = ["--python", str(interpreter(ctx.venv))] if ctx.venv else []
    done = ctx.tool(
        [find_uv(), "export", "--locked", "--no-emit-project", *python, *args],
        record=False,
        env={"UV_PYTHON_DOWNLOADS": "never"},
    )
    if done.returncode != 0:
        raise ToolError(f"uv export failed: {done.tail()}")
    fsutil.atomic_write_text(path, done.stdout)


def _requirements(ctx: JobContext, runtime_python: str) -> tuple[Path, bool]:
    """What pip-audit audits, and whether it is hashed (locked).

    With uv.lock, every locked dependency (all groups), hashed. Without one,
    what the project's runtime environment holds, pinned by ``uv pip freeze``.
    """
    path = ctx.artifact("requirements.txt")
    if (ctx.root / "uv.lock").is_file():
        _export(ctx, path, "--format", "requirements-txt", "--all-groups")
        return path, True
    console.warn(
        "no uv.lock: auditing the packages installed in the project's runtime environment"
    )
    done = ctx.tool(
        [find_uv(), "pip", "freeze", "--exclude-editable", "--python", runtime_python],
        record=False,
    )
    if done.returncode != 0:
        raise ToolError(f"uv pip freeze failed: {done.tail()}")
    fsutil.atomic_write_text(path, done.stdout)
    return path, False


def _audit(
    ctx: JobContext, cfg: Settings, requirements: Path, out: Path, *, hashed: bool
) -> Path:
    out.unlink(missing_ok=True)
    spec = ctx.env.get("NOXCI_VULN_SERVICE") or cfg.vulnerability_service
    ignores = [arg for item in cfg.ignore for arg in ("--ignore-vuln", item.id)]
    with vulnerability_service(spec, ctx.root) as service:
        done = ctx.tool(
            [
                "pip-audit",
                "-r",
                str(requirements),
                "--require-hashes" if hashed else "--no-deps",
                "--disable-pip",
                "--format",
                "json",
                "--output",
                str(out),
                "--progress-spinner",
                "off",
                *service,
                *ignores,
            ]
        )
    if not out.is_file() or done.returncode not in {0, 1}:
        raise ToolError(f"pip-audit crashed (exit {done.returncode}): {done.tail(1)}")
    return out


def _read(ctx: JobContext, path: Path) -> str:
    return safefile.read_text(path, root=ctx.root, limit=ctx.config.max_file_size)


def _audit_all(
    ctx: JobContext, cfg: Settings, requirements: Path, *, hashed: bool
) -> tuple[AuditResult, int, list[Path]]:
    """Audit every pin, markers or not; the merged result, the pin count, the outputs.

    pip-audit skips a pin whose marker does not match its interpreter
    without a word: markers are taken off (:mod:`noxci.parsers.uv_export`),
    and any pin that still goes missing from its output counts as unaudited.
    """
    pins = split_pins(_read(ctx, requirements))
    results: list[AuditResult] = []
    outputs: list[Path] = []
    for number, text in enumerate(pins.files, 1):
        suffix = "" if number == 1 else f".{number}"
        path = ctx.artifact(f"audit{suffix}.txt")
        fsutil.atomic_write_text(path, text)
        out = _audit(
            ctx, cfg, path, ctx.artifact(f"pip-audit{suffix}.json"), hashed=hashed
        )
        outputs.append(out)
        try:
            results.append(parse_pip_audit(_read(ctx, out)))
        except ToolError:
            raise ToolError(
                f"pip-audit wrote no usable JSON to {ctx.relative(out)}"
            ) from None
    audit = merge_audits(results)
    silent = pins.count - audit.audited - audit.unaudited
    if silent > 0:
        reason = f"{silent} locked pin(s) missing from pip-audit's output"
        audit = merge_audits(
            [
                audit,
                AuditResult(
                    findings=(
                        Finding(
                            tool="pip-audit",
                            rule="unaudited",
                            severity=Severity.MEDIUM,
                            message=f"{reason}: not audited",
                        ),
                    ),
                    audited=0,
                    unaudited=silent,
                    vulns=0,
                    fixable=0,
                    advisories=(),
                    skip_reasons=(reason,),
                ),
            ]
        )
    if pins.with_markers:
        console.info(
            f"security: audited {pins.with_markers} pin(s) locked behind environment markers too"
        )
    return audit, pins.count, outputs


def _runtime_python(ctx: JobContext) -> str:
    """The project with its runtime dependencies, in a venv of its own.

    The audit tools must not share an environment with the project: their
    own requirements (pip-audit needs a recent requests) would change what is
    installed, and so what pip check checks.
    """
    if ctx.venv is None:
        return "python"
    target = ctx.venv / "noxci-runtime"
    sync_runtime(
        ctx.root,
        target,
        python=str(interpreter(ctx.venv)),
        env=ctx.env,
        retries=ctx.config.install_retries,
        runner=ctx.runner,
    )
    return str(interpreter(target))


def run(ctx: JobContext) -> Outcome:
    """Scan, audit and check; see the module docstring for the verdict."""
    cfg = ctx.settings(Settings)
    for tool in ("bandit", "pip-audit"):
        if not ctx.has(tool):
            raise ToolError(
                f"{tool} is not installed; add it to the '{cfg.group}' dependency group"
            )
    _, bandit_out = _bandit(ctx, cfg)
    bandit = parse_bandit(_read(ctx, bandit_out), str(ctx.root))
    if bandit.files == 0 and not bandit.errors:
        scanned = cfg.paths or detect_packages(ctx.root)
        raise ToolError(
            f"bandit found no Python files to scan in {', '.join(scanned)}; "
            "set [tool.noxci.security] paths"
        )

    runtime = _runtime_python(ctx)
    requirements, hashed = _requirements(ctx, runtime)
    audit, required, audit_outs = _audit_all(ctx, cfg, requirements, hashed=hashed)

    check = ctx.tool([find_uv(), "pip", "check", "--python", runtime])
    problems = parse_pip_check(check.stdout + check.stderr)
    if check.returncode not in {0, 1} or (check.returncode == 1 and not problems):
        raise ToolError(f"uv pip check exited {check.returncode}: {check.tail()}")

    artifacts = {
        "bandit": ctx.relative(bandit_out),
        "requirements": ctx.relative(requirements),
        **{
            "pip-audit" + ("" if i == 1 else f"-{i}"): ctx.relative(out)
            for i, out in enumerate(audit_outs, 1)
        },
    }
    if cfg.sbom and hashed:
        sbom = ctx.artifact("sbom.cdx.json")
        _export(
            ctx,
            sbom,
            "--format",
            "cyclonedx1.5",
            "--preview-features",
            "sbom-export",
            "--no-default-groups",
        )
        artifacts["sbom"] = ctx.relative(sbom)

    metrics: dict[str, int] = {
        "bandit_high": bandit.high,
        "bandit_medium": bandit.medium,
        "bandit_low": bandit.low,
        "bandit_errors": bandit.errors,
        "bandit_files": bandit.files,
        "vulns_total": audit.vulns,
        "vulns_fixable": audit.fixable,
        "packages_required": required,
        "packages_audited": audit.audited,
        "packages_unaudited": audit.unaudited,
        "pip_check_problems": len(problems),
    }
    findings = [*bandit.findings, *audit.findings, *problems]
    details = {
        "advisories": list(audit.advisories),
        "ignored": [{"id": i.id, "reason": i.reason} for i in cfg.ignore],
    }
    summary = (
        f"bandit {bandit.high}/{bandit.medium}/{bandit.low} (high/medium/low) in "
        f"{bandit.files} file(s), {bandit.errors} unscanned; {audit.vulns} vulnerabilities ({audit.fixable} fixable) in "
        f"{audit.audited} audited packages, {audit.unaudited} unaudited; {len(problems)} pip check"
    )
    if audit.audited == 0 and required:
        reason = (
            audit.skip_reasons[0]
            if audit.skip_reasons
            else "no dependencies were found"
        )
        spec = ctx.env.get("NOXCI_VULN_SERVICE") or cfg.vulnerability_service
        return Outcome(
            status=Status.ERROR,
            summary=f"nothing could be audited: {summary}",
            error=(
                f"no dependency could be audited with {spec} ({reason}); set "
                "[tool.noxci.security] vulnerability-service or $NOXCI_VULN_SERVICE "
                "to a source this machine reaches: osv, pypi, an OSV /v1/query URL, "
                "or osv-dir:PATH of a mirror of the advisories"
            ),
            findings=findings,
            artifacts=artifacts,
            details=details,
        )
    dirty = any(metrics[k] for k in PROBLEMS)
    return Outcome(
        # Non-blocking, a failed report still fails neither the session nor the gate.
        status=Status.FAILED if dirty else Status.PASSED,
        summary=summary,
        metrics=metrics,
        findings=findings,
        artifacts=artifacts,
        details=details,
    )
