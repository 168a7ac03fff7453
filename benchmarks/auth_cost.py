"""What verifying the bearer token costs a request, timed in process by ``auth_timing.py``
in the project's environment, on a SQLite database of its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from baked_project import BENCHMARKS, BakedProject
from credentials import SCOPES, Credentials
from databases import sqlite_url

TIMING = {"pairs": 60, "block_requests": 20, "slices": 40, "slice_calls": 250}
"""Per app, 60 pairs of blocks of 20 requests, and 40 slices of 250 calls of the
dependency alone: about a minute in all on a busy 2-CPU host."""


def authentication_cost(
    project: BakedProject, folder: Path, credentials: Credentials
) -> dict[str, Any]:
    """Per app, microseconds a GET with the token verified and with authentication
    overridden, and the verification alone (``auth_timing.py`` documents the shape)."""
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "package": project.package,
        "benchmarks": str(BENCHMARKS),
        "url": sqlite_url(folder / "auth_cost.db"),
        "auth": {
            "settings": credentials.settings,
            "subject": credentials.subject,
            "scopes": list(SCOPES),
            "token": credentials.token,
        },
        **TIMING,
    }
    figures: dict[str, Any] = json.loads(project.run_script("auth_timing.py", spec))
    return figures
