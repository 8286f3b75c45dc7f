"""What to scan: the repository root and the rules that pick its Python files."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import msgspec

DEFAULT_EXCLUDE_DIRS: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".eggs",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    ".codeanatomy",
    ".dagster",
)


class FlowGranularity(StrEnum):
    """What the flow analysis solves together (see ``normalize/solver.py``).

    ``program``: the whole program at once; values flow everywhere, and any edit solves it
    all again. ``modules``: each import cycle of modules after the modules it imports; an
    edit solves again only the edited modules, those importing them and their dependencies,
    but what a module passes into a module it imports (arguments, receivers, objects
    stored there) is not followed into it.
    """

    PROGRAM = "program"
    MODULES = "modules"


# Per import cycle: an edit costs what it reaches; callables, receivers and values passed to
# imported functions are followed through parameter summaries (see normalize.flow_summaries).
DEFAULT_FLOW = FlowGranularity.MODULES


class RepositoryConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The target repository and its file-selection rules.

    ``include``/``exclude`` are glob patterns on repo-relative POSIX paths (``**`` matches
    across folders). Folders in ``exclude_dirs`` (by name) are never entered, nor are
    folders holding a ``pyvenv.cfg`` (virtual environments) or a ``*.egg-info`` marker.
    ``source_roots`` are folders whose files are importable from the root (``src`` layout).
    ``flow`` is what the flow analysis solves together (see :class:`FlowGranularity`).
    """

    root: str
    repo_id: str | None = None
    include: tuple[str, ...] = ("**/*.py",)
    exclude: tuple[str, ...] = ()
    exclude_dirs: tuple[str, ...] = DEFAULT_EXCLUDE_DIRS
    source_roots: tuple[str, ...] = ()
    max_file_bytes: int = 16 * 1024 * 1024
    flow: FlowGranularity = DEFAULT_FLOW

    @property
    def root_path(self) -> Path:
        return Path(self.root).expanduser().resolve()

    @property
    def resolved_repo_id(self) -> str:
        return self.repo_id or self.root_path.name
