"""Tracing, metrics, logs and request ids, observed from outside as an operator would."""
{%- if cookiecutter.example == "ledger" %}

import io
import json
import logging
import os
import re
import threading
from collections.abc import AsyncIterator, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from {{ cookiecutter.package_name }}.adapters.http.app import create_http_app
from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.adapters.observability.exposition import expose
from {{ cookiecutter.package_name }}.adapters.observability.json_logs import (
    RequestContext,
    json_formatter,
)
from {{ cookiecutter.package_name }}.adapters.observability.request_id import current_request_id
from {{ cookiecutter.package_name }}.adapters.observability.telemetry import Telemetry
from {{ cookiecutter.package_name }}.adapters.observability.trace_export import span_exporter
from {{ cookiecutter.package_name }}.bootstrap import bootstrap
from {{ cookiecutter.package_name }}.domain.errors import AccountNotFound, StorageUnavailable
from {{ cookiecutter.package_name }}.domain.ids import new_account_id
from {{ cookiecutter.package_name }}.domain.money import Currency
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest
from tests.api.tokens import api_settings, as_owner, principal

ACCOUNT = {"owner_email": "a@example.com", "currency": "EUR"}
REQUEST_DURATION = "http_server_request_duration_seconds"
COLLECTOR = "http://collector:4318"
"""Never reached: the tests that name it check that nothing is sent there."""


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def telemetry(spans: InMemorySpanExporter) -> Telemetry:
    telemetry = Telemetry.for_service("test")
    telemetry.provider.add_span_processor(SimpleSpanProcessor(spans))
    return telemetry


def observed_app(
    telemetry: Telemetry,
    *,
    access_log: bool = False,
    unit_of_work: UnitOfWorkFactory | None = None,
) -> FastAPI:
    """The app as ``create_app`` exposes it, over memory storage unless told otherwise."""
    service = bootstrap(
        api_settings(),
        unit_of_work=unit_of_work or MemoryUnitOfWorkFactory(),
        telemetry=telemetry,
    )
    http_app = create_http_app(
        service.use_cases,
        token_verifier=service.token_verifier,
        readiness_probe=service.readiness_probe,
    )
    return expose(http_app, telemetry, serve_metrics=True, access_log=access_log)


