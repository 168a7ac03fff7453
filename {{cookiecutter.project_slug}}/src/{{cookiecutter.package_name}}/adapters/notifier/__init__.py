"""Implementations of the ``Notifier`` port in ``domain/ports/notifier.py``."""
