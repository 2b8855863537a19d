"""A bounded loopback load on `noxci serve`: uploads per second and p95 latency,
on SQLite and on PostgreSQL (Debian's, started for the run).

Run: uv run python benchmarks/serve_load.py [UPLOADS] [CONCURRENCY]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.postgres import fresh_database, postgres_server  # noqa: E402
from tests.readiness_helpers import passing_set, write_project  # noqa: E402

from noxci.httpserve import serving  # noqa: E402
from noxci.serve.app import serve_app  # noqa: E402
from noxci.serve.store import Store  # noqa: E402


def _document() -> str:
    from tests.readiness_helpers import ci_runs, fetch_returning

    from noxci.readiness.run import Options, readiness

    with tempfile.TemporaryDirectory() as tmp:
        config = write_project(Path(tmp))
        passing_set(config)
        from noxci.github import GitHubSettings

        doc = readiness(
            config,
            {},
            Options(
                write=False,
                github=GitHubSettings(token="t", repository="a/b"),
                fetch=fetch_returning(ci_runs("s" * 10)),
            ),
        )
        return json.dumps(doc.to_dict())


def _load(
    url: str, uploads: int, concurrency: int, body: str
) -> tuple[float, float, int]:
    store = Store(url)
    store.migrate()
    token = store.add_project("load")
    session = requests.Session()
    latencies: list[float] = []

    with serving(serve_app(store)) as base:

        def one(_: int) -> int:
            start = time.perf_counter()
            answer = session.post(
                f"{base}/api/v1/projects/load/runs",
                data=body,
                timeout=30,
                headers={"Authorization": f"Bearer {token}"},
            )
            latencies.append(time.perf_counter() - start)
            return answer.status_code

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            statuses = list(pool.map(one, range(uploads)))
        elapsed = time.perf_counter() - start
    assert statuses == [201] * uploads, set(statuses)
    assert store.count_runs("load") == uploads
    p95 = statistics.quantiles(latencies, n=20)[18]
    stored = store.count_runs("load")
    store.close()
    return uploads / elapsed, p95, stored


def main() -> None:
    """Measure and print."""
    uploads = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    body = _document()
    with tempfile.TemporaryDirectory() as tmp:
        rate, p95, stored = _load(
            f"sqlite:///{tmp}/load.db", uploads, concurrency, body
        )
    print(
        f"SQLite:     {rate:.0f} uploads/s, p95 {p95 * 1000:.0f} ms ({stored} stored, {concurrency} clients)"
    )
    with postgres_server() as admin:
        rate, p95, stored = _load(fresh_database(admin), uploads, concurrency, body)
    print(
        f"PostgreSQL: {rate:.0f} uploads/s, p95 {p95 * 1000:.0f} ms ({stored} stored, {concurrency} clients)"
    )


if __name__ == "__main__":
    main()
