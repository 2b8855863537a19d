"""`noxci serve` on SQLite and on a real PostgreSQL, over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from noxci.config import Config
from noxci.errors import ConfigError
from noxci.httpserve import serving
from noxci.serve.app import MAX_UPLOAD, serve_app
from noxci.serve.store import Store, redact_url
from tests.conftest import MakeConfig
from tests.postgres import PASSWORD, fresh_database
from tests.unit.test_render import _doc


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'serve.db'}"
    else:
        url = fresh_database(request.getfixturevalue("postgres"))
    store = Store(url)
    store.migrate()
    yield store
    store.close()


@pytest.fixture
def served(store: Store) -> Iterator[tuple[str, Store]]:
    with serving(serve_app(store)) as url:
        yield url, store


def _document(
    config: Config,
    score_offset: float = 0.0,
    generated_at: str = "2026-11-27T10:00:00Z",
) -> dict[str, object]:
    data = _doc(config).to_dict()
    data["generated_at"] = generated_at
    data["score"] = round(float(data["score"]) - score_offset, 4)
    return data


def _post(
    base: str, project: str, token: str | None, body: bytes | str
) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.post(
        f"{base}/api/v1/projects/{project}/runs", data=body, headers=headers, timeout=30
    )


def test_upload_read_back_and_history_order(
    served: tuple[str, Store], make_config: MakeConfig
) -> None:
    base, store = served
    config: Config = make_config("")
    token = store.add_project("widget")
    for i in range(3):
        answer = _post(
            base,
            "widget",
            token,
            json.dumps(_document(config, i, f"2026-11-2{i}T10:00:00Z")),
        )
        assert answer.status_code == 201, answer.text
    latest = requests.get(f"{base}/api/v1/projects/widget/readiness", timeout=10).json()
    assert latest["generated_at"] == "2026-11-22T10:00:00Z"
    runs = requests.get(f"{base}/api/v1/projects/widget/history", timeout=10).json()[
        "runs"
    ]
    assert [r["generated_at"] for r in runs] == [
        "2026-11-20T10:00:00Z",
        "2026-11-21T10:00:00Z",
        "2026-11-22T10:00:00Z",
    ]
    assert (
        requests.get(
            f"{base}/api/v1/projects/widget/history?limit=1", timeout=10
        ).json()["runs"][0]["score"]
        == latest["score"]
    )
    badge = requests.get(f"{base}/api/v1/projects/widget/badge.json", timeout=10).json()
    assert badge["label"] == "readiness"
    page = requests.get(f"{base}/projects/widget", timeout=10)
    assert page.status_code == 200
    assert "Release readiness: widget" in page.text
    index = requests.get(f"{base}/", timeout=10).text
    assert 'href="/projects/widget"' in index
    health = requests.get(f"{base}/health", timeout=10)
    assert (health.status_code, health.json()) == (
        200,
        {"status": "ok", "database": "ok"},
    )


def test_bad_uploads_are_refused_and_store_nothing(
    served: tuple[str, Store], make_config: MakeConfig
) -> None:
    base, store = served
    config: Config = make_config("")
    token = store.add_project("widget")
    good = _document(config)
    invalid = {**good, "score": 140}
    cases = [
        (_post(base, "widget", token, "{not json"), 400),
        (_post(base, "widget", token, json.dumps(invalid)), 422),
        (
            _post(
                base,
                "widget",
                token,
                json.dumps(good).replace('"score": ', '"score": NaN, "x": '),
            ),
            400,
        ),
        (_post(base, "widget", token, b"{" + b" " * (MAX_UPLOAD + 10) + b"}"), 413),
        (_post(base, "widget", None, json.dumps(good)), 401),
        (_post(base, "widget", "not-a-token", json.dumps(good)), 401),
    ]
    for answer, status in cases:
        assert answer.status_code == status, answer.text
        assert "error" in answer.json()
    assert store.count_runs("widget") == 0


def test_a_token_cannot_write_another_project(
    served: tuple[str, Store], make_config: MakeConfig
) -> None:
    base, store = served
    config: Config = make_config("")
    mine = store.add_project("mine")
    store.add_project("theirs")
    answer = _post(base, "theirs", mine, json.dumps(_document(config)))
    assert answer.status_code == 403
    assert store.count_runs("theirs") == 0
    with pytest.raises(ConfigError, match="exists already"):
        store.add_project("mine")


def test_concurrent_uploads_lose_nothing(
    served: tuple[str, Store], make_config: MakeConfig
) -> None:
    base, store = served
    config: Config = make_config("")
    token = store.add_project("busy")
    body = json.dumps(_document(config))
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(
            pool.map(lambda _: _post(base, "busy", token, body).status_code, range(64))
        )
    assert statuses == [201] * 64
    assert store.count_runs("busy") == 64


def test_unknown_projects(served: tuple[str, Store]) -> None:
    base, _ = served
    assert (
        requests.get(f"{base}/api/v1/projects/nope/readiness", timeout=10).status_code
        == 404
    )
    assert (
        requests.get(f"{base}/api/v1/projects/nope/history", timeout=10).status_code
        == 404
    )
    assert (
        requests.get(f"{base}/api/v1/projects/nope/badge.json", timeout=10).json()[
            "message"
        ]
        == "unknown"
    )
    assert requests.get(f"{base}/projects/nope", timeout=10).status_code == 404


def test_redaction_and_bad_urls() -> None:
    assert (
        redact_url(f"postgresql+psycopg://app:{PASSWORD}@db:5432/x")
        == "postgresql+psycopg://app:***@db:5432/x"
    )
    with pytest.raises(ConfigError, match="cannot use database"):
        Store("nosuchdialect://x")


def test_readiness_upload_command(
    served: tuple[str, Store],
    make_config: MakeConfig,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from noxci.cli import main
    from tests.readiness_helpers import passing_set, write_project

    base, store = served
    token = store.add_project("widget")
    project = tmp_path / "project"
    project.mkdir()
    passing_set(write_project(project))
    monkeypatch.chdir(project)
    monkeypatch.setenv("NOXCI_SERVE_TOKEN", token)
    for name in ("GITHUB_TOKEN", "CI"):
        monkeypatch.delenv(name, raising=False)
    main(["readiness", "--upload", base])
    assert store.count_runs("widget") == 1
    monkeypatch.setenv("NOXCI_SERVE_TOKEN", "wrong")
    code = main(["readiness", "--upload", base])
    assert (
        code == 2
    )  # no CI history here: the gate's own verdict, unchanged by the failed upload
    out, err = capfd.readouterr()
    assert (
        "the readiness service answered 401: unknown token; the gate is unchanged"
        in err
    )
    assert token not in out + err