def client_of(app: FastAPI) -> httpx.AsyncClient:
    """Answers as a server sends them: a 500 is a response, not an exception in the test."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.fixture
async def client(telemetry: Telemetry) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(observed_app(telemetry)) as client:
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

    def test_a_repository_call_outside_any_trace_is_counted_but_starts_no_trace(
        self, telemetry: Telemetry, spans: InMemorySpanExporter
    ) -> None:
        """What the background tasks make, several times a second."""
        with telemetry.repository_call("outbox", "claim"):
            pass

        assert spans.get_finished_spans() == ()
        assert sample(telemetry, "repo_calls_total", repository="outbox", operation="claim") == 1

    def test_a_storage_failure_in_a_repository_counts_as_an_adapter_error(
        self, telemetry: Telemetry
    ) -> None:
        with pytest.raises(StorageUnavailable), telemetry.repository_call("accounts", "get"):
            raise StorageUnavailable("the database is down")

        assert sample(telemetry, "errors_total", layer="adapter", kind="storage_unavailable") == 1


class TestHttpObservability:
    async def test_metrics_are_served_in_prometheus_format(self, client: httpx.AsyncClient) -> None:
        await client.post("/accounts", json=ACCOUNT, headers=as_owner())

        response = await client.get("/metrics")

        assert response.status_code == 200
        assert 'usecase_duration_seconds_count{usecase="open_account"} 1.0' in response.text

    async def test_a_scrape_collects_off_the_event_loop(
        self, telemetry: Telemetry, client: httpx.AsyncClient
    ) -> None:
        collected_in: list[threading.Thread] = []

        class ThreadProbe(Collector):
            def collect(self) -> Iterable[Metric]:
                collected_in.append(threading.current_thread())
                return []

        telemetry.metrics.registry.register(ThreadProbe())

        await client.get("/metrics")

        assert collected_in
        assert threading.current_thread() not in collected_in

    async def test_a_request_id_is_returned_kept_from_the_caller_and_put_on_the_trace(
        self, client: httpx.AsyncClient, spans: InMemorySpanExporter
    ) -> None:
        generated = await client.get("/health/live")
        kept = await client.get("/health/live", headers={"X-Request-ID": "abc-123"})

        assert len(generated.headers["x-request-id"]) == 32
        assert kept.headers["x-request-id"] == "abc-123"
        attributes = [span.attributes or {} for span in spans.get_finished_spans()]
        assert any(a.get("request.id") == "abc-123" for a in attributes)


class BrokenUnitOfWorkFactory:
    """Storage that fails in a way nobody planned for: the app answers 500."""

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        raise RuntimeError("the disk is on fire")


class TestHttpRequestMetrics:
    """``http_server_request_duration_seconds``: what the 5xx alert and dashboards read."""

    async def test_requests_are_counted_by_route_template_and_status_never_by_raw_path(
        self, telemetry: Telemetry, client: httpx.AsyncClient
    ) -> None:
        unknown = new_account_id()
        await client.post("/accounts", json=ACCOUNT, headers=as_owner())
        await client.get(f"/accounts/{unknown}", headers=as_owner())

        scraped = (await client.get("/metrics")).text

        opened = {"method": "POST", "route": "/accounts", "status_code": "201"}
        missing = {"method": "GET", "route": "/accounts/{account_id}", "status_code": "404"}
        assert sample(telemetry, f"{REQUEST_DURATION}_count", **opened) == 1
        assert sample(telemetry, f"{REQUEST_DURATION}_count", **missing) == 1
        assert str(unknown) not in scraped

    async def test_unknown_paths_and_methods_cannot_create_new_series(
        self, telemetry: Telemetry, client: httpx.AsyncClient
    ) -> None:
        await client.get("/no/such/route/12345")
        await client.request("BREW", "/health/live")

        unmatched = {"method": "GET", "route": "unmatched", "status_code": "404"}
        other = {"method": "_OTHER", "route": "/health/live", "status_code": "405"}
        assert sample(telemetry, f"{REQUEST_DURATION}_count", **unmatched) == 1
        assert sample(telemetry, f"{REQUEST_DURATION}_count", **other) == 1

    async def test_a_request_that_fails_unexpectedly_counts_as_a_500(
        self, telemetry: Telemetry
    ) -> None:
        app = observed_app(telemetry, unit_of_work=BrokenUnitOfWorkFactory())
        async with client_of(app) as client:
            response = await client.get(f"/accounts/{new_account_id()}", headers=as_owner())

        assert response.status_code == 500
        failed = {"method": "GET", "route": "/accounts/{account_id}", "status_code": "500"}
        assert sample(telemetry, f"{REQUEST_DURATION}_count", **failed) == 1

    async def test_the_python_runtime_is_described(self, client: httpx.AsyncClient) -> None:
        scraped = (await client.get("/metrics")).text

        assert "python_info{" in scraped
        assert "python_gc_collections_total{" in scraped

    @pytest.mark.skipif(
        not Path("/proc/self/stat").exists(), reason="process metrics are read from /proc"
    )
    async def test_the_process_is_described(self, client: httpx.AsyncClient) -> None:
        scraped = (await client.get("/metrics")).text

        for metric in ("process_cpu_seconds_total", "process_resident_memory_bytes"):
            assert re.search(rf"^{metric} \d", scraped, re.MULTILINE), metric


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the root logger writes, as the service's log configuration formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestContext())
    root = logging.getLogger()
    level, root.level = root.level, logging.INFO
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def logged(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


class TestJsonLogs:
    def test_every_extra_field_is_kept_with_the_request_and_trace_ids(
        self, telemetry: Telemetry, log_lines: io.StringIO
    ) -> None:
        token = current_request_id.set("req-9")
        try:
            with telemetry.tracer.start_as_current_span("work") as span:
                logging.getLogger("ledger").info(
                    "paid %s", "bob", extra={"amount_minor_units": 250, "currency": "EUR"}
                )
        finally:
            current_request_id.reset(token)

        [line] = logged(log_lines)
        context = span.get_span_context()
        assert line["message"] == "paid bob"
        assert line["level"] == "INFO"
        assert line["logger"] == "ledger"
        assert line["time"].endswith("+00:00")
        assert line["amount_minor_units"] == 250
        assert line["currency"] == "EUR"
        assert line["request_id"] == "req-9"
        assert line["trace_id"] == f"{context.trace_id:032x}"
        assert line["span_id"] == f"{context.span_id:016x}"

    def test_an_exception_is_logged_with_its_traceback(self, log_lines: io.StringIO) -> None:
        try:
            raise ValueError("the books do not balance")
        except ValueError:
            logging.getLogger("ledger").exception("transfer failed")

        [line] = logged(log_lines)
        assert line["message"] == "transfer failed"
        assert "request_id" not in line  # logged outside any request
        assert "trace_id" not in line
        assert line["exception"].startswith("Traceback (most recent call last):")
        assert line["exception"].endswith("ValueError: the books do not balance")

    def test_uvicorns_coloured_copy_of_a_message_is_left_out(self, log_lines: io.StringIO) -> None:
        logging.getLogger("uvicorn.error").info(
            "Started server process [%d]", 7, extra={"color_message": "\x1b[36m%d\x1b[0m"}
        )

        [line] = logged(log_lines)
        assert line["message"] == "Started server process [7]"
        assert "color_message" not in line


class TestAccessLog:
    async def test_on_each_request_gets_one_line_with_its_route_status_and_ids(
        self, telemetry: Telemetry, log_lines: io.StringIO
    ) -> None:
        account_id = new_account_id()
        async with client_of(observed_app(telemetry, access_log=True)) as client:
            await client.get(f"/accounts/{account_id}", headers=as_owner() | {"X-Request-ID": "r7"})

        [line] = [line for line in logged(log_lines) if line["logger"] == "access"]
        assert line["message"] == f"GET /accounts/{account_id} 404"
        assert line["method"] == "GET"
        assert line["path"] == f"/accounts/{account_id}"
        assert line["route"] == "/accounts/{account_id}"
        assert line["status_code"] == 404
        assert line["duration_ms"] >= 0
        assert line["request_id"] == "r7"
        assert len(line["trace_id"]) == 32

    async def test_off_no_request_is_logged(
        self, telemetry: Telemetry, log_lines: io.StringIO
    ) -> None:
        async with client_of(observed_app(telemetry, access_log=False)) as client:
            await client.get(f"/accounts/{new_account_id()}", headers=as_owner())

        assert [line for line in logged(log_lines) if line["logger"] == "access"] == []


class OtlpReceiver:
    """A collector's OTLP/HTTP endpoint on a free loopback port: keeps what it is sent."""

    def __init__(self) -> None:
        self.received: list[ExportTraceServiceRequest] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                found = self.path == "/v1/traces"
                if found:
                    received.append(ExportTraceServiceRequest.FromString(body))
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """No access log on the test output."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def spans(self) -> dict[str, dict[str, Any]]:
        """Each span received, by name: its service's name and its attributes."""
        found = {}
        for request in self.received:
            for resource_spans in request.resource_spans:
                resource = attributes_of(resource_spans.resource.attributes)
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        found[span.name] = {
                            "service.name": resource["service.name"],
                            **attributes_of(span.attributes),
                        }
        return found


