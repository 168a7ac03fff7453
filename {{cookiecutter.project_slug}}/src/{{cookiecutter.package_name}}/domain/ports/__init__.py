"""Ports: what the service needs from the world outside, as ``typing.Protocol``s.

One module per port: ``storage`` (repositories), ``unit_of_work`` (transactions),
``notifier`` (notices to other systems), ``token_verifier`` (who a caller is) and
``clock`` (the time, a plain function type).
A port and its adapters share a name: ``Notifier`` here, ``LoggingNotifier`` in
``adapters/notifier/``. Every adapter class names the port it implements as its base
class, so ``mypy --strict`` checks each method against the port where the adapter is
defined.{% if cookiecutter.observability == "opentelemetry" %} ``TracedRepository`` is the exception: a proxy for any repository,
handed out under the type of the one it wraps.{% endif %}
"""
