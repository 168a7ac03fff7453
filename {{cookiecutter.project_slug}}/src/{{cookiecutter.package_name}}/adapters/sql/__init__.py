"""Storage ports on SQLAlchemy 2 Core (async): PostgreSQL through asyncpg, SQLite through
aiosqlite.

Rows are mapped to domain objects by hand in ``repositories.py``: the domain classes stay
plain dataclasses that know nothing of the ORM. Every driver error is translated to a
domain error in ``errors.py`` before it leaves this package.
"""