def attributes_of(key_values: Any) -> dict[str, Any]:
    return {item.key: getattr(item.value, item.value.WhichOneof("value")) for item in key_values}


@pytest.fixture
def otel_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No ``OTEL_*`` variable from the shell that runs the tests: each test sets its own."""
    for name in [name for name in os.environ if name.startswith("OTEL_")]:
        monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
        thread.join()


class TestTraceExport:
    @pytest.mark.parametrize(
        ("variable", "path"),
        [("OTEL_EXPORTER_OTLP_ENDPOINT", ""), ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "/v1/traces")],
    )
    async def test_spans_reach_the_collector_the_environment_names(
        self,
        otel_environment: pytest.MonkeyPatch,
        receiver: OtlpReceiver,
        variable: str,
        path: str,
    ) -> None:
        otel_environment.setenv(variable, receiver.url + path)
        otel_environment.setenv("OTEL_SERVICE_NAME", "ledger-under-test")
        telemetry = Telemetry.for_service("{{ cookiecutter.project_slug }}")
        try:
            async with client_of(observed_app(telemetry)) as client:
                headers = as_owner() | {"X-Request-ID": "exported-1"}
                await client.post("/accounts", json=ACCOUNT, headers=headers)
            assert telemetry.provider.force_flush()
        finally:
            telemetry.provider.shutdown()

        spans = receiver.spans()
        assert spans["POST /accounts"]["request.id"] == "exported-1"
        assert spans["POST /accounts"]["service.name"] == "ledger-under-test"
        assert "usecase.open_account" in spans
        assert "repository.accounts.add" in spans

    @pytest.mark.parametrize(
        "environment",
        [
            {},
            {"OTEL_SERVICE_NAME": "ledger"},
            {"OTEL_EXPORTER_OTLP_ENDPOINT": COLLECTOR, "OTEL_TRACES_EXPORTER": "none"},
            {"OTEL_EXPORTER_OTLP_ENDPOINT": COLLECTOR, "OTEL_SDK_DISABLED": "true"},
        ],
    )
    def test_without_a_collector_to_export_to_nothing_is_exported(
        self, otel_environment: pytest.MonkeyPatch, environment: dict[str, str]
    ) -> None:
        for name, value in environment.items():
            otel_environment.setenv(name, value)

        assert span_exporter() is None

    def test_asking_for_otlp_alone_exports_to_a_local_collector(
        self, otel_environment: pytest.MonkeyPatch
    ) -> None:
        otel_environment.setenv("OTEL_TRACES_EXPORTER", "otlp")

        assert isinstance(span_exporter(), OTLPSpanExporter)

    def test_an_exporter_it_does_not_have_is_reported(
        self, otel_environment: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        otel_environment.setenv("OTEL_TRACES_EXPORTER", "zipkin")

        assert span_exporter() is None
        assert "OTEL_TRACES_EXPORTER=zipkin: not supported" in caplog.text


class TestAlertRules:
    """deploy/prometheus/alerts.yml must watch metrics the service really exports."""

    RULES = Path(__file__).parents[2] / "deploy" / "prometheus" / "alerts.yml"
    PROMQL_WORDS = frozenset(
        {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or"}
        | {"unless", "offset"}
    )

    def rules(self) -> dict[str, dict[str, Any]]:
        document = yaml.safe_load(self.RULES.read_text())
        return {rule["alert"]: rule for group in document["groups"] for rule in group["rules"]}

    def metrics_in(self, expression: str) -> set[str]:
        """The names in a PromQL expression that are neither functions, keywords nor labels."""
        without_labels = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", expression)
        without_groupings = re.sub(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)", "", without_labels)
        names = re.findall(r"\b([A-Za-z_:][A-Za-z0-9_:]*)\b(?!\s*\()", without_groupings)
        return set(names) - self.PROMQL_WORDS

    def test_every_metric_in_an_alert_is_exported(self, telemetry: Telemetry) -> None:
        suffixes = ("", "_total", "_bucket", "_count", "_sum")
        exported = {
            family.name + suffix
            for family in telemetry.metrics.registry.collect()
            for suffix in suffixes
        }

        used = {name for rule in self.rules().values() for name in self.metrics_in(rule["expr"])}

        assert "http_server_request_duration_seconds_count" in used, "the names were found"
        assert used <= exported, (
            f"alerts use metrics the service does not export: {used - exported}"
        )

    def test_alerts_cover_use_case_p99_and_repository_error_rate(self) -> None:
        rules = self.rules()

        assert "histogram_quantile(0.99" in rules["UseCaseLatencyP99High"]["expr"]
        assert rules["UseCaseLatencyP99High"]["expr"].rstrip().endswith("> 0.05")
        assert rules["RepositoryErrorRateHigh"]["expr"].rstrip().endswith("> 0.01")

    def test_an_alert_watches_the_5xx_rate_of_each_route(self) -> None:
        expression = self.rules()["HttpServerErrorRateHigh"]["expr"]

        assert 'status_code=~"5.."' in expression
        assert expression.count("sum by (route)") == 2
        assert expression.rstrip().endswith("> 0.01")
{%- else %}

import io
import json
import logging
import os
import re
import threading
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from {{ cookiecutter.package_name }}.adapters.http.app import create_http_app
from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.adapters.observability.exposition import expose
from {{ cookiecutter.package_name }}.adapters.observability.instrumentation import (
    TracedUnitOfWorkFactory,
    traced_use_case,
)
from {{ cookiecutter.package_name }}.adapters.observability.json_logs import (
    RequestContext,
    json_formatter,
)
from {{ cookiecutter.package_name }}.adapters.observability.request_id import current_request_id
from {{ cookiecutter.package_name }}.adapters.observability.telemetry import Telemetry
from {{ cookiecutter.package_name }}.adapters.observability.trace_export import span_exporter
from {{ cookiecutter.package_name }}.bootstrap import bootstrap
from {{ cookiecutter.package_name }}.domain.errors import NoticeNotFound, StorageUnavailable
from {{ cookiecutter.package_name }}.domain.ids import new_notice_id
from {{ cookiecutter.package_name }}.domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.api.notes import WriteNote, notes_router
from tests.api.tokens import api_settings, as_owner

NOTE = {"text": "hello"}
REQUEST_DURATION = "http_server_request_duration_seconds"
COLLECTOR = "http://collector:4318"
"""Never reached: the tests that name it check that nothing is sent there."""


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def telemetry(spans: InMemorySpanExporter) -> Telemetry:
    telemetry = Telemetry.for_service("test")
    telemetry.provider.add_span_processor(SimpleSpanProcessor(spans))
    return telemetry


def observed_app(
    telemetry: Telemetry,
    *,
    access_log: bool = False,
    unit_of_work: UnitOfWorkFactory | None = None,
) -> FastAPI:
    """The app as ``create_app`` exposes it, over memory storage unless told otherwise,
    with the tests' ``/notes`` (``tests/api/notes.py``) traced as the composition root
    traces the service's use cases and repositories."""
    storage = unit_of_work or MemoryUnitOfWorkFactory()
    service = bootstrap(api_settings(), unit_of_work=storage, telemetry=telemetry)
    http_app = create_http_app(
        service.use_cases,
        token_verifier=service.token_verifier,
        readiness_probe=service.readiness_probe,
    )
    traced = TracedUnitOfWorkFactory(storage, telemetry)
    write_note = traced_use_case("write_note", WriteNote(traced), telemetry)
    http_app.include_router(notes_router(write_note, traced))
    return expose(http_app, telemetry, serve_metrics=True, access_log=access_log)


