"""The unit tier stays fast because it loads nothing but the domain and the use cases.

A unit test that imports the composition root or an SQL adapter drags in FastAPI or
SQLAlchemy (most of a second) for every run of ``pytest tests/unit``. Such a test belongs
in ``tests/api`` or ``tests/contract``; this test says which one slipped in.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
HEAVY = ("fastapi", "sqlalchemy", "starlette", "uvicorn", "alembic", "hypothesis", "httpx")
PROBE = """
import sys, pytest
code = pytest.main(["-q", "--collect-only", "-p", "no:cacheprovider", "tests/unit"])
print("loaded:" + ",".join(name for name in {heavy!r} if name in sys.modules))
sys.exit(int(code))
"""


def test_collecting_the_unit_tier_loads_no_framework_or_driver() -> None:
    result = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", PROBE.format(heavy=HEAVY)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = result.stdout.rsplit("loaded:", 1)[1].strip()
    loaded = [name for name in report.split(",") if name]
    assert loaded == [], (
        f"tests/unit imports {', '.join(loaded)}: move the tests that need it to tests/api or "
        "tests/contract (find them with: python -X importtime -m pytest --collect-only tests/unit)"
    )
