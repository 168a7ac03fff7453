"""The result of ``create_{{ cookiecutter.name }}`` stored under an idempotency key, as JSON, so a
replay answers as the first request was answered (``idempotency.py``)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from {{ cookiecutter.package_name }}.domain.{{ cookiecutter.name }} import {{ cookiecutter.class_name }}, {{ cookiecutter.class_name }}Id
from {{ cookiecutter.package_name }}.usecases.idempotency import Receipt


def _encode({{ cookiecutter.name }}: {{ cookiecutter.class_name }}) -> str:
    return json.dumps(
        {
            "id": str({{ cookiecutter.name }}.id),
            "owner": {{ cookiecutter.name }}.owner,
            "reference": {{ cookiecutter.name }}.reference,
            "created_at": {{ cookiecutter.name }}.created_at.isoformat(),
        }
    )


def _decode(stored: str) -> {{ cookiecutter.class_name }}:
    fields = json.loads(stored)
    return {{ cookiecutter.class_name }}(
        {{ cookiecutter.class_name }}Id(uuid.UUID(fields["id"])),
        fields["owner"],
        fields["reference"],
        datetime.fromisoformat(fields["created_at"]),
    )


{{ cookiecutter.name | upper }} = Receipt(_encode, _decode)
