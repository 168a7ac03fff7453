"""Contract tests: ONE suite, run against every implementation of the storage ports.

Each test takes the ``storage`` fixture, parametrized over ``IMPLEMENTATIONS`` in
``implementations.py`` (memory, SQLite, PostgreSQL): add an implementation there and every
contract runs against it. A test that needs a capability some implementations lack (SQL
statements to count, a database another process can open) narrows the parameters with
``@implementations(...)`` instead of skipping.

What the suite holds every implementation to:

{% if cookiecutter.example == "ledger" -%}
- every port method (accounts, transfers, audit log, outbox): not found, duplicates,
  owners and requesters kept whole, idempotency keys scoped to their requester,
  ordering, pagination, leases (``test_repositories``);
- another subject's account is refused exactly as a missing one, message included
  (``test_ownership``);
- rollback by default, isolation, atomicity across repositories under injected faults
  (``test_unit_of_work``);
- driver errors arrive only as domain errors, an unreachable or stopped server included
  (``test_errors``);
- listing transfers issues two SQL statements, whatever the page size (``test_queries``);
- idempotency under racing retries (one subject's, or two subjects' sharing a key), and
  money conserved under hundreds of concurrent transfers, also from two OS processes
  (``test_concurrency``);
- migrations upgrade, downgrade and upgrade cleanly, keep the rows written before them,
  and ``tables.py`` never drifts from them (``test_migrations``).

{% else -%}
- the unit of work: commit, rollback by default, isolation, ``rollback()`` and going on,
  read-only units refusing to commit, a conflict run again commits once, all across the
  outbox, the idempotency keys and the audit log (``test_transactions``);
- the outbox: leases, due times by the storage's clock, backlog, requeue, one statement
  per batch marked delivered (``test_outbox_*``), and two relays in two processes sharing
  one backlog (``test_relays_share_work``); idempotency keys claimed, completed, expired
  and purged (``test_idempotency_keys``);
- driver errors arrive only as domain errors, an unreachable or stopped server included
  (``test_errors``); session bounds (``test_session_bounds``);
- migrations upgrade, downgrade and upgrade cleanly, ``tables.py`` never drifts from them,
  and the service's role may write its stores but not change the schema (``test_schema``).

{% endif -%}
PostgreSQL is a real throwaway server (``tests/postgres_server.py``) or the one in
``TEST_DATABASE_URL``; without either, its parameter is skipped with the reason shown by
``pytest -ra``. Each test gets a fresh database copied from one migrated template.
"""
