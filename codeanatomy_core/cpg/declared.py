"""The contract of every declared node and edge kind (the built-in kind registry)."""

from __future__ import annotations

from codeanatomy_core.cpg.contracts import EdgeContract, KindRegistry, NodeContract, PropSpec
from codeanatomy_core.cpg.kinds import EdgeKind, NodeKind, PropType

N = NodeKind
E = EdgeKind


def _p(name: str, type_: PropType, description: str) -> PropSpec:
    return PropSpec(name=name, type=type_, description=description)


AST_TYPE = _p("ast_type", PropType.STRING, "ast node class name")
DEFINITIONS = (N.MODULE, N.CLASS, N.FUNCTION, N.LAMBDA)
SYNTAX = (
    N.MODULE,
    N.CLASS,
    N.FUNCTION,
    N.LAMBDA,
    N.PARAMETER,
    N.IMPORT,
    N.NAME_REF,
    N.ATTRIBUTE_REF,
    N.CALL,
    N.AST_NODE,
)

SCOPE_OWNERS = (N.MODULE, N.CLASS, N.FUNCTION, N.LAMBDA, N.AST_NODE)

NODE_CONTRACTS: tuple[NodeContract, ...] = (
    NodeContract(
        kind=N.FILE,
        description="A Python file of the repository.",
        required=(
            _p("content_sha256", PropType.STRING, "sha256 of the file's bytes"),
            _p("decode_status", PropType.STRING, "ok, binary, bad_encoding_declaration, decode_error"),
        ),
        optional=(_p("line_count", PropType.INT, "number of lines"), _p("encoding", PropType.STRING, "")),
    ),
    NodeContract(
        kind=N.MODULE,
        description="The module a file defines (its Module syntax node when it parses).",
        required=(_p("is_package", PropType.BOOL, "an __init__ module"),),
    ),
    NodeContract(
        kind=N.PACKAGE,
        description="A package: a folder with an __init__.py (named by its dotted module name).",
    ),
    NodeContract(
        kind=N.CLASS,
        description="A class statement.",
        requires_span=True,
        optional=(_p("decorator_count", PropType.INT, "number of decorators"),),
    ),
    NodeContract(
        kind=N.FUNCTION,
        description="A def or async def statement.",
        requires_span=True,
        required=(_p("is_async", PropType.BOOL, "an async def"),),
        optional=(_p("decorator_count", PropType.INT, "number of decorators"),),
    ),
    NodeContract(kind=N.LAMBDA, description="A lambda expression.", requires_span=True),
    NodeContract(
        kind=N.PARAMETER,
        description="A parameter of a function or lambda (an ast.arg).",
        requires_span=True,
        required=(_p("param_kind", PropType.STRING, "posonly, positional, vararg, kwonly, kwarg"),),
    ),
    NodeContract(
        kind=N.IMPORT,
        description="One imported name of an import statement (an ast.alias).",
        requires_span=True,
        required=(
            _p("imported", PropType.STRING, "the dotted name imported (module.name for from-imports)"),
        ),
        optional=(
            _p("asname", PropType.STRING, "the local alias, if any"),
            _p("level", PropType.INT, "relative import level (from-imports)"),
        ),
    ),
    NodeContract(
        kind=N.NAME_REF,
        description="A name used in an expression (an ast.Name), loaded, stored or deleted.",
        requires_span=True,
        required=(_p("ctx", PropType.STRING, "load, store or del"),),
    ),
    NodeContract(
        kind=N.ATTRIBUTE_REF,
        description="An attribute access (an ast.Attribute).",
        requires_span=True,
        required=(_p("ctx", PropType.STRING, "load, store or del"),),
    ),
    NodeContract(
        kind=N.CALL,
        description="A call expression (an ast.Call).",
        requires_span=True,
        optional=(
            _p("callee_text", PropType.STRING, "the callee expression's name, if a name or attribute"),
        ),
    ),
    NodeContract(
        kind=N.AST_NODE,
        description="Any other syntax node (statements, expressions, helpers), except the "
        "expression-context and operator singletons.",
        requires_span=False,
        required=(AST_TYPE,),
    ),
    NodeContract(
        kind=N.SCOPE,
        description="A symbol table (scope) of the interpreter's symtable: module, class, function, "
        "lambda or comprehension.",
        required=(_p("scope_type", PropType.STRING, "module, class or function (symtable's type)"),),
        optional=(_p("symbol_count", PropType.INT, "number of symbols"),),
    ),
    NodeContract(
        kind=N.SYMBOL,
        description="A name of a scope's symbol table, with the interpreter's flags.",
        required=(
            _p("scope_kind", PropType.STRING, "local, global_explicit, global_implicit, free or cell"),
            _p("flags", PropType.INT, "raw symtable flag word (parameter, imported, assigned, ... bits)"),
        ),
    ),
    NodeContract(
        kind=N.CODE_UNIT,
        description="A code object the compiler builds (module, class body, function, lambda, "
        "comprehension).",
        required=(_p("instruction_count", PropType.INT, "bytecode instructions, inline caches excluded"),),
        optional=(
            _p("argcount", PropType.INT, "co_argcount"),
            _p("flags", PropType.INT, "co_flags"),
        ),
    ),
    NodeContract(
        kind=N.CFG_BLOCK,
        description="A basic block of a code unit's bytecode.",
        required=(
            _p("start_offset", PropType.INT, "offset of its first instruction"),
            _p("end_offset", PropType.INT, "end offset (exclusive)"),
        ),
    ),
    NodeContract(
        kind=N.COMMENT,
        description="A comment ('#' to the end of the line).",
        requires_span=True,
        required=(_p("text", PropType.STRING, "the comment, '#' included"),),
    ),
    NodeContract(
        kind=N.DOCSTRING,
        description="The docstring of a module, class or function.",
        requires_span=True,
        required=(_p("text", PropType.STRING, "the cleaned docstring"),),
    ),
    NodeContract(
        kind=N.DIAGNOSTIC,
        description="A problem met reading, decoding, parsing or analysing a file (extract_errors).",
        required=(
            _p("stage", PropType.STRING, "the extraction stage that failed"),
            _p("error_kind", PropType.STRING, "the kind of error"),
            _p("message", PropType.STRING, "the error message"),
        ),
    ),
)

EDGE_CONTRACTS: tuple[EdgeContract, ...] = (
    EdgeContract(
        kind=E.CONTAINS,
        description="Structural nesting: package -> subpackage/module, file -> module, "
        "module/class/function -> the classes and functions defined directly in it.",
        src_kinds=(N.PACKAGE, N.FILE, N.MODULE, N.CLASS, N.FUNCTION, N.LAMBDA),
        dst_kinds=(N.PACKAGE, N.MODULE, N.CLASS, N.FUNCTION),
    ),
    EdgeContract(
        kind=E.AST_CHILD,
        description="Syntax-tree parent -> child, with the parent's field holding the child.",
        src_kinds=SYNTAX,
        dst_kinds=SYNTAX,
        required=(_p("field_name", PropType.STRING, "field of the parent holding the child"),),
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


def builtin_kinds() -> KindRegistry:
    return KindRegistry(nodes=NODE_CONTRACTS, edges=EDGE_CONTRACTS)
