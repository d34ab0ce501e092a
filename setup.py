"""Build cnbudget; the modules that read a disclosure are compiled with Cython when they can be.

The compiled modules are the same .py files (no Cython syntax): Cython turns them into C. A .pxd
beside a module (reading.pxd, numbers.pxd, narrative.pxd, extract.pxd) declares C types for what
Python leaves open; the .py stays plain Python, and only the compiled module reads the .pxd. Text
extraction runs 1.6 times as fast as the interpreter (README, "Extraction and build benchmark"). Without Cython or a C compiler, or with CNBUDGET_PURE=1 on a clean tree, cnbudget
installs as plain Python and extracts the same records (tests/test_compiled.py). After editing one
of them, `make compile` (or `make test`) rebuilds what changed; tests stop with a clear message
while a compiled module is older than its .py.
"""

import os

from setuptools import setup

# Where a text disclosure's time goes: its lines, cover, titles and narrative (reading -> readers).
# The table reader, the regions' hints and the rest add ~1 % more speed for ~40 s more compiling.
COMPILED = [
    "cnbudget/reading.py",
    "cnbudget/numbers.py",
    "cnbudget/cover.py",
    "cnbudget/provenance.py",
    "cnbudget/tables.py",
    "cnbudget/narrative.py",
    "cnbudget/extract.py",
]


def ext_modules():
    """The Cython extensions, each optional (a failed compile leaves that module pure Python), or none."""
    if os.environ.get("CNBUDGET_PURE"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        return []
    extensions = cythonize(COMPILED, compiler_directives={"language_level": 3}, quiet=True)
    for extension in extensions:
        extension.optional = True  # no C compiler: a warning, and the .py is imported instead
        extension.extra_compile_args = ["-Wno-array-bounds"]  # gcc 12's false alarm on CPython's static objects
    return extensions


setup(ext_modules=ext_modules(), options={"build_ext": {"parallel": os.cpu_count() or 1}})
