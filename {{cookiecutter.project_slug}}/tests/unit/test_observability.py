from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from {{ cookiecutter.package_name }}.adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from {{ cookiecutter.package_name }}.adapters.observability.instrumentation import (
    instrument_use_cases,
)
from {{ cookiecutter.package_name }}.adapters.observability.metrics import Metrics
from {{ cookiecutter.package_name }}.domain.money import Currency
from {{ cookiecutter.package_name }}.usecases.catalog import UseCases
from {{ cookiecutter.package_name }}.usecases.open_account import OpenAccountRequest


class TestInstrumentedUseCases:
    async def test_each_call_is_traced_and_timed(self) -> None:
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        metrics = Metrics()
        use_cases = instrument_use_cases(
            UseCases.wired_to(MemoryUnitOfWorkFactory()), provider.get_tracer("test"), metrics
        )

        await use_cases.open_account(OpenAccountRequest("a@example.com", Currency.EUR))

        assert [span.name for span in exporter.get_finished_spans()] == ["usecase.open_account"]
        count = metrics.registry.get_sample_value(
            "usecase_duration_seconds_count", {"usecase": "open_account"}
        )
        assert count == 1
