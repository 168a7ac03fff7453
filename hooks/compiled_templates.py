"""The template's Jinja extension that keeps its files' compiled form between bakes.

Compiling the template's files to Python is the largest part of a bake that the template
controls: about 0.1 s of a 0.5 s bake of the default project (``benchmarks/bake_time.py``).
Python keeps compiled modules in ``__pycache__`` for the same reason, and Jinja ships the
same for templates: ``FileSystemBytecodeCache``. It keeps each compiled file in a folder of
the user's own (created private; Jinja refuses a folder another user owns or can write),
under a key made from the file's name, and checks it against a hash of the source, so an
edited file is compiled afresh and never rendered stale. The first bake on a machine
compiles and stores; later bakes (re-bakes, CI, the template's own tests) load.

Two additions here. The hash also covers the environment's syntax settings, which change
the compiled code but not the source. And a cache never fails a bake: a folder that is
unsafe or cannot be written means compiling as if there were no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache
from jinja2.bccache import Bucket
from jinja2.ext import Extension

PATTERN = "__cookiecutter_clean_service_%s.cache"
"""File names apart from other users of Jinja's cache folder."""
SYNTAX_SETTINGS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "autoescape",
    "is_async",
)


def syntax_fingerprint(environment: Environment) -> str:
    """What, besides a file's source, decides the code Jinja compiles it to."""
    settings = [repr(getattr(environment, name, None)) for name in SYNTAX_SETTINGS]
    settings.extend(sorted(environment.extensions))
    return hashlib.sha256("\0".join(settings).encode()).hexdigest()


class CompiledTemplateCache(FileSystemBytecodeCache):
    """Jinja's file cache, keyed by source *and* syntax, and unable to fail a bake."""

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        return super().get_bucket(
            environment, name, filename, syntax_fingerprint(environment) + source
        )

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError):
            bucket.reset()  # unreadable or truncated: compile it again

    def dump_bytecode(self, bucket: Bucket) -> None:
        # A full disk or a read-only folder: the next bake compiles again.
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


class KeepCompiledTemplates(Extension):
    """Gives cookiecutter's environment the cache; without a safe folder, no cache."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        try:
            environment.bytecode_cache = CompiledTemplateCache(pattern=PATTERN)
        except (OSError, RuntimeError):  # Jinja found no private folder it can use
            environment.bytecode_cache = None
