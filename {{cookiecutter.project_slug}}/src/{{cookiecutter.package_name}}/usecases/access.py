"""Who may do what: the authorization rules every use case applies before its work.

Scopes say what kind of thing a principal may do (``domain/principal.py``); ownership
says to which accounts. An account that is not the principal's is reported exactly like
one that does not exist, so its id discloses nothing.
"""

from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.errors import AccountNotFound, PermissionDenied
from {{ cookiecutter.package_name }}.domain.principal import Principal, Scope


def require_scope(principal: Principal, scope: Scope) -> None:
    if scope not in principal.scopes:
        raise PermissionDenied(scope)


def owned_by(principal: Principal, account: Account) -> Account:
    """The account, if the principal owns it; otherwise the error of a missing account."""
    if account.owner != principal.subject:
        raise AccountNotFound(f"no account {account.id}")
    return account
