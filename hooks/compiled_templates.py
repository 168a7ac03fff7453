"""The template's Jinja extension that keeps compiled templates between bakes.

Compiling Jinja to Python is the largest part of a bake that the template controls. It
comes in two kinds, and Jinja caches neither for cookiecutter out of the box:

- The template's files (about 0.1 s of a first bake), which cookiecutter loads by name.
  Jinja ships a cache for these, ``FileSystemBytecodeCache``, for the reason Python keeps
  ``__pycache__``: it stores each compiled file in a folder of the user's own (created
  private; Jinja refuses a folder another user owns or can write), under a key made from
  the file's name, and checks it against a hash of the source, so an edited file is
  compiled afresh and never rendered stale.
- Strings: cookiecutter compiles every file's and folder's name, and every answer, with
  ``from_string``, which never looks at a cache (178 compiles, about 40 ms of every bake
  of the default project). The extension routes those compiles through the same cache,
  keyed by the string itself, and checked like a file.

The first bake on a machine compiles and stores; later bakes (re-bakes, CI, the
template's own tests) load. Additions to Jinja's cache, each for a way it could go wrong:

- The hash covers what Jinja actually compiles: the source after the extensions'
  ``preprocess`` (``answers.py`` rewrites the template folder's name), and the
  environment's syntax settings, which change the compiled code but not the source.
- Absolute paths are compiled and not kept: they hold the bake's output folder, so they
  would only fill the cache folder with names no later bake asks for.
- A cache never fails a bake: a folder that is unsafe or cannot be written, or a file
  that cannot be read, means compiling as if there were no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import marshal
import os
import pickle
from types import CodeType
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache
from jinja2.bccache import Bucket, bc_magic
from jinja2.ext import Extension

PATTERN = "__cookiecutter_clean_service_%s.cache"
"""File names apart from other users of Jinja's cache folder."""
STRING_KEY = "\0from_string\0"
"""Prefix of a string's cache key: apart from any file's key, which is the file's name."""
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
    """What, besides a template's source, decides the code Jinja compiles it to."""
    settings = [repr(getattr(environment, name, None)) for name in SYNTAX_SETTINGS]
    settings.extend(sorted(environment.extensions))
    return hashlib.sha256("\0".join(settings).encode()).hexdigest()


class CompiledTemplateCache(FileSystemBytecodeCache):
    """Jinja's file cache, checked against what is compiled, and unable to fail a bake."""

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        """The bucket of a template file (Jinja's loaders ask for it)."""
        compiled = environment.preprocess(source, name, filename)
        return self._loaded(environment, self.get_cache_key(name, filename), compiled)

    def get_string_bucket(self, environment: Environment, source: str) -> Bucket:
        """The bucket of a template compiled from ``source``, found by the string itself."""
        compiled = environment.preprocess(source)
        return self._loaded(environment, self.get_cache_key(STRING_KEY + source), compiled)

    def _loaded(self, environment: Environment, key: str, compiled: str) -> Bucket:
        checksum = self.get_source_checksum(syntax_fingerprint(environment) + compiled)
        bucket = Bucket(environment, key, checksum)
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            with open(os.path.join(self.directory, self.pattern % bucket.key), "rb") as file:
                kept = file.read()
        except OSError:
            return  # none kept, or unreadable: compile it
        load_kept(bucket, kept)

    def dump_bytecode(self, bucket: Bucket) -> None:
        # A full disk or a read-only folder: the next bake compiles again.
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def load_kept(bucket: Bucket, kept: bytes) -> None:
    """Jinja's ``Bucket.load_bytecode`` for a kept file's bytes: the same format (Jinja's
    magic, the pickled checksum, the marshalled code), the code read by ``marshal.loads``.

    ``marshal.load`` on a file calls its ``readinto`` for every name and constant in the
    code: 46 instead of 14 us a template, some 10 ms of a bake that loads 313. Anything
    else than a current, whole entry for this checksum leaves the bucket empty: compiled.
    """
    stream = io.BytesIO(kept)
    try:
        if stream.read(len(bc_magic)) != bc_magic or pickle.load(stream) != bucket.checksum:
            bucket.reset()
            return
        bucket.code = marshal.loads(memoryview(kept)[stream.tell() :])
    except Exception:  # a damaged entry: whatever pickle or marshal make of it
        bucket.reset()


class CompileThroughCache:
    """Stands in for ``environment.compile``, which ``from_string`` calls with the string
    alone; every other call (a loader's, with a name; raw or node input) goes to Jinja."""

    def __init__(self, environment: Environment, cache: CompiledTemplateCache) -> None:
        self.environment = environment
        self.cache = cache

    def __call__(
        self,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        compile_in_jinja = type(self.environment).compile
        if (
            not isinstance(source, str)
            or (name, filename, raw, defer_init) != (None, None, False, False)
            or os.path.isabs(source)
        ):
            return compile_in_jinja(self.environment, source, name, filename, raw, defer_init)
        bucket = self.cache.get_string_bucket(self.environment, source)
        if bucket.code is None:
            bucket.code = compile_in_jinja(self.environment, source)
            self.cache.set_bucket(bucket)
        code: CodeType = bucket.code
        return code


def keep_compiled_templates(environment: Environment) -> None:
    """Give ``environment`` the cache, for files and strings; without a safe folder, none."""
    try:
        cache = CompiledTemplateCache(pattern=PATTERN)
    except (OSError, RuntimeError):  # Jinja found no private folder it can use
        environment.bytecode_cache = None
        return
    environment.bytecode_cache = cache
    vars(environment)["compile"] = CompileThroughCache(environment, cache)


class KeepCompiledTemplates(Extension):
    """Installs the cache on cookiecutter's environment, and on any overlay of it: an
    overlay copies the environment's attributes, and its own syntax must compile its
    strings, not the original's."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        keep_compiled_templates(environment)

    def bind(self, environment: Environment) -> Extension:
        inherited = vars(environment).get("compile")
        if isinstance(inherited, CompileThroughCache):
            vars(environment)["compile"] = CompileThroughCache(environment, inherited.cache)
        return super().bind(environment)
