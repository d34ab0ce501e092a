"""Build cnbudget; the modules that read a disclosure are compiled with Cython when it is there.

The compiled modules are the same .py files (no Cython syntax): Cython turns them into C, which
runs the extractor about a quarter faster than the interpreter does (README, "Speed"). Without
Cython, or with CNBUDGET_PURE=1, cnbudget installs as plain Python and gives the same output
(tests/test_compiled.py). The list is data: a module is compiled or not, nothing else changes.
"""

import os

from setuptools import setup

# The extraction path: a text disclosure's bytes to its records (reading -> readers -> regions).
COMPILED = [
    "cnbudget/reading.py",
    "cnbudget/numbers.py",
    "cnbudget/cover.py",
    "cnbudget/provenance.py",
    "cnbudget/function_codes.py",
    "cnbudget/tables.py",
    "cnbudget/table_columns.py",
    "cnbudget/table_reader.py",
    "cnbudget/narrative.py",
    "cnbudget/extract.py",
    "cnbudget/regions/*.py",
]


def ext_modules():
    """The Cython extensions, or none (pure Python) when Cython is missing or CNBUDGET_PURE is set."""
    if os.environ.get("CNBUDGET_PURE"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        return []
    return cythonize(COMPILED, compiler_directives={"language_level": 3}, quiet=True, nthreads=os.cpu_count() or 1)


setup(ext_modules=ext_modules())
