"""The contract of every declared node kind."""

from __future__ import annotations

from codeanatomy_core.cpg.contracts import NodeContract, PropSpec
from codeanatomy_core.cpg.kinds import NodeKind, PropType

N = NodeKind


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
        kind=N.VARIABLE,
        description="A variable (one per scope and name) or an instance attribute (one per class and "
        "name, from self.x bindings), spanning its first binding.",
        requires_span=True,
        required=(_p("def_kind", PropType.STRING, "variable or attribute"),),
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
        description="A call site: a call expression (its ast.Call node), or a call without one "
        "(implicit dunder call, decorator application, raised class; its callsite id).",
        requires_span=True,
        optional=(
            _p("callee_text", PropType.STRING, "the callee expression's name, or the access path"),
            _p("call_kind", PropType.STRING, "implicit, decorator or raise (calls without a Call node)"),
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
        kind=N.EXTERNAL_SYMBOL,
        description="A module, name or builtin outside the repository, named by its import path "
        "(builtins as <builtin>.name); belongs to no file.",
        required=(_p("symbol_kind", PropType.STRING, "external or builtin"),),
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
