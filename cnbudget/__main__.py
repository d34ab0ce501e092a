"""`cnbudget` (and `python -m cnbudget`): start pdftotext on the PDFs named, then run the click command line.

The command line's imports take about as long as pdftotext takes to read a disclosure; starting
it first lets both run at once (see `cnbudget.poppler`).
"""

import sys

from cnbudget import poppler


def main():
    """Entry point of the `cnbudget` command."""
    poppler.start_for_command(sys.argv[1:])
    from cnbudget.cli import cli

    return cli()


if __name__ == "__main__":
    sys.exit(main())
