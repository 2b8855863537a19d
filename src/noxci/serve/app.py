"""The readiness service's HTTP API (Starlette).

GET  /health                                  database check
GET  /                                        HTML index of projects
GET  /projects/{name}                         the project's HTML dashboard
GET  /api/v1/projects/{name}/readiness        latest result (JSON)
GET  /api/v1/projects/{name}/history          runs, oldest first (?limit=)
GET  /api/v1/projects/{name}/badge.json       shields.io endpoint
POST /api/v1/projects/{name}/runs             upload a readiness.json
                                              (Authorization: Bearer TOKEN)
"""

from __future__ import annotations

from html import escape
from typing import Any

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from noxci.errors import ReportError
from noxci.httpserve import BadBody, json_body
from noxci.readiness.document import ReadinessDocument, validate_document
from noxci.readiness.history import HistoryEntry
from noxci.readiness.trend import trend
from noxci.render.badge import badge
from noxci.render.html import html_dashboard
from noxci.serve.store import Store, db_failure

__all__ = ["MAX_UPLOAD", "serve_app"]

MAX_UPLOAD = 1 << 20  # a readiness.json is a few kilobytes


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _entries(store: Store, name: str) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            generated_at=s.generated_at,
            commit=s.commit,
            branch=s.branch,
            context="ci",
            score=s.score,
            band=s.band,
            gate=s.gate,
            components={},
            outcome="success" if s.gate == "passed" else "failure",
        )
        for s in store.history(name, limit=200)
    ]


def serve_app(store: Store) -> Starlette:
    """The app over ``store`` (its schema must already be migrated)."""

    def health(_: Request) -> JSONResponse:
        if store.healthy():
            return JSONResponse({"status": "ok", "database": "ok"})
        return JSONResponse(
            {"status": "error", "database": "unreachable"}, status_code=503
        )

    def latest_doc(name: str) -> ReadinessDocument | None:
        data = store.latest(name)
        return ReadinessDocument.from_dict(data) if data else None

    def readiness(request: Request) -> Response:
        data = store.latest(request.path_params["name"])
        return (
            JSONResponse(data)
            if data
            else _error(404, "no readiness result for this project")
        )

    def history(request: Request) -> Response:
        try:
            limit = max(1, min(1000, int(request.query_params.get("limit", "100"))))
        except ValueError:
            return _error(400, "limit must be an integer")
        name = request.path_params["name"]
        if name not in store.project_names():
            return _error(404, "no such project")
        return JSONResponse(
            {"project": name, "runs": [s.to_dict() for s in store.history(name, limit)]}
        )

    def badge_json(request: Request) -> Response:
        doc = latest_doc(request.path_params["name"])
        if doc is None:
            return JSONResponse(
                {
                    "schemaVersion": 1,
                    "label": "readiness",
                    "message": "unknown",
                    "color": "lightgrey",
                }
            )
        return JSONResponse(badge(doc))

    def refused(name: str, header: str) -> JSONResponse | None:
        """Why this bearer token may not write to ``name``, if it may not."""
        token = header[7:].strip() if header.startswith("Bearer ") else ""
        if not token:
            return _error(401, "missing bearer token")
        verdict = store.authorize(name, token)
        if verdict == "unknown-token":
            return _error(401, "unknown token")
        if verdict == "wrong-project":
            return _error(403, f"this token may not write to project {name!r}")
        return None

    async def upload(request: Request) -> Response:
        name = request.path_params["name"]
        denied = refused(name, request.headers.get("authorization", ""))
        if denied is not None:
            return denied
        try:
            data: Any = await json_body(request, MAX_UPLOAD)
        except BadBody as exc:
            return _error(exc.status, exc.message)
        try:
            validate_document(data, "upload")
        except ReportError as exc:
            return _error(422, str(exc))
        too_long = store.too_long(data)
        if too_long is not None:
            return _error(422, f"upload: {too_long}")
        run_id = store.add_run(name, data)
        return JSONResponse(
            {"id": run_id, "project": name, "score": data["score"]}, status_code=201
        )

    def index(_: Request) -> HTMLResponse:
        rows = []
        for name in store.project_names():
            doc = latest_doc(name)
            score = (
                f"{doc.result.score:.2f} · {escape(doc.result.band.value)} · gate {escape(doc.result.gate.value)}"
                if doc
                else "no runs yet"
            )
            rows.append(
                f'<tr><td><a href="/projects/{escape(name)}">{escape(name)}</a></td><td>{score}</td></tr>'
            )
        body = "".join(rows) or '<tr><td colspan="2">No projects yet.</td></tr>'
        return HTMLResponse(
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>noxci readiness</title></head>"
            '<body style="font:15px system-ui,sans-serif;margin:24px"><h1>Release readiness</h1>'
            f"<table><tr><th>Project</th><th>Latest</th></tr>{body}</table></body></html>"
        )

    def project_page(request: Request) -> Response:
        name = request.path_params["name"]
        doc = latest_doc(name)
        if doc is None:
            return HTMLResponse(
                "<!doctype html><p>No readiness result for this project.</p>",
                status_code=404,
            )
        history = trend(doc, _entries(store, name), doc.branch or "main")
        return HTMLResponse(html_dashboard(doc, history))

    def database_down(_: Request, exc: Exception) -> JSONResponse:
        return _error(503, f"the database is unreachable: {db_failure(exc)}")

    return Starlette(
        exception_handlers={
            sa.exc.OperationalError: database_down,
            sa.exc.InterfaceError: database_down,
        },
        routes=[
            Route("/health", health),
            Route("/", index),
            Route("/projects/{name}", project_page),
            Route("/api/v1/projects/{name}/readiness", readiness),
            Route("/api/v1/projects/{name}/history", history),
            Route("/api/v1/projects/{name}/badge.json", badge_json),
            Route("/api/v1/projects/{name}/runs", upload, methods=["POST"]),
        ],
    )
