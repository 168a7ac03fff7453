"""Implementations of the ``Notifier`` port in ``usecases/notifier.py``."""
