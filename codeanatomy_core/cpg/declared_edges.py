"""The contract of every declared edge kind."""

from __future__ import annotations

from codeanatomy_core.cpg.contracts import EdgeContract, PropSpec
from codeanatomy_core.cpg.declared_nodes import DEFINITIONS, SCOPE_OWNERS, SYNTAX, N
from codeanatomy_core.cpg.kinds import EdgeKind, PropType

E = EdgeKind

# What a resolved name, import, call or base may point at.
TARGETS = (N.MODULE, N.CLASS, N.FUNCTION, N.LAMBDA, N.PARAMETER, N.VARIABLE, N.EXTERNAL_SYMBOL)


def _p(name: str, type_: PropType, description: str) -> PropSpec:
    return PropSpec(name=name, type=type_, description=description)


EDGE_CONTRACTS: tuple[EdgeContract, ...] = (
    EdgeContract(
        kind=E.DEFINES,
        description="Module, class, function or lambda -> each class, function, lambda and variable "
        "defined in its scope (a comprehension's variables count for the enclosing definition).",
        src_kinds=DEFINITIONS,
        dst_kinds=(N.CLASS, N.FUNCTION, N.LAMBDA, N.VARIABLE),
    ),
    EdgeContract(
        kind=E.REFERENCES,
        description="Loaded name -> a definition it may refer to (Python's scoping rules, imports "
        "followed), or the external symbol or builtin it names; ambiguous names keep every candidate.",
        src_kinds=(N.NAME_REF,),
        dst_kinds=TARGETS,
    ),
    EdgeContract(
        kind=E.READS,
        description="Module, class, function or lambda -> a variable or parameter a name it loads refers to.",
        src_kinds=DEFINITIONS,
        dst_kinds=(N.PARAMETER, N.VARIABLE),
    ),
    EdgeContract(
        kind=E.WRITES,
        description="Module, class, function or lambda -> a variable or parameter a name it stores binds.",
        src_kinds=DEFINITIONS,
        dst_kinds=(N.PARAMETER, N.VARIABLE),
    ),
    EdgeContract(
        kind=E.IMPORTS,
        description="Module -> a module it imports: the module of every import statement, and the "
        "submodules imported by name; modules outside the repository are external symbols.",
        src_kinds=(N.MODULE,),
        dst_kinds=(N.MODULE, N.EXTERNAL_SYMBOL),
    ),
    EdgeContract(
        kind=E.IMPORTS_SYMBOL,
        description="Imported name -> the module, definition or external symbol it names.",
        src_kinds=(N.IMPORT,),
        dst_kinds=TARGETS,
    ),
    EdgeContract(
        kind=E.CALLS,
        description="Call site -> a callee candidate (explicit calls, decorators, implicit dunder "
        "calls, raised classes), from the inter-procedural flow: ambiguous calls keep every candidate.",
        src_kinds=(N.CALL,),
        dst_kinds=TARGETS,
    ),
    EdgeContract(
        kind=E.INHERITS,
        description="Class -> each of its bases (in order), resolved statically.",
        src_kinds=(N.CLASS,),
        dst_kinds=TARGETS,
        required=(_p("position", PropType.INT, "0-based index in the bases"),),
    ),
    EdgeContract(
        kind=E.CONTAINS,
        description="Structural nesting: package -> subpackage/module, file -> module, "
        "module/class/function -> the classes and functions defined directly in it.",
        src_kinds=(N.PACKAGE, N.FILE, N.MODULE, N.CLASS, N.FUNCTION, N.LAMBDA),
        dst_kinds=(N.PACKAGE, N.MODULE, N.CLASS, N.FUNCTION),
    ),
    EdgeContract(
        kind=E.AST_CHILD,
        description="Syntax-tree parent -> child (the parent's field holding the child is the child's "
        "ast_nodes.field_name: syntax nodes keep their ast_nodes ids).",
        src_kinds=SYNTAX,
        dst_kinds=SYNTAX,
    ),
    EdgeContract(
        kind=E.HAS_PARAMETER,
        description="Function or lambda -> each of its parameters.",
        src_kinds=(N.FUNCTION, N.LAMBDA),
        dst_kinds=(N.PARAMETER,),
        required=(_p("position", PropType.INT, "0-based position in the parameter's group"),),
    ),
    EdgeContract(
        kind=E.DECORATED_BY,
        description="Class or function -> each decorator expression applied to it (outermost last).",
        src_kinds=(N.CLASS, N.FUNCTION),
        dst_kinds=(N.NAME_REF, N.ATTRIBUTE_REF, N.CALL, N.AST_NODE),
        required=(_p("position", PropType.INT, "0-based index in the decorator list"),),
    ),
    EdgeContract(
        kind=E.SCOPE_PARENT,
        description="Scope -> the scope it is nested in.",
        src_kinds=(N.SCOPE,),
        dst_kinds=(N.SCOPE,),
    ),
    EdgeContract(
        kind=E.SCOPE_OF,
        description="Scope -> the syntax node opening it (module, class, function, lambda, comprehension).",
        src_kinds=(N.SCOPE,),
        dst_kinds=SCOPE_OWNERS,
    ),
    EdgeContract(
        kind=E.HAS_SYMBOL,
        description="Scope -> each symbol of its symbol table.",
        src_kinds=(N.SCOPE,),
        dst_kinds=(N.SYMBOL,),
    ),
    EdgeContract(
        kind=E.CODE_UNIT_OF,
        description="Code unit -> the syntax node compiled into it.",
        src_kinds=(N.CODE_UNIT,),
        dst_kinds=SCOPE_OWNERS,
    ),
    EdgeContract(
        kind=E.HAS_BLOCK,
        description="Code unit -> each basic block of its bytecode.",
        src_kinds=(N.CODE_UNIT,),
        dst_kinds=(N.CFG_BLOCK,),
        required=(_p("ordinal", PropType.INT, "index of the block in the code unit"),),
    ),
    EdgeContract(
        kind=E.CFG_NEXT,
        description="Basic block -> the block control falls through to.",
        src_kinds=(N.CFG_BLOCK,),
        dst_kinds=(N.CFG_BLOCK,),
    ),
    EdgeContract(
        kind=E.CFG_JUMP,
        description="Basic block -> a block its final jump may go to.",
        src_kinds=(N.CFG_BLOCK,),
        dst_kinds=(N.CFG_BLOCK,),
    ),
    EdgeContract(
        kind=E.CFG_EXCEPTION,
        description="Protected basic block -> the handler block an exception goes to.",
        src_kinds=(N.CFG_BLOCK,),
        dst_kinds=(N.CFG_BLOCK,),
    ),
    EdgeContract(
        kind=E.HAS_COMMENT,
        description="Module -> each comment of its file.",
        src_kinds=(N.MODULE,),
        dst_kinds=(N.COMMENT,),
    ),
    EdgeContract(
        kind=E.HAS_DOCSTRING,
        description="Module, class or function -> its docstring.",
        src_kinds=(N.MODULE, N.CLASS, N.FUNCTION),
        dst_kinds=(N.DOCSTRING,),
    ),
    EdgeContract(
        kind=E.HAS_DIAGNOSTIC,
        description="File -> a problem recorded for it.",
        src_kinds=(N.FILE,),
        dst_kinds=(N.DIAGNOSTIC,),
    ),
)
