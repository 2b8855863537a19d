"""Publishing against local peers: a fake GitHub API and a Slack webhook on 127.0.0.1."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from noxci.config import Config
from noxci.errors import NetworkError
from noxci.github import GitHubSettings
from noxci.publish.actions import post_comment, slack_alert
from noxci.publish.github_comment import CommentForbidden, upsert_comment
from noxci.publish.slack import notify
from noxci.readiness.document import ReadinessDocument
from noxci.render.comment import MARKER
from noxci.render.slack_message import readiness_alert
from tests.conftest import MakeConfig
from tests.fakes import slack_webhook
from tests.fakes.github_api import REPO, GitHubState
from tests.fakes.server import FakeServer, Fault, serve
from tests.unit.test_render import _doc

TOKEN = "ghs_SuperSecretToken0001"


def _settings(server: FakeServer) -> GitHubSettings:
    return GitHubSettings(
        token=TOKEN,
        repository=REPO,
        api_url=server.url,
        pause=0.0,
        backoff=0.0,
        per_page=30,
    )


def _body(text: str) -> str:
    return f"{MARKER}\n{text}"


def test_first_post_then_edit_in_place(github: tuple[FakeServer, GitHubState]) -> None:
    server, state = github
    first = upsert_comment(_settings(server), 7, _body("one"))
    second = upsert_comment(_settings(server), 7, _body("two"))
    assert (first.action, second.action) == ("created", "updated")
    assert first.comment_id == second.comment_id
    assert [c["body"] for c in state.comments[7]] == [_body("two")]
    assert server.requests[0].headers["authorization"] == f"token {TOKEN}"


def test_a_502_after_the_post_landed_leaves_one_comment(
    github: tuple[FakeServer, GitHubState],
) -> None:
    server, state = github
    server.fault(
        Fault("POST", f"/repos/{REPO}/issues/7/comments", status=502, apply_after=True)
    )
    result = upsert_comment(_settings(server), 7, _body("hello"))
    assert result.action == "updated"  # found the comment the failed POST created
    assert len(state.comments[7]) == 1
    assert [r.method for r in server.requests].count("POST") == 1


def test_a_502_before_the_post_is_retried(
    github: tuple[FakeServer, GitHubState],
) -> None:
    server, state = github
    server.fault(Fault("POST", f"/repos/{REPO}/issues/7/comments", status=502))
    assert upsert_comment(_settings(server), 7, _body("x")).action == "created"
    assert len(state.comments[7]) == 1


def test_paging_through_many_comments_finds_ours(
    github: tuple[FakeServer, GitHubState],
) -> None:
    server, state = github
    others = [
        {"id": i, "body": f"comment {i}", "user": {"login": f"user{i}"}}
        for i in range(1, 151)
    ]
    ours = {"id": 500, "body": _body("old"), "user": {"login": state.bot_login}}
    impostor = {"id": 501, "body": _body("not the bot"), "user": {"login": "mallory"}}
    state.comments[9] = [*others[:120], impostor, ours, *others[120:]]
    result = upsert_comment(_settings(server), 9, _body("new"))
    assert (result.action, result.comment_id) == ("updated", 500)
    assert impostor["body"] == _body("not the bot")
    assert len(state.comments[9]) == 152
    pages = [
        r.query.get("page", ["1"])[0] for r in server.requests if r.method == "GET"
    ]
    assert pages == ["1", "2", "3", "4", "5", "6"]


def test_duplicates_left_by_older_runs_are_removed(
    github: tuple[FakeServer, GitHubState],
) -> None:
    server, state = github
    state.comments[3] = [
        {"id": n, "body": _body(str(n)), "user": {"login": state.bot_login}}
        for n in (10, 11)
    ]
    upsert_comment(_settings(server), 3, _body("new"))
    assert [(c["id"], c["body"]) for c in state.comments[3]] == [(10, _body("new"))]


def test_forbidden_and_persistent_failures(
    github: tuple[FakeServer, GitHubState],
) -> None:
    server, _ = github
    server.fault(
        Fault(
            "GET",
            f"/repos/{REPO}/issues/5/comments",
            status=403,
            body={"message": "Resource not accessible by integration"},
        )
    )
    with pytest.raises(CommentForbidden, match="a fork's token cannot comment"):
        upsert_comment(_settings(server), 5, _body("x"))
    for _ in range(3):
        server.fault(Fault("POST", f"/repos/{REPO}/issues/5/comments", status=500))
    with pytest.raises(NetworkError, match="after 3 attempts"):
        upsert_comment(_settings(server), 5, _body("x"))


def test_403_falls_back_to_the_step_summary(
    github: tuple[FakeServer, GitHubState],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from noxci import fsutil
    from noxci.cli import main
    from noxci.config import load_config
    from tests.readiness_helpers import write_project

    server, state = github
    write_project(tmp_path)
    artifact = tmp_path / "artifact" / "readiness.json"
    fsutil.atomic_write_json(artifact, _doc(load_config(tmp_path)).to_dict())
    summary = tmp_path / "summary.md"
    server.fault(
        Fault(
            "GET",
            f"/repos/{REPO}/issues/4/comments",
            status=403,
            body={"message": "forbidden"},
        )
    )
    assert post_comment("x", {}, pr=4, github=_settings(server)) == "forbidden"
    server.fault(
        Fault(
            "GET",
            f"/repos/{REPO}/issues/4/comments",
            status=403,
            body={"message": "forbidden"},
        )
    )
    monkeypatch.chdir(tmp_path)
    for key, value in {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": server.url,
        "GITHUB_STEP_SUMMARY": str(summary),
    }.items():
        monkeypatch.setenv(key, value)
    assert main(["comment", "--from", str(artifact), "--pr", "4"]) == 0
    assert summary.read_text().startswith(MARKER)
    assert "it is in the step summary instead" in capsys.readouterr().err
    assert 4 not in state.comments


@pytest.fixture
def slack() -> Iterator[tuple[FakeServer, list[dict[str, object]], str]]:
    received: list[dict[str, object]] = []
    server = FakeServer()
    path = slack_webhook.install(server, received)
    with serve(server):
        yield server, received, f"{server.url}{path}"


def test_slack_200(slack: tuple[FakeServer, list[dict[str, object]], str]) -> None:
    _, received, url = slack
    assert notify({"SLACK_WEBHOOK_URL": url}, "hello", backoff=0.0)
    assert received == [{"text": "hello"}]


def test_slack_429_then_200(
    slack: tuple[FakeServer, list[dict[str, object]], str],
) -> None:
    server, received, url = slack
    server.fault(
        Fault(
            "POST",
            slack_webhook.PATH,
            status=429,
            body="rate limited",
            headers={"Retry-After": "0"},
        )
    )
    assert notify({"SLACK_WEBHOOK_URL": url}, "again", backoff=0.0)
    assert received == [{"text": "again"}]
    assert len(server.requests) == 2


def test_slack_500_is_a_warning(
    slack: tuple[FakeServer, list[dict[str, object]], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    server, received, url = slack
    for _ in range(3):
        server.fault(Fault("POST", slack_webhook.PATH, status=500, body="boom"))
    assert not notify({"SLACK_WEBHOOK_URL": url}, "x", backoff=0.0)
    assert len(server.requests) == 3  # the first try and two retries
    assert received == []
    err = capsys.readouterr().err
    assert (
        'Slack notification failed: the Slack webhook answered 500: "boom" after 3 attempts in '
        in err
    )
    assert "; the result is unchanged" in err
    assert url not in err


def test_slack_connection_refused_is_a_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "http://127.0.0.1:9/services/T/B/SECRETPART"
    assert not notify({"SLACK_WEBHOOK_URL": url}, "x", backoff=0.0)
    err = capsys.readouterr().err
    assert (
        "Slack notification failed: the Slack webhook is unreachable (URLError) after 3 attempts"
        in err
    )
    assert "SECRETPART" not in err


def test_no_webhook_no_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert not notify({}, "x")
    assert "SLACK_WEBHOOK_URL is not set" in capsys.readouterr().err


def test_alert_only_when_the_gate_fails(
    make_config: MakeConfig, slack: tuple[FakeServer, list[dict[str, object]], str]
) -> None:
    _, received, url = slack
    config: Config = make_config("")
    assert not slack_alert(None, {"SLACK_WEBHOOK_URL": url})  # the gate passed
    failing = _doc(config, problem=True)
    assert slack_alert(
        readiness_alert(failing, "https://ci.example/run/1"), {"SLACK_WEBHOOK_URL": url}
    )
    [message] = received
    text = str(message["text"])
    assert text.startswith(
        ":rotating_light: *widget* release readiness is *74.31* (Poor), below the threshold 90."
    )
    assert "gate failed: incomplete data: security (stale)" in text
    assert "<https://ci.example/run/1|Workflow run>" in text
    assert dataclasses.replace(failing, project="x").project == "x"


def test_document_round_trip_keeps_what_the_comment_needs(
    make_config: MakeConfig,
) -> None:
    config: Config = make_config("")
    doc = _doc(config)
    again = ReadinessDocument.from_dict(doc.to_dict())
    assert again.to_dict() == doc.to_dict()


def test_whole_publish_path_never_leaks_secrets(
    github: tuple[FakeServer, GitHubState],
    slack: tuple[FakeServer, list[dict[str, object]], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from noxci.cli import main
    from tests.fakes.github_api import make_run
    from tests.readiness_helpers import passing_set, write_project

    server, state = github
    _, received, webhook = slack
    state.runs = [
        make_run(i, "success" if i % 4 else "failure") for i in range(20, 0, -1)
    ]
    project = tmp_path / "project"
    project.mkdir()
    config = write_project(project)
    passing_set(config)
    (
        config.reports_dir / "security.json"
    ).unlink()  # the gate fails: Slack must hear of it
    summary = tmp_path / "summary.md"
    event = tmp_path / "event.json"
    event.write_text('{"pull_request": {"number": 12}}')
    for key, value in {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": server.url,
        "SLACK_WEBHOOK_URL": webhook,
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_RUN_ID": "42",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(project)
    assert (
        main(["readiness", "--comment", "--notify"]) == 2
    )  # publishing never changes the gate
    out, err = capfd.readouterr()
    [comment] = state.comments[12]
    [message] = received
    secrets = [TOKEN, webhook, webhook.split("/services/")[1]]
    texts = {
        "stdout": out,
        "stderr": err,
        "comment": comment["body"],
        "slack": str(message),
    }
    texts.update(
        {
            str(p): p.read_text(errors="replace")
            for p in [*tmp_path.rglob("*"), summary]
            if p.is_file()
        }
    )
    for name, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"{name} leaks a secret"
    assert "PR comment created" in err
    assert "Slack: notification sent" in err
    assert comment["body"].startswith(MARKER)
    assert "/acme/widget/actions/runs/42" in comment["body"]


def test_comment_command_publishes_an_artifact(
    github: tuple[FakeServer, GitHubState],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from noxci import fsutil
    from noxci.cli import main
    from noxci.config import load_config
    from tests.readiness_helpers import write_project

    server, state = github
    config = write_project(tmp_path)
    artifact = tmp_path / "artifact" / "readiness.json"
    fsutil.atomic_write_json(artifact, _doc(load_config(tmp_path)).to_dict())
    monkeypatch.chdir(tmp_path)
    for key, value in {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": server.url,
    }.items():
        monkeypatch.setenv(key, value)
    assert (
        main(
            [
                "comment",
                "--from",
                str(artifact),
                "--pr",
                "3",
                "--run-url",
                "https://ci.example/1",
            ]
        )
        == 0
    )
    assert main(["comment", "--from", str(artifact), "--pr", "3"]) == 0
    [comment] = state.comments[3]
    assert "Release readiness: 94.31" in comment["body"]
    assert (
        "workflow run" not in comment["body"]
    )  # the second run had no URL: edited in place
    assert config.readiness_dir.exists() is False  # publishing writes nothing
    monkeypatch.delenv("GITHUB_TOKEN")
    assert main(["comment", "--from", str(artifact), "--pr", "3"]) == 0
    assert (
        "PR comment skipped: no GITHUB_TOKEN and GITHUB_REPOSITORY"
        in capfd.readouterr().err
    )
