"""The ``powerplan`` command line: a thin click shell over the library.

Installed as the ``powerplan_cli`` package (see pyproject.toml).
"""
