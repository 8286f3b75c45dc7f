"""Specs of the normalize tables: program entities keyed to files and byte spans.

Positions are byte offsets (``bstart``, ``bend``, end exclusive) in the file's UTF-8 text,
with 1-based lines. Ids are ``derive_ids(file_id, tag, ordinal)`` where the ordinal is the
entity's index in its file's facts (deterministic: the facts of a file depend only on it).
"""

from __future__ import annotations

from codeanatomy_core.extract.pyfacts import PY_FACTS
from codeanatomy_core.normalize.kinds import BIND_KINDS, CALL_KINDS, DEF_KINDS, REF_CONTEXTS, SCOPE_KINDS
from codeanatomy_core.specs import (
    BloomFilterSpec,
    ContractSpec,
    DatasetSpec,
    DeltaWritePolicy,
    Domain,
    FieldSpec,
)
from codeanatomy_core.specs.model import UTF8_BYTES
from codeanatomy_core.specs.templates import BYTE_SPAN, FILE_SCOPED
from codeanatomy_core.specs.types import BOOL, INT32, INT64, STRING, list_of

UPSTREAM = (PY_FACTS.name,)
LOOKUPS = ("local", "name", "enclosing", "global")


def file_id_field() -> FieldSpec:
    (field,) = FILE_SCOPED.apply()
    return field


def ordinal_field(entity: str) -> FieldSpec:
    return FieldSpec(
        name="ordinal", dtype=INT32, nullable=False, description=f"index of the {entity} in its file"
    )


def span_fields() -> tuple[FieldSpec, ...]:
    return (
        *BYTE_SPAN.apply(),
        FieldSpec(name="line", dtype=INT32, nullable=False, description="1-based start line"),
    )


def id_field(name: str, tag: str) -> FieldSpec:
    return FieldSpec(
        name=name, dtype=INT64, nullable=False, description=f"derive_ids(file_id, '{tag}', ordinal)"
    )


def _entity(
    name: str, description: str, key: str, fields: tuple[FieldSpec, ...], **extra: object
) -> DatasetSpec:
    return DatasetSpec(
        name=name,
        domain=Domain.NORMALIZE,
        description=description,
        fields=fields,
        key=(key,),
        ordering=("file_id", "ordinal"),
        upstream=UPSTREAM,
        file_id_column="file_id",
        position_unit=UTF8_BYTES,
        **extra,  # type: ignore[arg-type]
    )


SCOPES = _entity(
    "scopes",
    "Every scope: the module, classes, functions, lambdas and comprehensions, nested by parent.",
    "scope_id",
    (
        id_field("scope_id", "scope"),
        file_id_field(),
        ordinal_field("scope"),
        FieldSpec(name="kind", dtype=STRING, nullable=False),
        FieldSpec(
            name="name", dtype=STRING, nullable=False, description="<listcomp>/<lambdaN> for anonymous scopes"
        ),
        FieldSpec(name="qualified_name", dtype=STRING, nullable=False, description="pkg.mod.Class.method"),
        FieldSpec(name="parent_scope_id", dtype=INT64, description="null for the module scope"),
        FieldSpec(
            name="definition_id", dtype=INT64, description="the module/class/function/lambda opening it"
        ),
        *span_fields(),
    ),
    contract=ContractSpec(allowed_values={"kind": tuple(SCOPE_KINDS.values())}),
)

DEFINITIONS = _entity(
    "definitions",
    "Every definition: modules, classes, functions, lambdas, parameters, variables (one per "
    "scope and name) and instance attributes (self.x bindings, one per class and name).",
    "def_id",
    (
        id_field("def_id", "def"),
        file_id_field(),
        ordinal_field("definition"),
        FieldSpec(name="kind", dtype=STRING, nullable=False),
        FieldSpec(name="name", dtype=STRING, nullable=False),
        FieldSpec(
            name="qualified_name",
            dtype=STRING,
            nullable=False,
            description="dotted: pkg.mod.Class.method, pkg.mod.outer.inner, pkg.mod.<lambda1>",
        ),
        FieldSpec(name="scope_id", dtype=INT64, description="the scope it is defined in (null for a module)"),
        FieldSpec(name="own_scope_id", dtype=INT64, description="the scope it opens (classes, functions)"),
        FieldSpec(name="is_method", dtype=BOOL, nullable=False),
        FieldSpec(name="is_staticmethod", dtype=BOOL, nullable=False),
        FieldSpec(name="is_classmethod", dtype=BOOL, nullable=False),
        FieldSpec(name="is_property", dtype=BOOL, nullable=False),
        FieldSpec(name="is_generator", dtype=BOOL, nullable=False),
        *span_fields(),
    ),
    write_policy=DeltaWritePolicy(bloom_filters=(BloomFilterSpec(column="qualified_name"),)),
    contract=ContractSpec(allowed_values={"kind": tuple(DEF_KINDS.values())}),
)

NAME_REFS = _entity(
    "name_refs",
    "Every name reference (ast.Name): its context, scope and how Python looks it up.",
    "ref_id",
    (
        id_field("ref_id", "ref"),
        file_id_field(),
        ordinal_field("reference"),
        FieldSpec(name="name", dtype=STRING, nullable=False),
        FieldSpec(name="context", dtype=STRING, nullable=False, description="load, store or del"),
        FieldSpec(name="scope_id", dtype=INT64, nullable=False),
        FieldSpec(
            name="lookup",
            dtype=STRING,
            nullable=False,
            description="local (function local), name (module/class body: local, then global, then "
            "builtin), enclosing (closure), global",
        ),
        FieldSpec(name="binding_kind", dtype=STRING, description="stores: assign, import, for, with, ..."),
        FieldSpec(name="bound_def_id", dtype=INT64, description="stores/deletes: the definition bound"),
        *span_fields(),
        FieldSpec(name="col", dtype=INT32, nullable=False, description="0-based UTF-8 byte column"),
    ),
    write_policy=DeltaWritePolicy(
        bloom_filters=(BloomFilterSpec(column="name"),), max_row_group_size=256 * 1024
    ),
    contract=ContractSpec(
        allowed_values={
            "context": tuple(REF_CONTEXTS.values()),
            "lookup": LOOKUPS,
            "binding_kind": tuple(BIND_KINDS.values()),
        }
    ),
)

