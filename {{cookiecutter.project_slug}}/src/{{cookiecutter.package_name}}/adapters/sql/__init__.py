"""Storage ports on SQLAlchemy 2 (async Core): SQLite through aiosqlite, PostgreSQL
through asyncpg.

Rows are mapped to domain objects by hand in ``repositories.py``: the domain classes stay
plain dataclasses that know nothing of the ORM. Every driver error is translated to a
domain error in ``errors.py`` before it leaves this package.
"""
