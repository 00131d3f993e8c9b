"""``python -m unocr``: the command line."""

import sys

from unocr.cli import main

if __name__ == "__main__":
    sys.exit(main())
