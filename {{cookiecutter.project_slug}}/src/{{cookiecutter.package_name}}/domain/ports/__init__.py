"""Ports: what the service needs from the world outside, as ``typing.Protocol``s.

One module per port: ``storage`` (repositories), ``unit_of_work`` (transactions),
``notifier`` (notices to other systems) and ``clock`` (the time, a plain function type).
Every adapter class names the port it implements as its base class, so ``mypy --strict``
checks each method against the port where the adapter is defined. A port and its
adapters share a name: ``Notifier`` here, ``LoggingNotifier`` in ``adapters/notifier/``.
"""
