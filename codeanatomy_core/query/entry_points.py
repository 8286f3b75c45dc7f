"""Entry points a repository declares (its callers live outside the analysed code)."""

from __future__ import annotations

import tomllib
from pathlib import Path


def entry_point_names(root: str | Path) -> frozenset[str]:
    """Qualified names of the ``[project.scripts]``/``gui-scripts``/``entry-points`` targets
    in ``root/pyproject.toml`` (``pkg.mod:func`` -> ``pkg.mod.func``); empty if none."""
    path = Path(root) / "pyproject.toml"
    try:
        project = tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return frozenset()
    targets: list[str] = []
    for group in ("scripts", "gui-scripts"):
        targets.extend(project.get(group, {}).values())
    for group in project.get("entry-points", {}).values():
        targets.extend(group.values())
    names = set()
    for target in targets:
        if isinstance(target, str) and ":" in target:
            module, _, attr = target.partition(":")
            names.add(f"{module.strip()}.{attr.split('[')[0].strip()}")
    return frozenset(names)
