"""Revisions, oldest first. Create new ones with the ``revision`` command."""