TARGET_KINDS = ("definition", "namespace", "external", "builtin", "unresolved")

IMPORTS = _entity(
    "imports",
    "Every imported name (one row per alias, one per star import), resolved to the repository "
    "module or definition it names, else to an external symbol named by its import path.",
    "import_id",
    (
        id_field("import_id", "import"),
        file_id_field(),
        ordinal_field("import"),
        FieldSpec(name="scope_id", dtype=INT64, nullable=False),
        FieldSpec(name="module", dtype=STRING, description="as written (null for 'from . import x')"),
        FieldSpec(name="name", dtype=STRING, description="the imported name; null for 'import a.b'"),
        FieldSpec(name="alias", dtype=STRING),
        FieldSpec(name="level", dtype=INT32, nullable=False, description="leading dots of a relative import"),
        FieldSpec(name="is_star", dtype=BOOL, nullable=False),
        FieldSpec(name="bound_name", dtype=STRING, description="the local name bound (null for star)"),
        FieldSpec(name="bound_def_id", dtype=INT64, description="the variable definition bound"),
        FieldSpec(name="absolute_module", dtype=STRING, description="the module, relative levels applied"),
        FieldSpec(name="target_kind", dtype=STRING, nullable=False),
        FieldSpec(name="target_def_id", dtype=INT64, description="repository module or definition"),
        FieldSpec(name="target_name", dtype=STRING, description="qualified name or external import path"),
        FieldSpec(name="target_count", dtype=INT32, nullable=False, description="candidates (>1: ambiguous)"),
        *span_fields(),
    ),
    contract=ContractSpec(allowed_values={"target_kind": TARGET_KINDS}),
)

CALLSITES = _entity(
    "callsites",
    "Every call site: explicit calls, decorator applications, and the dunder calls the syntax "
    "implies (with, for, operators, subscripts, raise), with the callee as an access path.",
    "callsite_id",
    (
        id_field("callsite_id", "call"),
        file_id_field(),
        ordinal_field("call site"),
        FieldSpec(name="call_kind", dtype=STRING, nullable=False),
        FieldSpec(
            name="callee_path", dtype=STRING, nullable=False, description="self.helper, mod.func, Cls().m"
        ),
        FieldSpec(name="callee_root", dtype=STRING, nullable=False, description="first segment of the path"),
        FieldSpec(name="dunder", dtype=STRING, description="implicit calls: the special method"),
        FieldSpec(name="arg_count", dtype=INT32, nullable=False, description="positional arguments"),
        FieldSpec(name="keywords", dtype=list_of(STRING), nullable=False, description="keyword names"),
        FieldSpec(name="has_star_args", dtype=BOOL, nullable=False),
        FieldSpec(name="has_star_kwargs", dtype=BOOL, nullable=False),
        FieldSpec(name="scope_id", dtype=INT64, nullable=False),
        FieldSpec(
            name="caller_def_id", dtype=INT64, nullable=False, description="enclosing function/class/module"
        ),
        *span_fields(),
    ),
    write_policy=DeltaWritePolicy(bloom_filters=(BloomFilterSpec(column="callee_path"),)),
    contract=ContractSpec(allowed_values={"call_kind": tuple(CALL_KINDS.values())}),
)

CLASS_BASES = _entity(
    "class_bases",
    "Every base (and keyword such as metaclass=) of every class, resolved statically.",
    "base_id",
    (
        id_field("base_id", "base"),
        file_id_field(),
        ordinal_field("base"),
        FieldSpec(name="class_def_id", dtype=INT64, nullable=False),
        FieldSpec(name="position", dtype=INT32, nullable=False),
        FieldSpec(name="keyword", dtype=STRING, description="metaclass and other class keywords"),
        FieldSpec(name="base_path", dtype=STRING, nullable=False),
        FieldSpec(name="target_kind", dtype=STRING, nullable=False),
        FieldSpec(name="target_def_id", dtype=INT64),
        FieldSpec(name="target_name", dtype=STRING),
        FieldSpec(name="bstart", dtype=INT64, nullable=False),
        FieldSpec(name="bend", dtype=INT64, nullable=False),
    ),
    contract=ContractSpec(allowed_values={"target_kind": TARGET_KINDS}),
)

DECORATORS = _entity(
    "decorators",
    "Every decorator of every function and class, with the call site applying it.",
    "decorator_id",
    (
        id_field("decorator_id", "decorator"),
        file_id_field(),
        ordinal_field("decorator"),
        FieldSpec(name="def_id", dtype=INT64, nullable=False, description="the decorated definition"),
        FieldSpec(
            name="position", dtype=INT32, nullable=False, description="0: the outermost (applied last)"
        ),
        FieldSpec(name="path", dtype=STRING, nullable=False),
        FieldSpec(name="callsite_id", dtype=INT64, nullable=False, description="the decorator application"),
        FieldSpec(name="bstart", dtype=INT64, nullable=False),
        FieldSpec(name="bend", dtype=INT64, nullable=False),
    ),
)

ENTITY_DATASETS = (SCOPES, DEFINITIONS, NAME_REFS, IMPORTS, CALLSITES, CLASS_BASES, DECORATORS)
