"""Storage ports on SQLAlchemy 2 Core: PostgreSQL through asyncpg (async), SQLite through
the standard sqlite3 module called from the event loop (``inline.py`` says why).

Rows are mapped to domain objects by hand in ``repositories.py``: the domain classes stay
plain dataclasses that know nothing of the ORM. Every driver error is translated to a
domain error in ``errors.py`` before it leaves this package.
"""
