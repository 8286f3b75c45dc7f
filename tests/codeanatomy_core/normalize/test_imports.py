"""imports: absolute, relative, aliased, re-exported through __init__.py, star, conditional,
external; resolved to repository modules/definitions or external import paths."""

from __future__ import annotations


def test_golden_imports(resolution_repo):
    imports = resolution_repo.imports()
    assert imports["app/__init__.py", "Model"] == (
        "definition",
        "app.models.Model",
    )  # from .models import Model
    assert imports["app/__init__.py", "*util"] == ("definition", "app.util")  # from .util import *
    assert imports["app/models.py", "util"] == ("definition", "app.util")  # from . import util (a submodule)
    assert imports["app/models.py", "assist"] == ("definition", "app.util.helper")  # aliased
    assert imports["app/flows.py", "Model"] == ("definition", "app.models.Model")
    assert imports["main.py", "flows"] == ("definition", "app.flows")  # import app.flows as flows
    # through the package's re-exports: explicit and star
    assert imports["main.py", "Model"] == ("definition", "app.models.Model")
    assert imports["main.py", "helper"] == ("definition", "app.util.helper")
    assert imports["main.py", "VERSION"] == ("definition", "app.VERSION")
    # not in the repository: external symbols named by their import path
    assert imports["app/models.py", "json"] in {("external", "ujson"), ("external", "json")}


def test_import_rows_keep_what_was_written(resolution_repo):
    row = next(r for r in resolution_repo.rows("imports") if r["bound_name"] == "assist")
    assert (row["module"], row["name"], row["alias"], row["level"], row["is_star"]) == (
        "util",
        "helper",
        "assist",
        1,
        False,
    )
    assert row["absolute_module"] == "app.util"
    assert row["target_count"] == 1


def test_relative_levels_star_all_and_externals(resolve_files):
    resolved = resolve_files(
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "from .impl import *\n",
            "pkg/sub/impl.py": """
            __all__ = ["public"]
            def public(): pass
            def also_public(): pass
            """,
            "pkg/sub/deep.py": """
            from .. import sub
            from ..sub import public
            from ...pkg import sub as again
            import os.path
            from os.path import join as pjoin
            from collections import *
            from .missing import nothing
            """,
        }
    )
    imports = resolved.imports()
    assert imports["pkg/sub/deep.py", "sub"] == ("definition", "pkg.sub")
    assert imports["pkg/sub/deep.py", "public"] == ("definition", "pkg.sub.impl.public")  # star with __all__
    assert imports["pkg/sub/deep.py", "again"] == ("unresolved", None)  # beyond the top package
    assert imports["pkg/sub/deep.py", "os"] == ("external", "os.path")  # import os.path names os.path
    assert imports["pkg/sub/deep.py", "pjoin"] == ("external", "os.path.join")
    assert imports["pkg/sub/deep.py", "*collections"] == ("external", "collections")
    assert imports["pkg/sub/deep.py", "nothing"] == ("unresolved", None)


def test_star_import_respects_all(resolve_files):
    resolved = resolve_files(
        {
            "lib.py": """
            __all__ = ["shown"]
            def shown(): pass
            def hidden(): pass
            def _private(): pass
            """,
            "open_lib.py": """
            def visible(): pass
            def _private(): pass
            """,
            "main.py": """
            from lib import *
            from open_lib import *
            shown()
            visible()
            hidden()
            _private()
            """,
        }
    )
    assert resolved.calls("main") == {
        ("main", "shown", "lib.shown", "import"),
        ("main", "visible", "open_lib.visible", "import"),
    }


def test_names_used_through_module_attributes(resolve_files):
    resolved = resolve_files(
        {
            "pkg/__init__.py": "",
            "pkg/tools.py": "def run(): pass\n",
            "main.py": """
            import pkg.tools
            import pkg.tools as tools
            from pkg import tools as aliased
            pkg.tools.run()
            tools.run()
            aliased.run()
            """,
        }
    )
    assert resolved.calls("main") == {
        ("main", "pkg.tools.run", "pkg.tools.run", "import"),
        ("main", "tools.run", "pkg.tools.run", "import"),
        ("main", "aliased.run", "pkg.tools.run", "import"),
    }


def test_package_importing_its_own_submodule(resolve_files):
    resolved = resolve_files(
        {
            "lib/__init__.py": "from . import sub\n",
            "lib/sub/__init__.py": "from .plugins import Fancy\n",
            "lib/sub/plugins.py": """
            class Fancy:
                def activate(self): pass
            """,
            "main.py": """
            import lib
            lib.sub.Fancy().activate()
            """,
        }
    )
    assert resolved.imports()["lib/__init__.py", "sub"] == ("definition", "lib.sub")
    assert resolved.calls("main") == {
        ("main", "lib.sub.Fancy().activate", "lib.sub.plugins.Fancy.activate", "attribute_of_class")
    }
