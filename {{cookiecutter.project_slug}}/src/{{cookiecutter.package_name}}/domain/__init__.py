"""The business rules of the {% if cookiecutter.example == "ledger" %}ledger{% else %}service{% endif %}.

Nothing in here knows about HTTP, SQL or any framework: only the standard library is
imported, and import-linter contracts in ``pyproject.toml`` keep it that way.
"""
