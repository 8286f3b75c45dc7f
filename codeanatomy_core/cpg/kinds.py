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
    IMPORT = "IMPORT"
    NAME_REF = "NAME_REF"
    ATTRIBUTE_REF = "ATTRIBUTE_REF"
    CALL = "CALL"
    AST_NODE = "AST_NODE"
    DIAGNOSTIC = "DIAGNOSTIC"


class EdgeKind(StrEnum):
    CONTAINS = "CONTAINS"
    AST_CHILD = "AST_CHILD"
    HAS_PARAMETER = "HAS_PARAMETER"
    DECORATED_BY = "DECORATED_BY"
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
