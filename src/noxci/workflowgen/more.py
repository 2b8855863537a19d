"""The workflows that run after CI: the PR comment, readiness updates, the smoke test."""

from __future__ import annotations

from noxci.config import Config
from noxci.workflowgen.steps import (
    ACTIONS,
    Runner,
    environment,
    header,
    job,
    relative_dir,
    setup,
)

__all__ = ["pr_comment_workflow", "smoke_workflow", "update_readiness_workflow"]

_AFTER_CI = ["  workflow_run:", "    workflows: [CI]", "    types: [completed]"]


def pr_comment_workflow(config: Config, runner: Runner) -> str:
    """``pr-comment.yml``: the sticky comment, for forks too, from CI's artifact only."""
    lines = [
        *header(
            [
                "Posts the sticky readiness comment on pull requests, forks included.",
                "It runs after CI in the context of the base repository, never checks out or",
                "runs the pull request's code, and only reads the uploaded readiness.json",
                "(validated against its schema, rendered from numbers and noxci's own words).",
            ],
            "PR comment",
            [
                "  # zizmor: ignore[dangerous-triggers] -- the reason this workflow exists: it must",
                "  # comment on fork PRs; it checks out only the base branch and reads only",
                "  # the schema-validated readiness.json artifact, never PR code.",
                *_AFTER_CI,
            ],
        ),
        "concurrency:",
        "  group: pr-comment-${{ github.event.workflow_run.head_branch }}",
        "  cancel-in-progress: false",
        "",
        *environment(runner),
        "jobs:",
        *job(
            "comment",
            minutes=5,
            condition="github.event.workflow_run.event == 'pull_request'",
            permissions={
                "contents": "read # check out the base branch: the noxfile and its readiness history",
                "actions": "read # download the readiness artifact of the CI run",
                "pull-requests": "write # create or edit the one readiness comment",
            },
        ),
        *setup(config.python[0], runner),
        f"      - uses: {ACTIONS['download']}",
        "        with:",
        "          name: readiness",
        "          path: pr-readiness",
        "          run-id: ${{ github.event.workflow_run.id }}",
        "          github-token: ${{ github.token }}",
        f"      - run: {runner.nox} -s comment -- --from pr-readiness/readiness.json",
        "        env:",
        "          GITHUB_TOKEN: ${{ github.token }}",
        "          NOXCI_RUN_URL: ${{ github.event.workflow_run.html_url }}",
        "          NOXCI_EXPECT_HEAD_SHA: ${{ github.event.workflow_run.head_sha }}",
    ]
    return "\n".join(lines) + "\n"


