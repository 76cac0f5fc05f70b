"""``python -m skimportance``: the command line tool, see :mod:`skimportance.cli`."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
