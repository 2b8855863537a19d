"""One module per job; each exposes ``run(ctx) -> Outcome`` and ``Settings``.

Which module runs a job is the job registry's to say (:mod:`noxci.registry`).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from noxci.jobs.base import Job

__all__ = ["get_job", "job_module"]


def job_module(name: str) -> ModuleType:
    """The module of job ``name`` (imported on demand)."""
    from noxci.registry import job_spec

    return importlib.import_module(job_spec(name).module)


def get_job(name: str) -> Job:
    """The ``run`` function of job ``name``."""
    job: Job = job_module(name).run
    return job
