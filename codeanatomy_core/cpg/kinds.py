"""Node and edge kinds of the Code Property Graph.

Every member is emitted by at least one rule (validation refuses a build otherwise) and is
covered by a test on the fixture repository: nothing is declared "planned".
"""

from __future__ import annotations

from enum import StrEnum


class NodeKind(StrEnum):
    FILE = "FILE"
    MODULE = "MODULE"
    PACKAGE = "PACKAGE"
    CLASS = "CLASS"
    FUNCTION = "FUNCTION"
    LAMBDA = "LAMBDA"
    PARAMETER = "PARAMETER"
    VARIABLE = "VARIABLE"
    IMPORT = "IMPORT"
    NAME_REF = "NAME_REF"
    ATTRIBUTE_REF = "ATTRIBUTE_REF"
    CALL = "CALL"
    AST_NODE = "AST_NODE"
    SCOPE = "SCOPE"
    SYMBOL = "SYMBOL"
    CODE_UNIT = "CODE_UNIT"
    CFG_BLOCK = "CFG_BLOCK"
    COMMENT = "COMMENT"
    DOCSTRING = "DOCSTRING"
    DIAGNOSTIC = "DIAGNOSTIC"
    EXTERNAL_SYMBOL = "EXTERNAL_SYMBOL"


class EdgeKind(StrEnum):
    CONTAINS = "CONTAINS"
    AST_CHILD = "AST_CHILD"
    DEFINES = "DEFINES"
    HAS_PARAMETER = "HAS_PARAMETER"
    REFERENCES = "REFERENCES"
    READS = "READS"
    WRITES = "WRITES"
    IMPORTS = "IMPORTS"
    IMPORTS_SYMBOL = "IMPORTS_SYMBOL"
    CALLS = "CALLS"
    INHERITS = "INHERITS"
    DECORATED_BY = "DECORATED_BY"
    SCOPE_PARENT = "SCOPE_PARENT"
    SCOPE_OF = "SCOPE_OF"
    HAS_SYMBOL = "HAS_SYMBOL"
    CODE_UNIT_OF = "CODE_UNIT_OF"
    HAS_BLOCK = "HAS_BLOCK"
    CFG_NEXT = "CFG_NEXT"
    CFG_JUMP = "CFG_JUMP"
    CFG_EXCEPTION = "CFG_EXCEPTION"
    HAS_COMMENT = "HAS_COMMENT"
    HAS_DOCSTRING = "HAS_DOCSTRING"
    HAS_DIAGNOSTIC = "HAS_DIAGNOSTIC"


class PropType(StrEnum):
    """Value type of a property: which typed value column of ``cpg_props`` holds it."""

    STRING = "string"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"


class EntityKind(StrEnum):
    NODE = "node"
    EDGE = "edge"