async def write_a_note(client: httpx.AsyncClient, **headers: str) -> httpx.Response:
    return await client.post(
        "/notes", json=NOTE, headers=as_owner() | {"Idempotency-Key": "k"} | headers
    )


def client_of(app: FastAPI) -> httpx.AsyncClient:
    """Answers as a server sends them: a 500 is a response, not an exception in the test."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.fixture
async def client(telemetry: Telemetry) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(observed_app(telemetry)) as client:
        yield client


def sample(telemetry: Telemetry, name: str, **labels: str) -> float | None:
    return telemetry.metrics.registry.get_sample_value(name, labels)


class TestUseCaseInstrumentation:
    async def test_each_use_case_and_repository_call_is_traced_and_timed(
        self, client: httpx.AsyncClient, telemetry: Telemetry, spans: InMemorySpanExporter
    ) -> None:
        await write_a_note(client)

        names = [span.name for span in spans.get_finished_spans()]
        assert "usecase.write_note" in names
        assert "repository.outbox.put" in names
        assert sample(telemetry, "usecase_duration_seconds_count", usecase="write_note") == 1
        assert (
            sample(telemetry, "repo_latency_seconds_count", repository="outbox", operation="put")
            == 1
        )

    async def test_a_business_error_from_a_repository_counts_as_domain_not_adapter(
        self, telemetry: Telemetry
    ) -> None:
        unit_of_work = TracedUnitOfWorkFactory(MemoryUnitOfWorkFactory(), telemetry)

        async def deliver_an_unknown_notice() -> None:
            async with unit_of_work() as uow:
                await uow.outbox.mark_delivered([new_notice_id()], at=datetime.now(UTC))

        with pytest.raises(NoticeNotFound):
            await traced_use_case("deliver", deliver_an_unknown_notice, telemetry)()

        assert sample(telemetry, "errors_total", layer="domain", kind="notice_not_found") == 1
        assert sample(telemetry, "errors_total", layer="adapter", kind="notice_not_found") is None

    def test_a_repository_call_outside_any_trace_is_counted_but_starts_no_trace(
        self, telemetry: Telemetry, spans: InMemorySpanExporter
    ) -> None:
        """What the background tasks make, several times a second."""
        with telemetry.repository_call("outbox", "claim"):
            pass

        assert spans.get_finished_spans() == ()
        assert sample(telemetry, "repo_calls_total", repository="outbox", operation="claim") == 1

    def test_a_storage_failure_in_a_repository_counts_as_an_adapter_error(
        self, telemetry: Telemetry
    ) -> None:
        with pytest.raises(StorageUnavailable), telemetry.repository_call("outbox", "claim"):
            raise StorageUnavailable("the database is down")

        assert sample(telemetry, "errors_total", layer="adapter", kind="storage_unavailable") == 1


class TestHttpObservability:
    async def test_metrics_are_served_in_prometheus_format(self, client: httpx.AsyncClient) -> None:
        await write_a_note(client)

        response = await client.get("/metrics")

        assert response.status_code == 200
        assert 'usecase_duration_seconds_count{usecase="write_note"} 1.0' in response.text

    async def test_a_scrape_collects_off_the_event_loop(
        self, telemetry: Telemetry, client: httpx.AsyncClient
    ) -> None:
        collected_in: list[threading.Thread] = []

        class ThreadProbe(Collector):
            def collect(self) -> Iterable[Metric]:
                collected_in.append(threading.current_thread())
                return []

        telemetry.metrics.registry.register(ThreadProbe())

        await client.get("/metrics")

        assert collected_in
        assert threading.current_thread() not in collected_in

    async def test_a_request_id_is_returned_kept_from_the_caller_and_put_on_the_trace(
        self, client: httpx.AsyncClient, spans: InMemorySpanExporter
    ) -> None:
        generated = await client.get("/health/live")
        kept = await client.get("/health/live", headers={"X-Request-ID": "abc-123"})

        assert len(generated.headers["x-request-id"]) == 32
        assert kept.headers["x-request-id"] == "abc-123"
        attributes = [span.attributes or {} for span in spans.get_finished_spans()]
        assert any(a.get("request.id") == "abc-123" for a in attributes)


class BrokenUnitOfWorkFactory:
    """Storage that fails in a way nobody planned for: the app answers 500."""

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        raise RuntimeError("the disk is on fire")


class TestHttpRequestMetrics:
    """``http_server_request_duration_seconds``: what the 5xx alert and dashboards read."""

    async def test_requests_are_counted_by_route_template_and_status_never_by_raw_path(
        self, telemetry: Telemetry, client: httpx.AsyncClient
    ) -> None:
        unknown = uuid.uuid4()
        await write_a_note(client)
        await client.get(f"/notes/{unknown}", headers=as_owner())

        scraped = (await client.get("/metrics")).text

        written = {"method": "POST", "route": "/notes", "status_code": "201"}
        missing = {"method": "GET", "route": "/notes/{note_id}", "status_code": "404"}
        assert sample(telemetry, f"{REQUEST_DURATION}_count", **written) == 1
        assert sample(telemetry, f"{REQUEST_DURATION}_count", **missing) == 1
        assert str(unknown) not in scraped

    async def test_unknown_paths_and_methods_cannot_create_new_series(
        self, telemetry: Telemetry, client: httpx.AsyncClient
    ) -> None:
        await client.get("/no/such/route/12345")
        await client.request("BREW", "/health/live")

        unmatched = {"method": "GET", "route": "unmatched", "status_code": "404"}
        other = {"method": "_OTHER", "route": "/health/live", "status_code": "405"}
        assert sample(telemetry, f"{REQUEST_DURATION}_count", **unmatched) == 1
        assert sample(telemetry, f"{REQUEST_DURATION}_count", **other) == 1

    async def test_a_request_that_fails_unexpectedly_counts_as_a_500(
        self, telemetry: Telemetry
    ) -> None:
        app = observed_app(telemetry, unit_of_work=BrokenUnitOfWorkFactory())
        async with client_of(app) as client:
            response = await client.get(f"/notes/{uuid.uuid4()}", headers=as_owner())

        assert response.status_code == 500
        failed = {"method": "GET", "route": "/notes/{note_id}", "status_code": "500"}
        assert sample(telemetry, f"{REQUEST_DURATION}_count", **failed) == 1

    async def test_the_python_runtime_is_described(self, client: httpx.AsyncClient) -> None:
        scraped = (await client.get("/metrics")).text

        assert "python_info{" in scraped
        assert "python_gc_collections_total{" in scraped

    @pytest.mark.skipif(
        not Path("/proc/self/stat").exists(), reason="process metrics are read from /proc"
    )
    async def test_the_process_is_described(self, client: httpx.AsyncClient) -> None:
        scraped = (await client.get("/metrics")).text

        for metric in ("process_cpu_seconds_total", "process_resident_memory_bytes"):
            assert re.search(rf"^{metric} \d", scraped, re.MULTILINE), metric


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the root logger writes, as the service's log configuration formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestContext())
    root = logging.getLogger()
    level, root.level = root.level, logging.INFO
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def logged(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


class TestJsonLogs:
    def test_every_extra_field_is_kept_with_the_request_and_trace_ids(
        self, telemetry: Telemetry, log_lines: io.StringIO
    ) -> None:
        token = current_request_id.set("req-9")
        try:
            with telemetry.tracer.start_as_current_span("work") as span:
                logging.getLogger("service").info(
                    "paid %s", "bob", extra={"amount_minor_units": 250, "currency": "EUR"}
                )
        finally:
            current_request_id.reset(token)

        [line] = logged(log_lines)
        context = span.get_span_context()
        assert line["message"] == "paid bob"
        assert line["level"] == "INFO"
        assert line["logger"] == "service"
        assert line["time"].endswith("+00:00")
        assert line["amount_minor_units"] == 250
        assert line["currency"] == "EUR"
        assert line["request_id"] == "req-9"
        assert line["trace_id"] == f"{context.trace_id:032x}"
        assert line["span_id"] == f"{context.span_id:016x}"

    def test_an_exception_is_logged_with_its_traceback(self, log_lines: io.StringIO) -> None:
        try:
            raise ValueError("the books do not balance")
        except ValueError:
            logging.getLogger("service").exception("the work failed")

        [line] = logged(log_lines)
        assert line["message"] == "the work failed"
        assert "request_id" not in line  # logged outside any request
        assert "trace_id" not in line
        assert line["exception"].startswith("Traceback (most recent call last):")
        assert line["exception"].endswith("ValueError: the books do not balance")

    def test_uvicorns_coloured_copy_of_a_message_is_left_out(self, log_lines: io.StringIO) -> None:
        logging.getLogger("uvicorn.error").info(
            "Started server process [%d]", 7, extra={"color_message": "\x1b[36m%d\x1b[0m"}
        )

        [line] = logged(log_lines)
        assert line["message"] == "Started server process [7]"
        assert "color_message" not in line


class TestAccessLog:
    async def test_on_each_request_gets_one_line_with_its_route_status_and_ids(
        self, telemetry: Telemetry, log_lines: io.StringIO
    ) -> None:
        note_id = uuid.uuid4()
        async with client_of(observed_app(telemetry, access_log=True)) as client:
            await client.get(f"/notes/{note_id}", headers=as_owner() | {"X-Request-ID": "r7"})

        [line] = [line for line in logged(log_lines) if line["logger"] == "access"]
        assert line["message"] == f"GET /notes/{note_id} 404"
        assert line["method"] == "GET"
        assert line["path"] == f"/notes/{note_id}"
        assert line["route"] == "/notes/{note_id}"
        assert line["status_code"] == 404
        assert line["duration_ms"] >= 0
        assert line["request_id"] == "r7"
        assert len(line["trace_id"]) == 32

    async def test_off_no_request_is_logged(
        self, telemetry: Telemetry, log_lines: io.StringIO
    ) -> None:
        async with client_of(observed_app(telemetry, access_log=False)) as client:
            await client.get(f"/notes/{uuid.uuid4()}", headers=as_owner())

        assert [line for line in logged(log_lines) if line["logger"] == "access"] == []


class OtlpReceiver:
    """A collector's OTLP/HTTP endpoint on a free loopback port: keeps what it is sent."""

    def __init__(self) -> None:
        self.received: list[ExportTraceServiceRequest] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                found = self.path == "/v1/traces"
                if found:
                    received.append(ExportTraceServiceRequest.FromString(body))
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """No access log on the test output."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def spans(self) -> dict[str, dict[str, Any]]:
        """Each span received, by name: its service's name and its attributes."""
        found = {}
        for request in self.received:
            for resource_spans in request.resource_spans:
                resource = attributes_of(resource_spans.resource.attributes)
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        found[span.name] = {
                            "service.name": resource["service.name"],
                            **attributes_of(span.attributes),
                        }
        return found


