"""``serve`` hands uvicorn the app it built, with the address and logging from settings."""

import argparse
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from {{ cookiecutter.package_name }} import __main__ as command_line
from {{ cookiecutter.package_name }}.settings import Settings


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What uvicorn was asked to serve (instead of serving it)."""
    seen: dict[str, Any] = {}

    def run(app: object, **options: object) -> None:
        seen.update(app=app, options=options)

    monkeypatch.setattr(uvicorn, "run", run)
    return seen


def test_serve_runs_the_app_on_the_configured_address(
    settings: Settings, served: dict[str, Any]
) -> None:
    command_line.serve(settings.model_copy(update={"port": 8123}), argparse.Namespace())

    assert isinstance(served["app"], FastAPI)
    assert served["options"]["host"] == settings.host
    assert served["options"]["port"] == 8123
    assert served["options"]["access_log"] == settings.access_log
