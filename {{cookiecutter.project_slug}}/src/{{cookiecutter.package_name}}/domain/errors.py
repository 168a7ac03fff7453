"""Errors the business can name, raised by the domain and by adapters on its behalf.

Each error carries a stable machine-readable ``code``. Adapters translate driver errors
(missing rows, unique violations, deadlocks, lost connections) into these, so nothing
outside an adapter ever handles a database exception.
"""


class DomainError(Exception):
    """Base of every error the business rules or the ports may raise."""

    code = "domain_error"
{%- if cookiecutter.example == "ledger" %}


class InvalidMoney(DomainError):
    code = "invalid_money"


class CurrencyMismatch(DomainError):
    code = "currency_mismatch"


class InsufficientFunds(DomainError):
    code = "insufficient_funds"


class InvalidTransfer(DomainError):
    code = "invalid_transfer"


class AccountNotFound(DomainError):
    """The account asked for does not exist, or is not the principal's to use: both read
    the same, so an id learnt by chance discloses nothing."""

    code = "account_not_found"


class CounterpartNotFound(DomainError):
    """A transfer's destination does not exist. Not an ``AccountNotFound``: the request
    names it as where money goes, not as an account of the principal's, so the request is
    valid and the ledger refuses it, as it refuses an overdraft."""

    code = "counterpart_not_found"
{%- endif %}


class NoticeNotFound(DomainError):
    code = "notice_not_found"
{%- if cookiecutter.example == "ledger" %}


class AccountAlreadyExists(DomainError):
    code = "account_already_exists"
{%- endif %}


class IdempotencyKeyRequired(DomainError):
    """A request that {% if cookiecutter.example == "ledger" %}moves money{% else %}requires one{% endif %} came without an idempotency key: it could not be
    retried safely, so it is not run."""

    code = "idempotency_key_required"


class IdempotencyKeyReused(DomainError):
    """The key was sent before with a *different* request; nothing was done."""

    code = "idempotency_key_reused"


class RequestInProgress(DomainError):
    """The first request sent with this key is still running; retry after a moment to get
    its answer. Nothing was done by this one."""

    code = "request_in_progress"


class Unauthenticated(DomainError):
    """The request carries no credentials; send a bearer token."""

    code = "unauthenticated"


class InvalidToken(Unauthenticated):
    """The credentials are not valid: expired, not yet valid, for another issuer or
    audience, badly signed or signed with an unknown key."""

    code = "invalid_token"


class PermissionDenied(DomainError):
    """The principal is known but lacks the scope this action needs."""

    code = "insufficient_scope"

    def __init__(self, scope: str) -> None:
        self.scope = str(scope)  # the plain name, also of a ``Scope`` member
        super().__init__(f"this action needs the {self.scope} scope")


class IdentityProviderUnavailable(DomainError):
    """The keys that verify tokens cannot be fetched right now; the request was not run."""

    code = "identity_provider_unavailable"


class StorageError(DomainError):
    """The storage failed to do the work, through no fault of the request."""

    code = "storage_error"


class ConcurrencyConflict(StorageError):
    """The storage aborted the work because of a concurrent one; retrying is safe."""

    code = "concurrency_conflict"


class StorageUnavailable(StorageError):
    """The storage cannot be reached right now; the work was not done."""

    code = "storage_unavailable"


class StorageNotMigrated(StorageError):
    """The database's schema is behind the service's migrations; run them first."""

    code = "storage_not_migrated"


class ShuttingDown(DomainError):
    """The process is draining: it finishes the requests it has and takes no new work."""

    code = "shutting_down"


class OutcomeUnknown(StorageError):
    """The storage stopped answering while committing: the work may or may not be done.

    Only a retry with the same idempotency key can tell, and it is always safe: it
    returns the first answer if the work was done, and does the work if it was not.
    """

    code = "outcome_unknown"
