"""Who may do what: the authorization rules every use case applies before its work.

{% if cookiecutter.example == "ledger" %}Scopes say what kind of thing a principal may do (``domain/principal.py``); ownership
says to which accounts. An account that is not the principal's is reported exactly like
one that does not exist, so its id discloses nothing.
{% else %}Scopes say what kind of thing a principal may do (``domain/principal.py``); ownership
says to which of the things stored. One that is not the principal's is reported exactly
like one that does not exist, so its id discloses nothing.
{% endif %}"""

{% if cookiecutter.example == "ledger" %}from {{ cookiecutter.package_name }}.domain.account import Account
from {{ cookiecutter.package_name }}.domain.errors import AccountNotFound, PermissionDenied
{% else %}from {{ cookiecutter.package_name }}.domain.errors import PermissionDenied
{% endif %}from {{ cookiecutter.package_name }}.domain.principal import Principal, Scope


def require_scope(principal: Principal, scope: Scope) -> None:
    if scope not in principal.scopes:
        raise PermissionDenied(scope)
{%- if cookiecutter.example == "ledger" %}


def owned_by(principal: Principal, account: Account) -> Account:
    """The account, if the principal owns it; otherwise the error of a missing account."""
    if account.owner != principal.subject:
        raise AccountNotFound(f"no account {account.id}")
    return account
{%- endif %}
