"""`cnbudget` (and `python -m cnbudget`): start pdftotext on the PDFs named, then run the command.

A PDF disclosure takes ~0.2 s to extract, process start included, and half of that used to be
waiting: for pdftotext, then for imports. So pdftotext starts first (`cnbudget.poppler`) and runs
on the other core while Python imports, and `cnbudget extract FILE…` — the plain form, files that
exist, no option — runs without importing click (~20 ms), printing exactly what the click command
prints (`cnbudget.console`). Everything else, help and usage errors included, is the click
command line (`cnbudget.cli`). The regular expressions the imports compile come from
`cnbudget.regex_cache` when `make install` stored them.
"""

import gc
import os
import sys

from cnbudget import poppler, regex_cache


def main():
    """Entry point of the `cnbudget` command."""
    argv = sys.argv[1:]
    gc.disable()  # the imports make ~18,000 objects that live as long as the process: nothing to collect
    poppler.start_for_command(argv)
    regex_cache.load()  # what `re` compiled at install: the imports below mostly find it done
    if is_plain_extract(argv):
        return extract(argv[1:])
    gc.enable()
    from cnbudget.cli import cli

    return cli()


def is_plain_extract(argv):
    """`extract FILE…` with no option, every FILE an existing readable file (or link to one): what click accepts as it is."""
    return len(argv) > 1 and argv[0] == "extract" and all(
        not arg.startswith("-") and os.path.exists(arg) and not os.path.isdir(arg) and os.access(arg, os.R_OK)
        for arg in argv[1:])


def extract(names):
    """`cnbudget extract FILE…` without click: the JSON on stdout, or one `Error:` line and status 1."""
    from pathlib import Path

    from cnbudget.console import errors_as_one_line, extract_disclosure, print_json

    poppler.while_waiting(warm_up)
    try:
        import cnbudget.extract  # noqa: F401 (the readers, imported before the collector runs again)

        gc.freeze()  # what the imports made is never scanned again; a document's objects are, as always
        gc.enable()
        with errors_as_one_line():
            print_json(extract_disclosure([Path(name) for name in names]))
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")  # what click prints on Ctrl-C
        return 1
    return 0


def warm_up():
    """What the extraction needs after the PDF text, done while pdftotext still runs (~7 ms):
    the JSON library that prints it and the 政府收支分类科目 reference its readers look names up in."""
    import orjson  # noqa: F401

    from cnbudget import function_codes

    function_codes.class_code("")


if __name__ == "__main__":
    sys.exit(main())
