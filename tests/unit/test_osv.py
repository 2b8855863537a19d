"""The offline OSV source: version matching, and the HTTP API over a real server."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from noxci.cli import main
from noxci.errors import ConfigError, ExitCode
from noxci.httpserve import serving
from noxci.osv.server import osv_app
from noxci.osv.store import AdvisoryStore, affects
from tests.conftest import DATA

ADVISORIES = DATA / "advisories"


def _adv(
    events: list[dict[str, str]], versions: list[str] | None = None
) -> dict[str, Any]:
    return {
        "id": "X-1",
        "affected": [
            {
                "package": {"name": "Demo_Pkg", "ecosystem": "PyPI"},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
                "versions": versions or [],
            }
        ],
    }


@pytest.mark.parametrize(
    ("events", "version", "hit"),
    [
        ([{"introduced": "0"}, {"fixed": "2.0"}], "1.9.9", True),
        ([{"introduced": "0"}, {"fixed": "2.0"}], "2.0", False),
        ([{"introduced": "1.5"}, {"fixed": "2.0"}], "1.4", False),
        ([{"introduced": "1.5"}, {"last_affected": "1.8"}], "1.8", True),
        ([{"introduced": "1.5"}, {"last_affected": "1.8"}], "1.8.1", False),
        (
            [
                {"introduced": "1.0"},
                {"fixed": "1.2"},
                {"introduced": "2.0"},
                {"fixed": "2.1"},
            ],
            "2.0.5",
            True,
        ),
        (
            [
                {"introduced": "1.0"},
                {"fixed": "1.2"},
                {"introduced": "2.0"},
                {"fixed": "2.1"},
            ],
            "1.5",
            False,
        ),
        ([{"introduced": "0"}], "99", True),
    ],
)
def test_ecosystem_ranges(
    events: list[dict[str, str]], version: str, hit: bool
) -> None:
    assert affects(_adv(events), "demo-pkg", version) is hit


def test_versions_list_and_names() -> None:
    advisory = _adv([], versions=["1.0", "1.1"])
    assert affects(advisory, "DEMO.pkg", "1.1")
    assert affects(advisory, "demo-pkg", "1.1.0")  # PEP 440 equal
    assert not affects(advisory, "demo-pkg", "1.2")
    assert not affects(advisory, "other", "1.1")
    assert not affects(advisory, "demo-pkg", "not a version")


def test_store_reads_the_pypa_layout() -> None:
    store = AdvisoryStore(ADVISORIES)
    assert [a["id"] for a in store.query("requests", "2.19.1")] == [
        "PYSEC-2018-28",
        "PYSEC-2023-74",
    ]
    assert store.query("requests", "2.32.0") == []
    assert store.query("unknown-package", "1.0") == []
    advisory = store.get("PYSEC-2018-28")
    assert advisory is not None
    assert advisory["published"].endswith("Z")
    assert store.get("CVE-2018-18074") == advisory  # by alias
    assert store.get("NOPE-1") is None


def test_flat_directory_of_json(tmp_path: Path) -> None:
    (tmp_path / "X-1.json").write_text(
        json.dumps(_adv([{"introduced": "0"}, {"fixed": "2"}]))
    )
    store = AdvisoryStore(tmp_path)
    assert [a["id"] for a in store.query("demo-pkg", "1")] == ["X-1"]


def test_missing_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such advisory directory"):
        AdvisoryStore(tmp_path / "nope")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving(osv_app(AdvisoryStore(ADVISORIES))) as url:
        yield url


def _post(url: str, body: bytes) -> tuple[int, Any]:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_query_endpoint(server: str) -> None:
    status, body = _post(
        f"{server}/v1/query",
        json.dumps(
            {"package": {"name": "Requests", "ecosystem": "PyPI"}, "version": "2.19.1"}
        ).encode(),
    )
    assert status == 200
    assert [v["id"] for v in body["vulns"]] == ["PYSEC-2018-28", "PYSEC-2023-74"]
    status, body = _post(
        f"{server}/v1/query",
        json.dumps(
            {"package": {"name": "requests", "ecosystem": "PyPI"}, "version": "2.32.3"}
        ).encode(),
    )
    assert (status, body) == (200, {})
    status, body = _post(
        f"{server}/v1/query",
        json.dumps(
            {"package": {"purl": "pkg:pypi/jinja2"}, "version": "2.11.2"}
        ).encode(),
    )
    assert [v["id"] for v in body["vulns"]] == ["PYSEC-2021-66"]


def test_querybatch_and_vuln_endpoints(server: str) -> None:
    status, body = _post(
        f"{server}/v1/querybatch",
        json.dumps(
            {
                "queries": [
                    {
                        "package": {"name": "urllib3", "ecosystem": "PyPI"},
                        "version": "1.23",
                    },
                    {
                        "package": {"name": "certifi", "ecosystem": "PyPI"},
                        "version": "2099.1.1",
                    },
                ]
            }
        ).encode(),
    )
    assert status == 200
    assert len(body["results"][0]["vulns"]) >= 3
    assert body["results"][1] == {}
    with urllib.request.urlopen(
        f"{server}/v1/vulns/PYSEC-2018-28", timeout=10
    ) as response:
        assert json.loads(response.read())["id"] == "PYSEC-2018-28"


@pytest.mark.parametrize(
    "body", [b"not json", b'{"version": "1"}', b'{"package": {"name": "x"}}']
)
def test_bad_queries_are_400(server: str, body: bytes) -> None:
    status, answer = _post(f"{server}/v1/query", body)
    assert status == 400
    assert answer["message"]


def test_oversized_query_is_rejected(server: str) -> None:
    status, answer = _post(f"{server}/v1/query", b" " * (2 << 20))
    assert status == 413
    assert answer["error"] == "request bodies are limited to 1048576 bytes"


def test_cli_reports_a_missing_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["osv-serve", str(tmp_path / "nope"), "--port", "0"]) == ExitCode.CONFIG
    assert "no such advisory directory" in capsys.readouterr().err
