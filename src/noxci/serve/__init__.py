"""``noxci serve``: a small self-hosted readiness service (SQLite or PostgreSQL)."""
