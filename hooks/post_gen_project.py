"""Remove the files of options that were not chosen, then print the next steps.

Every conditional file of the template is listed once, here, with the answer that keeps
it; a template test checks that each option set gets exactly its files.
"""

import shutil
import sys
from pathlib import Path

PACKAGE = Path("src") / "{{ cookiecutter.package_name }}"

KEEP_WHEN = {
    ".github": "{{ cookiecutter.ci }}" == "github",
    ".gitlab-ci.yml": "{{ cookiecutter.ci }}" == "gitlab",
    "Dockerfile": "{{ cookiecutter.docker }}" == "yes",
    ".dockerignore": "{{ cookiecutter.docker }}" == "yes",
    "compose.yaml": "{{ cookiecutter.docker }}" == "yes",
    str(PACKAGE / "adapters" / "observability"): "{{ cookiecutter.observability }}" != "none",
    "tests/api/test_observability.py": "{{ cookiecutter.observability }}" != "none",
    "deploy": "{{ cookiecutter.observability }}" != "none",
}

NEXT_STEPS = """
Created {{ cookiecutter.project_slug }}/. Next:

    cd {{ cookiecutter.project_slug }}
    make install   # uv sync: .venv with runtime and dev dependencies
    make check     # ruff, mypy --strict, import contracts, tests
    make run       # migrate SQLite and serve http://127.0.0.1:8000/docs
"""


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def main() -> int:
    for name, keep in KEEP_WHEN.items():
        if not keep:
            remove(Path(name))
    print(NEXT_STEPS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
