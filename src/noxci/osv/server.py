"""The OSV API subset that pip-audit and ``uv audit`` use, over Starlette.

- ``POST /v1/query``: ``{"package": {"name", "ecosystem"}, "version"}`` →
  ``{"vulns": [...]}`` or ``{}``.
- ``POST /v1/querybatch``: ``{"queries": [...]}`` → ``{"results": [{"vulns":
  [{"id", "modified"}]}]}``.
- ``GET /v1/vulns/{id}``: one advisory.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from noxci import console
from noxci.errors import ReportError
from noxci.httpserve import BadBody, json_body
from noxci.osv.store import AdvisoryStore

__all__ = ["osv_app"]

MAX_BODY = 1 << 20
MAX_BATCH = 1000


def _bad(message: str, status: int = 400) -> JSONResponse:
    # OSV's own error shape (code 3: INVALID_ARGUMENT), plus noxci's "error".
    return JSONResponse(
        {"code": 3, "message": message, "error": message}, status_code=status
    )


def _broken(exc: ReportError) -> JSONResponse:
    """An advisory file that cannot be used: the query fails (code 13: INTERNAL)."""
    console.error(str(exc))
    message = f"an advisory cannot be read: {exc}"
    return JSONResponse(
        {"code": 13, "message": message, "error": message}, status_code=500
    )


def _lookup(store: AdvisoryStore, query: Any) -> list[dict[str, Any]] | str:
    if not isinstance(query, dict):
        return "a query must be an object"
    package = query.get("package")
    version = query.get("version")
    if not isinstance(package, dict) or not isinstance(version, str):
        return "only package + version queries are supported"
    if package.get("ecosystem", "PyPI") != "PyPI":
        return []
    name = package.get("name")
    purl = package.get("purl")
    if not name and isinstance(purl, str) and purl.startswith("pkg:pypi/"):
        name = purl[len("pkg:pypi/") :].split("@")[0]
    if not isinstance(name, str) or not name:
        return "package.name is required"
    return store.query(name, version)


def osv_app(store: AdvisoryStore) -> Starlette:
    """A Starlette app serving ``store``."""

    async def query(request: Request) -> JSONResponse:
        """``POST /v1/query``: the advisories affecting one package version."""
        try:
            data = await json_body(request, MAX_BODY)
            found = _lookup(store, data)
        except BadBody as exc:
            return _bad(exc.message, exc.status)
        except ReportError as exc:
            return _broken(exc)
        if isinstance(found, str):
            return _bad(found)
        return JSONResponse({"vulns": found} if found else {})

    async def querybatch(request: Request) -> JSONResponse:
        """``POST /v1/querybatch``: ids of the advisories for each query."""
        try:
            data = await json_body(request, MAX_BODY)
        except BadBody as exc:
            return _bad(exc.message, exc.status)
        queries = data.get("queries") if isinstance(data, dict) else None
        if not isinstance(queries, list) or len(queries) > MAX_BATCH:
            return _bad(f"queries must be a list of at most {MAX_BATCH}")
        results = []
        for item in queries:
            try:
                found = _lookup(store, item)
            except ReportError as exc:
                return _broken(exc)
            if isinstance(found, str):
                return _bad(found)
            vulns = [{"id": v["id"], "modified": v.get("modified", "")} for v in found]
            results.append({"vulns": vulns} if vulns else {})
        return JSONResponse({"results": results})

    async def vuln(request: Request) -> JSONResponse:
        """``GET /v1/vulns/{id}``: one advisory by id or alias."""
        try:
            advisory = store.get(request.path_params["id"])
        except ReportError as exc:
            return _broken(exc)
        if advisory is None:
            return _bad("Bug not found", status=404)
        return JSONResponse(advisory)

    async def health(_: Request) -> JSONResponse:
        """``GET /health``: how many advisories are served."""
        return JSONResponse({"status": "ok", "advisories": len(store)})

    return Starlette(
        routes=[
            Route("/v1/query", query, methods=["POST"]),
            Route("/v1/querybatch", querybatch, methods=["POST"]),
            Route("/v1/vulns/{id:path}", vuln, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
        ]
    )
