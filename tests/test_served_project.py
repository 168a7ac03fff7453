"""The README's first steps work on a fresh bake: serve it, then call it as the README says.

The default project is served the way ``make run`` serves it (migrate, then ``serve``,
with the development key the template wrote into ``.env``), and the README's own
"Try it" block runs unchanged in bash against it: tokens from the ``token`` command, an
account each for two subjects, a deposit with an admin token, a transfer, a listing; then
the same account without a token (401) and with the other subject's token (404).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.options import DEFAULT_VARIANT
from tests.support.toolchain import Toolchain
from tests.support.variants import SyncedProject

pytestmark = [
    pytest.mark.gates,
    pytest.mark.variant(DEFAULT_VARIANT),
    pytest.mark.xdist_group(DEFAULT_VARIANT),
]

TRY_IT = re.compile(
    r"^Try it, in a second terminal\..*?^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE
)


@pytest.mark.skipif(
    shutil.which("curl") is None, reason="curl is not installed (.ci/run installs it)"
)
def test_the_readme_flow_opens_deposits_transfers_and_lists_and_refuses_strangers(
    default_project: SyncedProject, toolchain: Toolchain, served_default: str
) -> None:
    readme = (default_project.path / "README.md").read_text(encoding="utf-8")
    block = TRY_IT.search(readme)
    assert block is not None, "README.md has a 'Try it, in a second terminal.' sh block"
    uv_folder = str(Path(toolchain.uv).parent)
    env = {
        **toolchain.env,
        "API": served_default,
        "PATH": f"{uv_folder}{os.pathsep}{toolchain.env.get('PATH', '')}",
    }

    ran = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.group(1)],
        cwd=default_project.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert ran.returncode == 0, f"{ran.stdout}\n{ran.stderr}"
    lines = ran.stdout.splitlines()
    assert '"balance_minor_units":1000' in lines[0], "the admin's deposit"
    assert '"amount_minor_units":250' in lines[1], "the transfer"
    assert '"direction":"out"' in lines[2], "the listing"
    assert '"owner_email"' not in lines[2], "a listing never shows who owns the counterpart"
    assert lines[3:] == ["401", "404"], "no token, then the other subject's token"