def update_readiness_workflow(config: Config, runner: Runner) -> str:
    """``update-readiness.yml``: readiness/ refreshed from CI's own results."""
    reports = relative_dir(config, config.reports_dir)
    branches = [
        config.default_branch,
        *(["develop"] if config.default_branch != "develop" else []),
    ]
    lines = [
        *header(
            [
                "Refreshes readiness/ from CI's own results. When CI completes for a push",
                f"to {' or '.join(branches)} (workflow_run), it scores that run's reports,",
                "downloaded from the run and never re-run, against that run's commit. The",
                "daily run re-audits security first (new advisories appear every day) and",
                "scores again; the monthly run is the seed's security audit. Slack hears",
                "when the gate fails; readiness/ is committed only when it changed, with a",
                "token whose pushes never start workflows (no loop).",
            ],
            "Update readiness",
            [
                "  # zizmor: ignore[dangerous-triggers] -- only CI runs of pushes (the if: below)",
                "  # start it; it checks out that run's own commit and reads only its",
                "  # schema-validated reports, never a pull request's code.",
                *_AFTER_CI,
                f"    branches: [{', '.join(branches)}]",
                "  schedule:",
                '    - cron: "0 9 * * *" # daily at 09:00 UTC',
                '    - cron: "0 6 1 * *" # monthly security audit',
                "  workflow_dispatch:",
            ],
        ),
        "concurrency:",
        "  group: update-readiness",
        "  cancel-in-progress: false",
        "",
        *environment(runner),
        "jobs:",
        *job(
            "update",
            minutes=10,
            condition=(
                "github.event_name != 'workflow_run' || (github.event.workflow_run.event == 'push'"
                " && github.event.workflow_run.conclusion != 'cancelled')"
            ),
            permissions={
                "contents": "write # commit readiness/ to the branch CI ran on",
                "actions": "read # download the CI run's reports; list its runs for the pass rate",
            },
        ),
        *setup(
            config.python[0],
            runner,
            ref="${{ github.event.workflow_run.head_sha || github.sha }}",
        ),
        "      - if: github.event_name == 'workflow_run'",
        f"        uses: {ACTIONS['download']}",
        "        with:",
        "          pattern: reports-*",
        f"          path: {reports}",
        "          merge-multiple: true",
        "          run-id: ${{ github.event.workflow_run.id }}",
        "          github-token: ${{ github.token }}",
        "      - if: github.event_name != 'workflow_run'",
        f"        uses: {ACTIONS['cache-restore']}",
        "        with:",
        f"          path: {reports}/*.json",
        "          key: noxci-reports-${{ github.sha }}",
        "          restore-keys: noxci-reports-",
        "      - if: github.event_name != 'workflow_run'",
        f"        run: {runner.nox} -s security",
        "        env:",
        '          NOXCI_CACHE: "0" # audit afresh: today\'s advisories',
        f"      - run: {runner.nox} -s readiness -- --notify --commit",
        "        env:",
        "          GITHUB_TOKEN: ${{ github.token }}",
        "          SLACK_WEBHOOK_URL: ${{ secrets.SLACK_WEBHOOK_URL }}",
        "          NOXCI_BRANCH: ${{ github.event.workflow_run.head_branch || github.ref_name }}",
    ]
    return "\n".join(lines) + "\n"


def smoke_workflow(config: Config, runner: Runner) -> str:
    """``staging-smoke-test.yml``: after CI succeeds for a push, every 4 hours, by hand."""
    branch = config.default_branch
    lines = [
        *header(
            [
                f"The staging smoke test: after CI succeeds for a push to {branch}, every",
                "4 hours, and by hand. Health, API and database checks with retries; Slack",
                "on failure. Its secrets live in the `staging` environment.",
            ],
            "Staging smoke test",
            [
                f"  # zizmor: ignore[dangerous-triggers] -- only CI runs of pushes to {branch}",
                "  # (the if: below; never a pull request, whatever its branch is called)",
                "  # start it, and it runs the default branch's own code against staging.",
                *_AFTER_CI,
                f"    branches: [{branch}]",
                "  schedule:",
                '    - cron: "0 */4 * * *"',
                "  workflow_dispatch:",
            ],
        ),
        "concurrency:",
        "  group: staging-smoke-test",
        "  cancel-in-progress: false",
        "",
        *environment(runner),
        "jobs:",
        *job(
            "smoke",
            minutes=10,
            condition=(
                "github.event_name != 'workflow_run' || (github.event.workflow_run.conclusion == 'success'"
                f" && github.event.workflow_run.event == 'push' && github.event.workflow_run.head_branch == '{branch}')"
            ),
            permissions={"contents": "read # check out the smoke test's configuration"},
            extra=["    environment: staging"],
        ),
        *setup(config.python[0], runner),
        f"      - run: {runner.nox} -s smoke",
        "        env:",
        "          STAGING_URL: ${{ secrets.STAGING_URL }}",
        "          DATABASE_URL: ${{ secrets.DATABASE_URL }}",
        "          SLACK_WEBHOOK_URL: ${{ secrets.SLACK_WEBHOOK_URL }}",
    ]
    return "\n".join(lines) + "\n"
