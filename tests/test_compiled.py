"""The extraction modules compiled with Cython (setup.py) extract exactly what their .py files do."""

import ast
import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

from scripts.make_synthetic import write_corpus
from tests.conftest import DEV_SOURCES, ROOT, SEED


def compiled_modules():
    """Module names of setup.py's COMPILED list ('cnbudget/narrative.py' -> 'narrative'), read from the file, not copied."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    listed = next(ast.literal_eval(node.value) for node in tree.body
                  if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "COMPILED")
    return [path.removeprefix("cnbudget/").removesuffix(".py").replace("/", ".") for path in listed]


def extract_json(paths, package_parent):
    """`cnbudget extract` of each path, run with the cnbudget package found in `package_parent`."""
    outputs = []
    for path in paths:
        done = subprocess.run([sys.executable, "-m", "cnbudget", "extract", str(path)], cwd=package_parent,
                              capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONPATH": str(package_parent)})
        outputs.append((path.name, done.returncode, done.stdout, done.stderr.strip()))
    return outputs


def pure_copy(folder):
    """cnbudget's .py files (and data) without any compiled module: what CNBUDGET_PURE=1 installs."""
    shutil.copytree(ROOT / "cnbudget", folder / "cnbudget",
                    ignore=shutil.ignore_patterns("*.so", "*.c", "__pycache__"))
    return folder


def test_make_install_compiled_the_extraction_path():
    """With Cython in the venv (the test extra), the modules that read a disclosure are compiled."""
    if os.environ.get("CNBUDGET_PURE") or importlib.util.find_spec("Cython") is None:
        pytest.skip("pure Python install asked for (CNBUDGET_PURE) or Cython missing")
    names = compiled_modules()
    assert "narrative" in names and "extract" in names
    for name in names:
        module = importlib.import_module(f"cnbudget.{name}")
        assert module.__file__.endswith(".so"), f"cnbudget.{name} runs as Python: run `make compile`"


def test_compiled_and_pure_extract_the_same_records(tmp_path):
    """The seed, synthetic text documents and every dev document: byte-identical JSON either way."""
    corpus = tmp_path / "corpus"
    write_corpus(12, corpus)
    paths = [SEED, *sorted(corpus.rglob("*.txt"))]
    if DEV_SOURCES.is_dir():
        paths += sorted(p for p in DEV_SOURCES.rglob("*") if p.suffix.lower() in (".pdf", ".html", ".htm", ".txt")
                        and p.name != "README.txt")
    compiled = extract_json(paths, ROOT)
    pure = extract_json(paths, pure_copy(tmp_path / "pure"))
    assert [(name, code) for name, code, _, _ in compiled] == [(name, code) for name, code, _, _ in pure]
    for ours, theirs in zip(compiled, pure):
        assert ours == theirs, ours[0]
    assert sum(code == 0 for _, code, _, _ in compiled) >= 13
