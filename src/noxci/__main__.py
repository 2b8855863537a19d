"""``python -m noxci`` and the ``noxci`` console script."""

from __future__ import annotations

from noxci.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    raise SystemExit(main())
