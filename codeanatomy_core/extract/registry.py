"""The extractors run by the shared per-file pass (one line each; order is irrelevant:
output tables are keyed and ordered by their specs)."""

from __future__ import annotations

from codeanatomy_core.extract.ast_nodes import AstNodesExtractor
from codeanatomy_core.extract.bytecode import BytecodeExtractor
from codeanatomy_core.extract.extractor import Extractor
from codeanatomy_core.extract.pyfacts import PyFactsExtractor
from codeanatomy_core.extract.symtable_facts import SymtableExtractor
from codeanatomy_core.extract.tokens import CommentsExtractor, DocstringsExtractor, LineIndexExtractor

EXTRACTORS: tuple[type[Extractor], ...] = (
    AstNodesExtractor,
    SymtableExtractor,
    BytecodeExtractor,
    CommentsExtractor,
    DocstringsExtractor,
    LineIndexExtractor,
    PyFactsExtractor,
)
