"""One module per CI job; each exposes ``run(ctx) -> Outcome``."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from noxci.jobs.base import Job

__all__ = ["get_job"]


def get_job(name: str) -> Job:
    """The ``run`` function of job ``name`` (imported on demand)."""
    module = importlib.import_module(f"noxci.jobs.{name}")
    job: Job = module.run
    return job
