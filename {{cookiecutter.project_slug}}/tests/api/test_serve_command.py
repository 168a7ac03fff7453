"""``serve`` hands uvicorn the app it built, with the cycle collector set for a
long-running process (``garbage_collector.py``), and leaves other processes alone."""

import argparse
import gc
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from {{ cookiecutter.package_name }} import __main__ as command_line
from {{ cookiecutter.package_name }}.bootstrap import create_app
from {{ cookiecutter.package_name }}.garbage_collector import YOUNG_COLLECTION_THRESHOLD
from {{ cookiecutter.package_name }}.settings import Settings


@pytest.fixture
def collector_as_python_sets_it() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What uvicorn was asked to serve, and the collector's state at that moment."""
    seen: dict[str, Any] = {}

    def run(app: object, **options: object) -> None:
        seen.update(app=app, options=options, frozen=gc.get_freeze_count())
        seen["young_threshold"] = gc.get_threshold()[0]

    monkeypatch.setattr(uvicorn, "run", run)
    return seen


@pytest.mark.usefixtures("collector_as_python_sets_it")
def test_serve_freezes_what_startup_built_and_collects_young_objects_less_often(
    settings: Settings, served: dict[str, Any]
) -> None:
    command_line.serve(settings.model_copy(update={"port": 8123}), argparse.Namespace())

    assert isinstance(served["app"], FastAPI)
    assert served["options"]["port"] == 8123
    assert served["frozen"] > 0, "the objects startup built are out of the collector's way"
    assert served["young_threshold"] >= YOUNG_COLLECTION_THRESHOLD


def test_building_the_app_leaves_the_collector_as_python_sets_it(settings: Settings) -> None:
    threshold = gc.get_threshold()

    create_app(settings)

    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == threshold
