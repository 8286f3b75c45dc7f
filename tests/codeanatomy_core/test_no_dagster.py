"""codeanatomy_core never imports Dagster: checked at run time and in the source."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import codeanatomy_core

CORE_DIR = Path(codeanatomy_core.__file__).parent


def is_dagster(module: str) -> bool:
    top = module.split(".", maxsplit=1)[0]
    return top == "dagster" or top.startswith("dagster_")


# pkgutil.walk_packages does not descend into folders without an __init__.py (namespace
# packages such as codeanatomy_core/extract), so both lists are taken: the walk and the files.
_IMPORT_EVERYTHING = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    from pathlib import Path
    import codeanatomy_core

    root = Path(codeanatomy_core.__file__).parent
    walked = [i.name for i in pkgutil.walk_packages(codeanatomy_core.__path__, "codeanatomy_core.")]
    on_disk = [
        ".".join(("codeanatomy_core", *p.relative_to(root).with_suffix("").parts)).removesuffix(".__init__")
        for p in sorted(root.rglob("*.py"))
    ]
    imported, failed = [], {}
    for name in dict.fromkeys(walked + on_disk):
        try:
            importlib.import_module(name)
            imported.append(name)
        except Exception as err:
            failed[name] = f"{type(err).__name__}: {err}"
    dagster = sorted(m for m in sys.modules if m.split(".")[0] == "dagster" or m.startswith("dagster_"))
    print(json.dumps({"imported": imported, "failed": failed, "dagster": dagster}))
    """
)


def test_importing_every_core_module_loads_no_dagster() -> None:
    process = subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERYTHING], capture_output=True, text=True, timeout=300, check=False
    )
    assert process.returncode == 0, process.stderr
    report = json.loads(process.stdout)
    assert report["failed"] == {}
    expected_modules = {
        "codeanatomy_core.specs.signature",
        "codeanatomy_core.storage.writer",
        "codeanatomy_core.source.scan",
        "codeanatomy_core.extract.ast_nodes",
        "codeanatomy_core.pipeline.runner",
        "codeanatomy_core.query.status",
    }
    assert expected_modules <= set(report["imported"])
    assert report["dagster"] == []


def dagster_imports(source: bytes, label: str) -> list[str]:
    """``label:line module`` for every import of Dagster in one source text, including
    ``importlib.import_module("dagster...")`` and ``__import__("dagster...")``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, filename=label)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if is_dagster(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and is_dagster(node.module):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            target = node.args[0]
            if (
                name in ("import_module", "__import__")
                and isinstance(target, ast.Constant)
                and isinstance(target.value, str)
                and is_dagster(target.value)
            ):
                found.append((node.lineno, target.value))
    return [f"{label}:{line} {module}" for line, module in sorted(found)]


def test_no_core_source_file_imports_dagster() -> None:
    sources = sorted(CORE_DIR.rglob("*.py"))
    assert len(sources) > 30
    offenders = [
        hit for path in sources for hit in dagster_imports(path.read_bytes(), str(path.relative_to(CORE_DIR)))
    ]
    assert offenders == []


def test_the_static_check_finds_every_import_form() -> None:
    # Guard against a checker that can never fail.
    source = (
        b"import os, dagster\n"
        b"from dagster import asset\n"
        b"from dagster_deltalake import LocalConfig\n"
        b"import dagster._core.errors as errors\n"
        b"from .dagster import x\n"
        b"import importlib\n"
        b"importlib.import_module('dagster')\n"
        b"__import__('dagster_webserver')\n"
        b"import dagsterish\n"
    )
    assert dagster_imports(source, "probe.py") == [
        "probe.py:1 dagster",
        "probe.py:2 dagster",
        "probe.py:3 dagster_deltalake",
        "probe.py:4 dagster._core.errors",
        "probe.py:7 dagster",
        "probe.py:8 dagster_webserver",
    ]
