"""Tracing, metrics and request ids, observed from outside as an operator would."""

import io
import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from {{ cookiecutter.package_name }}.adapters.http.app import create_http_app
from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.adapters.observability.exposition import expose
from {{ cookiecutter.package_name }}.adapters.observability.json_logs import JsonFormatter
from {{ cookiecutter.package_name }}.adapters.observability.telemetry import Telemetry
from {{ cookiecutter.package_name }}.bootstrap import bootstrap
from {{ cookiecutter.package_name }}.domain.errors import AccountNotFound, StorageUnavailable
from {{ cookiecutter.package_name }}.domain.ids import new_account_id
from {{ cookiecutter.package_name }}.domain.money import Currency
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest
from tests.api.tokens import api_settings, as_owner, principal


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def telemetry(spans: InMemorySpanExporter) -> Telemetry:
    telemetry = Telemetry.for_service("test")
    telemetry.provider.add_span_processor(SimpleSpanProcessor(spans))
    return telemetry


@pytest.fixture
async def client(telemetry: Telemetry) -> AsyncIterator[httpx.AsyncClient]:
    service = bootstrap(api_settings(), unit_of_work=MemoryUnitOfWorkFactory(), telemetry=telemetry)
    http_app = create_http_app(
        service.use_cases,
        token_verifier=service.token_verifier,
        readiness_probe=service.readiness_probe,
    )
    app = expose(http_app, telemetry, serve_metrics=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def sample(telemetry: Telemetry, name: str, **labels: str) -> float | None:
    return telemetry.metrics.registry.get_sample_value(name, labels)


class TestUseCaseInstrumentation:
    async def test_each_use_case_and_repository_call_is_traced_and_timed(
        self, telemetry: Telemetry, spans: InMemorySpanExporter
    ) -> None:
        use_cases = bootstrap(
            api_settings(), unit_of_work=MemoryUnitOfWorkFactory(), telemetry=telemetry
        ).use_cases

        await use_cases.open_account(principal(), OpenAccountRequest("a@example.com", Currency.EUR))

        names = [span.name for span in spans.get_finished_spans()]
        assert "usecase.open_account" in names
        assert "repository.accounts.add" in names
        assert sample(telemetry, "usecase_duration_seconds_count", usecase="open_account") == 1
        assert (
            sample(telemetry, "repo_latency_seconds_count", repository="accounts", operation="add")
            == 1
        )

    async def test_a_business_error_from_a_repository_counts_as_domain_not_adapter(
        self, telemetry: Telemetry
    ) -> None:
        use_cases = bootstrap(
            api_settings(), unit_of_work=MemoryUnitOfWorkFactory(), telemetry=telemetry
        ).use_cases

        with pytest.raises(AccountNotFound):
            await use_cases.get_account(principal(), new_account_id())

        assert sample(telemetry, "errors_total", layer="domain", kind="account_not_found") == 1
        assert sample(telemetry, "errors_total", layer="adapter", kind="account_not_found") is None

    def test_a_storage_failure_in_a_repository_counts_as_an_adapter_error(
        self, telemetry: Telemetry
    ) -> None:
        with pytest.raises(StorageUnavailable), telemetry.repository_call("accounts", "get"):
            raise StorageUnavailable("the database is down")

        assert sample(telemetry, "errors_total", layer="adapter", kind="storage_unavailable") == 1


class TestHttpObservability:
    async def test_metrics_are_served_in_prometheus_format(self, client: httpx.AsyncClient) -> None:
        await client.post(
            "/accounts",
            json={"owner_email": "a@example.com", "currency": "EUR"},
            headers=as_owner(),
        )

        response = await client.get("/metrics")

        assert response.status_code == 200
        assert 'usecase_duration_seconds_count{usecase="open_account"} 1.0' in response.text

    async def test_a_request_id_is_returned_kept_from_the_caller_and_put_on_the_trace(
        self, client: httpx.AsyncClient, spans: InMemorySpanExporter
    ) -> None:
        generated = await client.get("/health/live")
        kept = await client.get("/health/live", headers={"X-Request-ID": "abc-123"})

        assert len(generated.headers["x-request-id"]) == 32
        assert kept.headers["x-request-id"] == "abc-123"
        attributes = [span.attributes or {} for span in spans.get_finished_spans()]
        assert any(a.get("request.id") == "abc-123" for a in attributes)

    async def test_log_lines_are_json_with_request_and_trace_ids(
        self, client: httpx.AsyncClient
    ) -> None:
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter())
        access_log = logging.getLogger("access")
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        try:
            await client.get("/health/live", headers={"X-Request-ID": "req-7"})
        finally:
            access_log.removeHandler(handler)

        line = json.loads(stream.getvalue().splitlines()[-1])
        assert line["message"] == "GET /health/live 200"
        assert line["request_id"] == "req-7"
        assert len(line["trace_id"]) == 32


class TestAlertRules:
    """deploy/prometheus/alerts.yml must watch metrics the service really exports."""

    RULES = Path(__file__).parents[2] / "deploy" / "prometheus" / "alerts.yml"

    def rules(self) -> dict[str, dict[str, Any]]:
        document = yaml.safe_load(self.RULES.read_text())
        return {rule["alert"]: rule for group in document["groups"] for rule in group["rules"]}

    def test_every_metric_in_an_alert_is_exported(self, telemetry: Telemetry) -> None:
        exported = {
            sample
            for family in telemetry.metrics.registry.collect()
            for sample in (family.name, f"{family.name}_total", f"{family.name}_bucket")
        }

        used = {
            name
            for rule in self.rules().values()
            for name in re.findall(r"\b([a-z_]+_(?:seconds_bucket|total))\b", rule["expr"])
        }

        assert used, "no metric found in the alert expressions"
        assert used <= exported, (
            f"alerts use metrics the service does not export: {used - exported}"
        )

    def test_alerts_cover_use_case_p99_and_repository_error_rate(self) -> None:
        rules = self.rules()

        assert "histogram_quantile(0.99" in rules["UseCaseLatencyP99High"]["expr"]
        assert rules["UseCaseLatencyP99High"]["expr"].rstrip().endswith("> 0.05")
        assert rules["RepositoryErrorRateHigh"]["expr"].rstrip().endswith("> 0.01")
