"""``python -m powerplan``: the same as the ``powerplan`` command."""

from powerplan_cli.main import main

if __name__ == "__main__":
    main()
