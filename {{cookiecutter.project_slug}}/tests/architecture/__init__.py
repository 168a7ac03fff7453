"""Checks of the project's own configuration that keep the architecture rules honest."""
