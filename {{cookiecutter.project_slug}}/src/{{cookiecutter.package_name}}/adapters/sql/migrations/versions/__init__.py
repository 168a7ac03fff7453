"""Revisions, oldest first. Create new ones with the ``revision`` command.
{%- if cookiecutter.example == "none" %}

The numbers skip 0001, 0003 and 0005: the template's example ledger created and changed
its tables there, and this project was generated without it. Each revision names the one
before it (``down_revision``); numbers only need to be unique and to grow.
{% endif %}"""
