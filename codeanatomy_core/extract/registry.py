"""The extractors run by the shared per-file pass (one line each; order is irrelevant:
output tables are keyed and ordered by their specs)."""

from __future__ import annotations

from codeanatomy_core.extract.ast_nodes import AstNodesExtractor
from codeanatomy_core.extract.extractor import Extractor

EXTRACTORS: tuple[type[Extractor], ...] = (AstNodesExtractor,)
