"""The call-graph exporter (PyCG simple format) and the ``codeanatomy callgraph`` command."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from codeanatomy_core.normalize.callgraph import call_graph_of_folder


def test_simple_format_keys_and_edges(make_repo):
    root = make_repo(
        {
            "main.py": """
            from helpers import Greeter, shout
            class Config:
                default = shout("x")
            def run():
                g = Greeter()
                g.greet()
                return [len(n) for n in ("a", "b")]
            run()
            """,
            "helpers.py": """
            def shout(text):
                return text.upper()
            class Greeter:
                def __init__(self):
                    self.format = lambda s: s
                def greet(self):
                    return self.format("hi")
            """,
        }
    )
    assert call_graph_of_folder(root) == {
        "<**PyStr**>.upper": [],
        "<builtin>.len": [],
        "helpers": [],
        "helpers.Greeter.__init__": [],
        "helpers.Greeter.__init__.<lambda1>": [],
        "helpers.Greeter.greet": ["helpers.Greeter.__init__.<lambda1>"],
        "helpers.shout": ["<**PyStr**>.upper"],  # text is a str constant
        "main": ["main.run"],
        "main.Config": ["helpers.shout"],  # class bodies are callers when they call
        "main.run": ["<builtin>.len", "helpers.Greeter.__init__", "helpers.Greeter.greet"],
    }


def test_pycg_micro_style_cases(make_repo):
    root = make_repo(
        {
            "main.py": """
            from to_import import func
            def param_func():
                pass
            a = param_func
            func(a)
            """,
            "to_import.py": """
            def func(a):
                a()
            """,
        }
    )
    assert call_graph_of_folder(root) == {
        "main": ["to_import.func"],
        "main.param_func": [],
        "to_import": [],
        "to_import.func": ["main.param_func"],
    }


def test_command_prints_the_graph_without_importing_dagster(make_repo):
    root = make_repo({"main.py": "def f():\n    pass\nf()\n"})
    script = textwrap.dedent(
        f"""
        import sys
        from codeanatomy_dagster.cli import main
        code = main(["callgraph", {str(root)!r}, "--format", "pycg"])
        assert "dagster" not in sys.modules, "the callgraph command imported dagster"
        sys.exit(code)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"main": ["main.f"], "main.f": []}


def test_command_default_format_is_readable(make_repo):
    root = make_repo({"main.py": "def f():\n    pass\nf()\n"})
    done = subprocess.run(
        [sys.executable, "-m", "codeanatomy_dagster.cli", "callgraph", str(root)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["caller", "callee"]
    assert lines[-1].split() == ["main", "main.f"]
