"""The GitHub workflows, generated from the job registry and the project.

``noxci init --github`` writes them; this repository's own are this
package's output (a test fails on drift). Every ``run:`` is ``nox -s
<session>``; every action is pinned by commit SHA; permissions start empty
and each job grants only what it needs. The workflows work with and without
uv.lock (:func:`noxci.workflowgen.steps.runner_for`), and pass zizmor
(offline, pedantic) and actionlint.
"""

from __future__ import annotations

from noxci.config import Config
from noxci.pyproject import user_table
from noxci.registry import registered_jobs
from noxci.workflowgen.ci import ci_workflow, matrix, print_matrix
from noxci.workflowgen.more import (
    pr_comment_workflow,
    smoke_workflow,
    update_readiness_workflow,
)
from noxci.workflowgen.steps import GENERATED, runner_for

__all__ = ["GENERATED", "ci_workflow", "matrix", "print_matrix", "workflows"]


def workflows(config: Config) -> dict[str, str]:
    """Each workflow file name under .github/workflows, with its text."""
    root = config.root
    table = user_table(root)
    runner = runner_for(root)
    files = {
        "ci.yml": ci_workflow(config, registered_jobs(root, table), runner),
        "pr-comment.yml": pr_comment_workflow(config, runner),
        "update-readiness.yml": update_readiness_workflow(config, runner),
    }
    if "smoke" in table:  # a project that configures its smoke test deploys somewhere
        files["staging-smoke-test.yml"] = smoke_workflow(config, runner)
    return files
