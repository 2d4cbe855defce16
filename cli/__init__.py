"""The ``powerplan`` command line: a thin click shell over the library.

Installed as the ``powerplan_cli`` package (see pyproject.toml). ``main``
holds the group and its error handling; ``commands/`` one module per
command (``plan`` for power, size and mde); ``params`` the types that read
an option's text; ``options`` the option groups the commands share and the
scenario built from them; ``engine`` the simulator's run options and
progress bar; ``figures`` and ``output`` what a command draws and prints;
``csvfile`` the reading of a user's small CSV file, ``people_file`` the
reading of an organisation's file of people (CSV or .xlsx, in chunks). It imports only powerplan's
public API: the package, ``powerplan.errors``, ``powerplan.limits`` and
``powerplan.plotting`` (tests/test_cli_imports.py).
"""
