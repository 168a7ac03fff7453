{%- set scope = "ledger" if cookiecutter.example == "ledger" else "service" -%}
import pytest

from {{ cookiecutter.package_name }}.domain.errors import InvalidToken
from {{ cookiecutter.package_name }}.domain.principal import MAX_SUBJECT_LENGTH, Principal, Scope


class TestPrincipal:
    def test_reads_the_scopes_of_an_oauth_scope_claim(self) -> None:
        principal = Principal.of("alice", "{{ scope }}:read {{ scope }}:admin")

        assert principal.scopes == {Scope.READ, Scope.ADMIN}

    def test_ignores_scopes_this_service_does_not_know(self) -> None:
        """Identity providers add their own (``openid``, ``profile``): they grant nothing."""
        principal = Principal.of("alice", "openid {{ scope }}:write profile {{ scope }}:writer")

        assert principal.scopes == {Scope.WRITE}

    def test_an_empty_scope_claim_grants_nothing(self) -> None:
        assert Principal.of("alice", "").scopes == frozenset()

    @pytest.mark.parametrize("subject", ["", "x" * (MAX_SUBJECT_LENGTH + 1)])
    def test_refuses_a_subject_no_account_could_be_owned_by(self, subject: str) -> None:
        """Empty is how accounts older than authentication are owned: by nobody."""
        with pytest.raises(InvalidToken):
            Principal.of(subject, "{{ scope }}:read")

    def test_accepts_the_longest_subject_the_storage_keeps(self) -> None:
        subject = "x" * MAX_SUBJECT_LENGTH

        assert Principal.of(subject, "{{ scope }}:read").subject == subject
