"""Upload a readiness result to ``noxci serve`` (``POST .../runs``, bearer token).

The token comes only from ``$NOXCI_SERVE_TOKEN`` and is a registered secret.
Connection failures and 503 are retried with backoff; the result of an
upload never changes the gate.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import quote

from noxci import console
from noxci.errors import NetworkError
from noxci.readiness.document import ReadinessDocument

__all__ = ["TOKEN_ENV", "upload"]

TOKEN_ENV = "NOXCI_SERVE_TOKEN"  # noqa: S105 - the variable's name, not a token


def upload(
    base_url: str,
    doc: ReadinessDocument,
    env: Mapping[str, str],
    *,
    project: str | None = None,
    retries: int = 3,
    backoff: float = 0.5,
    timeout: float = 15.0,
) -> int:
    """POST ``doc``; return the stored run's id."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    token = env.get(TOKEN_ENV)
    if not token:
        raise NetworkError(
            f"no ${TOKEN_ENV}: the readiness service needs the project's upload token"
        )
    console.register_secret(token)
    name = project or doc.project
    url = f"{base_url.rstrip('/')}/api/v1/projects/{quote(name, safe='')}/runs"
    retry = Retry(
        total=retries,
        connect=retries,
        read=0,
        status=retries,
        status_forcelist=(503,),
        allowed_methods=frozenset({"POST"}),
        backoff_factor=backoff,
        raise_on_status=False,
    )
    with requests.Session() as session:
        session.mount("http://", HTTPAdapter(max_retries=retry))
        session.mount("https://", HTTPAdapter(max_retries=retry))
        try:
            response = session.post(
                url,
                data=console.redact(json.dumps(doc.to_dict())),
                timeout=timeout,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                },
            )
        except requests.RequestException as exc:
            raise NetworkError(
                f"upload to the readiness service failed: {type(exc).__name__}"
            ) from None
    if response.status_code != 201:
        try:
            reason = response.json().get("error", "")
        except ValueError:
            reason = ""
        raise NetworkError(
            f"the readiness service answered {response.status_code}: {reason}".rstrip(
                ": "
            )
        )
    run_id = int(response.json()["id"])
    console.info(f"uploaded the readiness result of {name!r} (run {run_id})")
    return run_id
