"""The service's database: projects with hashed tokens, and uploaded runs.

SQLAlchemy Core, so that SQLite and PostgreSQL share one code path. The
schema is created (or brought up to date) on start; its version is kept in
``noxci_meta``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from noxci.errors import ConfigError, NetworkError

__all__ = [
    "SCHEMA_VERSION",
    "Store",
    "db_failure",
    "redact_url",
    "register_url_secrets",
]

SCHEMA_VERSION = 1

metadata = sa.MetaData()
meta = sa.Table(
    "noxci_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
)
projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.String(32), nullable=False),
)
runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "project_id",
        sa.Integer,
        sa.ForeignKey("projects.id"),
        nullable=False,
        index=True,
    ),
    sa.Column("received_at", sa.String(32), nullable=False),
    sa.Column("generated_at", sa.String(32), nullable=False),
    sa.Column("commit", sa.String(64)),
    sa.Column("branch", sa.String(255)),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("band", sa.String(16), nullable=False),
    sa.Column("gate", sa.String(32), nullable=False),
    sa.Column("document", sa.Text, nullable=False),
)


def redact_url(url: str) -> str:
    """A database URL with its password hidden."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable database URL>"


def register_url_secrets(url: str) -> None:
    """Never print this URL's password (nor the URL that holds it)."""
    from noxci import console

    try:
        password = sa.engine.make_url(url).password
    except sa.exc.ArgumentError:
        console.register_secret(url)  # unparseable: hide it all
        return
    if password:
        console.register_secret(str(password))
        console.register_secret(url)


def db_failure(exc: Exception) -> str:
    """The first line of the driver's message, without secrets (no SQL, no link)."""
    from noxci import console

    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return console.redact(lines[0] if lines else type(exc).__name__)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> str:
    return (
        dt.datetime.now(dt.UTC)
        .isoformat(timespec="microseconds")
        .replace("+00:00", "Z")
    )


@dataclass(frozen=True, kw_only=True)
class Summary:
    """One run, as the history lists it."""

    generated_at: str
    received_at: str
    commit: str | None
    branch: str | None
    score: float
    band: str
    gate: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return dict(self.__dict__)


class Store:
    """Projects and runs in one database."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            options: dict[str, Any] = {"pool_pre_ping": True}
            if url.startswith("sqlite"):
                options["connect_args"] = {"timeout": 30, "check_same_thread": False}
            elif url.startswith("postgresql"):
                options["connect_args"] = {"connect_timeout": 10}  # a bounded wait
            self.engine = sa.create_engine(url, **options)
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise ConfigError(f"cannot use database {redact_url(url)}: {exc}") from None
        if url.startswith("sqlite"):
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def migrate(self) -> None:
        """Create the tables and record the schema version; an unreachable database is a NetworkError."""
        try:
            self._migrate()
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            raise NetworkError(
                f"cannot reach the database {redact_url(self.url)}: {db_failure(exc)}"
            ) from None

    def _migrate(self) -> None:
        metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            found = conn.execute(
                sa.select(meta.c.value).where(meta.c.key == "schema_version")
            ).scalar()
            if found is None:
                conn.execute(
                    meta.insert().values(
                        key="schema_version", value=str(SCHEMA_VERSION)
                    )
                )
            elif int(found) > SCHEMA_VERSION:
                raise ConfigError(
                    f"the database has schema {found}, newer than this noxci ({SCHEMA_VERSION})"
                )

    def healthy(self) -> bool:
        """Whether ``SELECT 1`` works."""
        try:
            with self.engine.connect() as conn:
                return conn.execute(sa.text("SELECT 1")).scalar() == 1
        except sa.exc.SQLAlchemyError:
            return False

    def add_project(self, name: str) -> str:
        """Create ``name``; return its token (shown once, stored hashed)."""
        token = secrets.token_urlsafe(32)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    projects.insert().values(
                        name=name, token_sha256=_hash(token), created_at=_now()
                    )
                )
        except sa.exc.IntegrityError:
            raise ConfigError(f"project {name!r} exists already") from None
        return token

    def authorize(self, name: str, token: str) -> str:
        """``ok``, ``unknown-token`` (401) or ``wrong-project`` (403).

        Tokens are 256-bit random strings, so looking up their sha256 is as
        safe as a slow hash would be, and needs one indexed query.
        """
        query = sa.select(projects.c.name).where(
            projects.c.token_sha256 == _hash(token)
        )
        with self.engine.connect() as conn:
            owner = conn.execute(query).scalar()
        if owner is None:
            return "unknown-token"
        return "ok" if hmac.compare_digest(owner, name) else "wrong-project"

    @staticmethod
    def too_long(document: Mapping[str, Any]) -> str | None:
        """Which field of a (schema-valid) document its column cannot hold, if any."""
        for key in ("generated_at", "commit", "branch"):
            value = document.get(key)
            width = getattr(runs.c[key].type, "length", None)
            if isinstance(value, str) and width is not None and len(value) > width:
                return f"{key} is longer than {width} characters"
        return None

    def add_run(self, name: str, document: Mapping[str, Any]) -> int:
        """Store an uploaded (already validated) readiness document."""
        with self.engine.begin() as conn:
            project_id = conn.execute(
                sa.select(projects.c.id).where(projects.c.name == name)
            ).scalar_one()
            result = conn.execute(
                runs.insert().values(
                    project_id=project_id,
                    received_at=_now(),
                    generated_at=document["generated_at"],
                    commit=document.get("commit"),
                    branch=document.get("branch"),
                    score=float(document["score"]),
                    band=document["band"],
                    gate=document["gate"]["status"],
                    document=json.dumps(document, sort_keys=True),
                )
            )
            key = result.inserted_primary_key
            if key is None:  # pragma: no cover - every dialect here returns it
                raise ConfigError("the database did not return the new run's id")
            return int(key[0])

    def project_names(self) -> list[str]:
        """Every project, by name."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(projects.c.name).order_by(projects.c.name)
                ).scalars()
            )

    def latest(self, name: str) -> dict[str, Any] | None:
        """The newest uploaded document of ``name``."""
        query = (
            sa.select(runs.c.document)
            .join(projects)
            .where(projects.c.name == name)
            .order_by(runs.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            text = conn.execute(query).scalar()
        return json.loads(text) if text else None

    def history(self, name: str, limit: int = 100) -> list[Summary]:
        """The newest ``limit`` runs of ``name``, oldest first."""
        query = (
            sa.select(runs)
            .join(projects)
            .where(projects.c.name == name)
            .order_by(runs.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            Summary(
                generated_at=r.generated_at,
                received_at=r.received_at,
                commit=r.commit,
                branch=r.branch,
                score=r.score,
                band=r.band,
                gate=r.gate,
            )
            for r in reversed(rows)
        ]

    def count_runs(self, name: str) -> int:
        """How many runs ``name`` has."""
        query = (
            sa.select(sa.func.count())
            .select_from(runs.join(projects))
            .where(projects.c.name == name)
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
