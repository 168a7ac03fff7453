"""Format the template's Python files with ruff, as they will be rendered.

Ruff cannot read ``{{ cookiecutter.package_name }}``, so this bakes the template with the
longest package name the answers allow, formats the baked project, and copies every
changed Python file back with the names turned into template variables again. Wrapped
imports keep their magic trailing comma, so shorter names render the same layout. Files
with Jinja blocks (``{%``) are never overwritten: the needed change is printed instead.

    uv run python scripts/format_template.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "{{cookiecutter.project_slug}}"
NAME = "Payments Ledger Service For Team"
SLUG = "payments-ledger-service-for-team"
PACKAGE = "payments_ledger_service_for_team"
BACK = {
    f'"{NAME}"': "{{ cookiecutter.project_name | tojson }}",
    NAME: "{{ cookiecutter.project_name }}",
    PACKAGE: "{{cookiecutter.package_name}}",
    SLUG: "{{ cookiecutter.project_slug }}",
}


def bake(output: Path) -> Path:
    extra = {"project_name": NAME, "observability": "opentelemetry"}
    return Path(cookiecutter(str(ROOT), no_input=True, output_dir=str(output), extra_context=extra))


def retemplate(text: str) -> str:
    for baked, variable in BACK.items():
        text = text.replace(baked, variable)
    return text.replace("{{cookiecutter.package_name}}", "{{ cookiecutter.package_name }}")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        project = bake(Path(tmp))
        before = {p: p.read_text() for p in project.rglob("*.py")}
        ruff = [sys.executable, "-m", "ruff"]
        subprocess.run([*ruff, "check", "--fix-only", "--quiet", "."], cwd=project, check=False)
        subprocess.run([*ruff, "format", "--quiet", "."], cwd=project, check=True)
        for path, text in before.items():
            if path.read_text() == text:
                continue
            relative = retemplate(str(path.relative_to(project))).replace(" ", "")
            target = TEMPLATE / relative
            if "{%" in target.read_text():
                # Copying back would drop the Jinja logic: show the change to make by hand.
                diff = subprocess.run(
                    ["diff", "-u", "--label", "rendered", "--label", "formatted", "-", str(path)],
                    input=text,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                print(f"FIX BY HAND (has Jinja blocks) {target.relative_to(ROOT)}:\n{diff.stdout}")
                continue
            target.write_text(retemplate(path.read_text()))
            print(f"formatted {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
