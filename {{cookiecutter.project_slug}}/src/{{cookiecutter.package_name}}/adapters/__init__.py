"""Adapters plug the outside world into the ports of the domain and the use cases.

Each sub-package is independent of the others (an import-linter contract checks it):
``http`` drives the use cases, ``sql`` and ``memory`` implement the storage ports.
Only the composition root (``bootstrap.py``) chooses and connects them.
"""
