"""noxci: a Python project's whole CI pipeline as nox sessions.

Importing this package is cheap on purpose: ``nox -l`` imports the noxfile,
which imports :mod:`noxci.sessions`, and nothing heavy may load before a
session actually runs.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