def attributes_of(key_values: Any) -> dict[str, Any]:
    return {item.key: getattr(item.value, item.value.WhichOneof("value")) for item in key_values}


@pytest.fixture
def otel_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No ``OTEL_*`` variable from the shell that runs the tests: each test sets its own."""
    for name in [name for name in os.environ if name.startswith("OTEL_")]:
        monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
        thread.join()


class TestTraceExport:
    @pytest.mark.parametrize(
        ("variable", "path"),
        [("OTEL_EXPORTER_OTLP_ENDPOINT", ""), ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "/v1/traces")],
    )
    async def test_spans_reach_the_collector_the_environment_names(
        self,
        otel_environment: pytest.MonkeyPatch,
        receiver: OtlpReceiver,
        variable: str,
        path: str,
    ) -> None:
        otel_environment.setenv(variable, receiver.url + path)
        otel_environment.setenv("OTEL_SERVICE_NAME", "service-under-test")
        telemetry = Telemetry.for_service("{{ cookiecutter.project_slug }}")
        try:
            async with client_of(observed_app(telemetry)) as client:
                await write_a_note(client, **{"X-Request-ID": "exported-1"})
            assert telemetry.provider.force_flush()
        finally:
            telemetry.provider.shutdown()

        spans = receiver.spans()
        assert spans["POST /notes"]["request.id"] == "exported-1"
        assert spans["POST /notes"]["service.name"] == "service-under-test"
        assert "usecase.write_note" in spans
        assert "repository.outbox.put" in spans

    @pytest.mark.parametrize(
        "environment",
        [
            {},
            {"OTEL_SERVICE_NAME": "service"},
            {"OTEL_EXPORTER_OTLP_ENDPOINT": COLLECTOR, "OTEL_TRACES_EXPORTER": "none"},
            {"OTEL_EXPORTER_OTLP_ENDPOINT": COLLECTOR, "OTEL_SDK_DISABLED": "true"},
        ],
    )
    def test_without_a_collector_to_export_to_nothing_is_exported(
        self, otel_environment: pytest.MonkeyPatch, environment: dict[str, str]
    ) -> None:
        for name, value in environment.items():
            otel_environment.setenv(name, value)

        assert span_exporter() is None

    def test_asking_for_otlp_alone_exports_to_a_local_collector(
        self, otel_environment: pytest.MonkeyPatch
    ) -> None:
        otel_environment.setenv("OTEL_TRACES_EXPORTER", "otlp")

        assert isinstance(span_exporter(), OTLPSpanExporter)

    def test_an_exporter_it_does_not_have_is_reported(
        self, otel_environment: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        otel_environment.setenv("OTEL_TRACES_EXPORTER", "zipkin")

        assert span_exporter() is None
        assert "OTEL_TRACES_EXPORTER=zipkin: not supported" in caplog.text


class TestAlertRules:
    """deploy/prometheus/alerts.yml must watch metrics the service really exports."""

    RULES = Path(__file__).parents[2] / "deploy" / "prometheus" / "alerts.yml"
    PROMQL_WORDS = frozenset(
        {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or"}
        | {"unless", "offset"}
    )

    def rules(self) -> dict[str, dict[str, Any]]:
        document = yaml.safe_load(self.RULES.read_text())
        return {rule["alert"]: rule for group in document["groups"] for rule in group["rules"]}

    def metrics_in(self, expression: str) -> set[str]:
        """The names in a PromQL expression that are neither functions, keywords nor labels."""
        without_labels = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", expression)
        without_groupings = re.sub(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)", "", without_labels)
        names = re.findall(r"\b([A-Za-z_:][A-Za-z0-9_:]*)\b(?!\s*\()", without_groupings)
        return set(names) - self.PROMQL_WORDS

    def test_every_metric_in_an_alert_is_exported(self, telemetry: Telemetry) -> None:
        suffixes = ("", "_total", "_bucket", "_count", "_sum")
        exported = {
            family.name + suffix
            for family in telemetry.metrics.registry.collect()
            for suffix in suffixes
        }

        used = {name for rule in self.rules().values() for name in self.metrics_in(rule["expr"])}

        assert "http_server_request_duration_seconds_count" in used, "the names were found"
        assert used <= exported, (
            f"alerts use metrics the service does not export: {used - exported}"
        )

    def test_alerts_cover_use_case_p99_and_repository_error_rate(self) -> None:
        rules = self.rules()

        assert "histogram_quantile(0.99" in rules["UseCaseLatencyP99High"]["expr"]
        assert rules["UseCaseLatencyP99High"]["expr"].rstrip().endswith("> 0.05")
        assert rules["RepositoryErrorRateHigh"]["expr"].rstrip().endswith("> 0.01")

    def test_an_alert_watches_the_5xx_rate_of_each_route(self) -> None:
        expression = self.rules()["HttpServerErrorRateHigh"]["expr"]

        assert 'status_code=~"5.."' in expression
        assert expression.count("sum by (route)") == 2
        assert expression.rstrip().endswith("> 0.01")
{%- endif %}
