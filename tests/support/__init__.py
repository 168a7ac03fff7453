"""Helpers for the template's own tests: option rules, baking, files, toolchain, violations."""
