"""Storage ports kept in process memory, with the same semantics as the SQL adapter.

Used by the fast unit tests and by anyone who wants to run the service without a
database. It is held to the same contract tests as the SQL adapter, rollback included.
"""
