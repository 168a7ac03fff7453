"""`.env.example` documents every setting, and only settings that exist."""

from pathlib import Path

from {{ cookiecutter.package_name }}.settings import Settings

ENV_EXAMPLE = Path(__file__).parents[2] / ".env.example"


def documented_variables() -> set[str]:
    lines = ENV_EXAMPLE.read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}


def test_env_example_lists_exactly_the_settings() -> None:
    settings = {name.upper() for name in Settings.model_fields}

    assert documented_variables() == settings
