"""``python -m picpump``: the command line (same as the ``picpump`` command)."""

import sys

from picpump.cli import main

if __name__ == "__main__":
    sys.exit(main())
