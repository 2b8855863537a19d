"""A fake GitHub REST API: workflow runs (paged) and issue comments.

Only what noxci uses, shaped like the real API (fields, Link paging, rate
limit headers), so that the real PyGithub client talks to it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.server import Answer, FakeServer, Request, json_answer

REPO = "acme/widget"


@dataclass
class GitHubState:
    runs: list[dict[str, Any]] = field(default_factory=list)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    bot_login: str = "github-actions[bot]"
    next_comment_id: int = 1000
    post_delay: float = 0.0  # widen the window in which concurrent runs race
    lock: threading.Lock = field(default_factory=threading.Lock)


def make_run(
    number: int, conclusion: str, *, branch: str = "main", minutes: int = 5
) -> dict[str, Any]:
    day = 1 + number % 28
    return {
        "id": 5000 + number,
        "name": "CI",
        "head_branch": branch,
        "head_sha": f"{number:040x}",
        "event": "push",
        "status": "completed",
        "conclusion": conclusion,
        "created_at": f"2026-11-{day:02d}T10:00:00Z",
        "run_started_at": f"2026-11-{day:02d}T10:00:00Z",
        "updated_at": f"2026-11-{day:02d}T10:{minutes:02d}:00Z",
        "html_url": f"https://github.example/{REPO}/actions/runs/{5000 + number}",
        "run_number": number,
    }


def _page(request: Request, items: list[Any], base: str, key: str) -> Answer:
    per_page = int(request.query.get("per_page", ["30"])[0])
    page = int(request.query.get("page", ["1"])[0])
    chunk = items[(page - 1) * per_page : page * per_page]
    headers = {}
    if page * per_page < len(items):
        query = "&".join(f"{k}={v[0]}" for k, v in request.query.items() if k != "page")
        headers["Link"] = f'<{base}{request.path}?{query}&page={page + 1}>; rel="next"'
    body: Any = {"total_count": len(items), key: chunk} if key else chunk
    return json_answer(200, body, headers)


def install(server: FakeServer, state: GitHubState) -> None:
    """Register the routes on ``server``."""

    def workflow(request: Request) -> Answer:
        return json_answer(
            200,
            {
                "id": 161335,
                "name": "CI",
                "path": ".github/workflows/ci.yml",
                "state": "active",
                "url": f"{server.url}/repos/{REPO}/actions/workflows/161335",
                "html_url": f"https://github.example/{REPO}/actions/workflows/ci.yml",
            },
        )

    def runs(request: Request) -> Answer:
        branch = request.query.get("branch", [None])[0]
        status = request.query.get("status", [None])[0]
        chosen = [
            r
            for r in state.runs
            if (branch is None or r["head_branch"] == branch)
            and (status is None or r["status"] == status)
        ]
        return _page(request, chosen, server.url, "workflow_runs")

    server.route("GET", f"/repos/{REPO}/actions/workflows/ci.yml", workflow)

    def comment_json(comment: dict[str, Any]) -> dict[str, Any]:
        return {
            **comment,
            "url": f"{server.url}/repos/{REPO}/issues/comments/{comment['id']}",
            "html_url": f"https://github.example/{REPO}/pull/1#issuecomment-{comment['id']}",
        }

    def list_comments(request: Request) -> Answer:
        number = int(request.path.split("/")[-2])
        items = [comment_json(c) for c in state.comments.get(number, [])]
        return _page(request, items, server.url, "")

    def create_comment(request: Request) -> Answer:
        number = int(request.path.split("/")[-2])
        time.sleep(state.post_delay)
        with state.lock:
            state.next_comment_id += 1
            comment = {
                "id": state.next_comment_id,
                "body": request.json()["body"],
                "user": {"login": state.bot_login, "id": 41898282, "type": "Bot"},
            }
            state.comments.setdefault(number, []).append(comment)
        return json_answer(201, comment_json(comment))

    def _find(request: Request) -> dict[str, Any] | None:
        wanted = int(request.path.rsplit("/", 1)[1])
        for comments in state.comments.values():
            for comment in comments:
                if comment["id"] == wanted:
                    return comment
        return None

    def edit_comment(request: Request) -> Answer:
        comment = _find(request)
        if comment is None:
            return json_answer(404, {"message": "Not Found"})
        comment["body"] = request.json()["body"]
        return json_answer(200, comment_json(comment))

    def delete_comment(request: Request) -> Answer:
        with state.lock:
            comment = _find(request)
            if comment is None:
                return json_answer(404, {"message": "Not Found"})
            for comments in state.comments.values():
                if comment in comments:
                    comments.remove(comment)
        return 204, {}, b""

    server.route("GET", f"/repos/{REPO}/issues/", list_comments)
    server.route("POST", f"/repos/{REPO}/issues/", create_comment)
    server.route("PATCH", f"/repos/{REPO}/issues/comments/", edit_comment)
    server.route("DELETE", f"/repos/{REPO}/issues/comments/", delete_comment)
    server.route("GET", f"/repos/{REPO}/actions/workflows/161335/runs", runs)
    server.route("GET", f"/repos/{REPO}/actions/workflows/ci.yml/runs", runs)
