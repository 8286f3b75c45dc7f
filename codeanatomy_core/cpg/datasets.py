"""Specs of the CPG tables: nodes, edges, properties and their accelerators.

All six are filled by one build (the ``cpg`` step) and share its upstream: the datasets the
rules read, and the registry tables the rules, contracts and derivations are loaded from.
All six are scoped by their owning file and clustered by it (an incremental build replaces
the rows of the files it rebuilt, in one commit per table, rewriting only the small Parquet
files that hold them); the accelerators are ordered by endpoint within each file and carry
a bloom filter on it, so an endpoint lookup skips the row groups that cannot hold it.
"""

from __future__ import annotations

from codeanatomy_core.cpg.kinds import EdgeKind, EntityKind, NodeKind, PropType
from codeanatomy_core.specs import BloomFilterSpec, ContractSpec, DatasetSpec, DeltaWritePolicy, Domain
from codeanatomy_core.specs.model import UTF8_BYTES, FieldSpec
from codeanatomy_core.specs.types import (
    BOOL,
    FLOAT64,
    INT32,
    INT64,
    STRING,
    DataType,
    StructMember,
    StructOf,
    list_of,
)

NODES = "cpg_nodes"
EDGES = "cpg_edges"
PROPS = "cpg_props"
EDGES_BY_SRC = "cpg_edges_by_src"
EDGES_BY_DST = "cpg_edges_by_dst"
PROPS_MAP = "cpg_props_map"
# Small Parquet files: a per-file replace rewrites the files holding the replaced rows.
TARGET_FILE_SIZE = 512 * 1024


def _f(name: str, dtype: DataType, description: str, *, nullable: bool = True) -> FieldSpec:
    return FieldSpec(name=name, dtype=dtype, nullable=nullable, description=description)


NODE_KINDS = tuple(str(k) for k in NodeKind)
EDGE_KINDS = tuple(str(k) for k in EdgeKind)
ENTITY_KINDS = tuple(str(k) for k in EntityKind)
PROP_TYPES = tuple(str(t) for t in PropType)

NODE_FIELDS = (
    _f("node_id", INT64, "the node's id (see registry_cpg_kind_derivations for its recipe)", nullable=False),
    _f("kind", STRING, "node kind", nullable=False),
    _f(
        "file_id",
        INT64,
        "owning file (the file of the evidence); 0 for entities of no file (replaced per file)",
        nullable=False,
    ),
    _f("path", STRING, "repo-relative path of that file"),
    _f("bstart", INT64, "start byte offset in the file"),
    _f("bend", INT64, "end byte offset (exclusive)"),
    _f("start_line", INT32, "1-based start line"),
    _f("end_line", INT32, "1-based end line"),
    _f("name", STRING, "the node's own name"),
    _f("qualified_name", STRING, "dotted name from the module (or package) down"),
    _f("rule_name", STRING, "rule that produced the node", nullable=False),
)

EDGE_FIELDS = (
    _f("edge_id", INT64, "combine_ids('edge:' + kind, src, dst)", nullable=False),
    _f("kind", STRING, "edge kind", nullable=False),
    _f("src", INT64, "source node id", nullable=False),
    _f("dst", INT64, "destination node id", nullable=False),
    _f(
        "file_id",
        INT64,
        "owning file (the file of the evidence); 0 for entities of no file (replaced per file)",
        nullable=False,
    ),
    _f("rule_name", STRING, "rule whose candidate was kept", nullable=False),
    _f("origin", STRING, "evidence: syntax, symtable, bytecode, lexical, source, resolution", nullable=False),
    _f("resolution_method", STRING, "how the edge was resolved", nullable=False),
    _f("confidence", FLOAT64, "0..1", nullable=False),
    _f("score", FLOAT64, "ranking score of the candidate (defaults to the confidence)", nullable=False),
    _f("ambiguity_group", INT64, "candidates of one ambiguous resolution share it; null if unambiguous"),
)

PROP_VALUE = StructOf(
    members=(
        StructMember(name="key", dtype=STRING, nullable=False),
        StructMember(name="value_type", dtype=STRING, nullable=False),
        StructMember(name="value_string", dtype=STRING),
        StructMember(name="value_int", dtype=INT64),
        StructMember(name="value_float", dtype=FLOAT64),
        StructMember(name="value_bool", dtype=BOOL),
    )
)

PROP_FIELDS = (
    _f("prop_id", INT64, "combine_ids('prop:' + entity_kind + ':' + key, entity_id)", nullable=False),
    _f("file_id", INT64, "owning file of the entity", nullable=False),
    _f("entity_kind", STRING, "node or edge", nullable=False),
    _f("entity_id", INT64, "node_id or edge_id", nullable=False),
    _f("kind", STRING, "the entity's node or edge kind", nullable=False),
    _f("key", STRING, "property name", nullable=False),
    _f(
        "value_type",
        STRING,
        "string, int, float or bool: the value column that holds the value",
        nullable=False,
    ),
    _f("value_string", STRING, "value of a string property"),
    _f("value_int", INT64, "value of an int property"),
    _f("value_float", FLOAT64, "value of a float property"),
    _f("value_bool", BOOL, "value of a bool property"),
)


def _adjacency(
    name: str, first: str, second: str, description: str, upstream: tuple[str, ...]
) -> DatasetSpec:
    return DatasetSpec(
        name=name,
        domain=Domain.CPG,
        description=description,
        fields=(
            _f(first, INT64, f"{first} node id", nullable=False),
            _f("kind", STRING, "edge kind", nullable=False),
            _f(second, INT64, f"{second} node id", nullable=False),
            _f("edge_id", INT64, "the edge (cpg_edges)", nullable=False),
            _f("file_id", INT64, "owning file of the edge (replaced per file)", nullable=False),
            _f("confidence", FLOAT64, "0..1", nullable=False),
        ),
        key=("edge_id",),
        ordering=("file_id", first, "edge_id"),
        contract=ContractSpec(allowed_values={"kind": EDGE_KINDS}),
        upstream=upstream,
        file_id_column="file_id",
        write_policy=_policy(BloomFilterSpec(column=first)),
    )


def _policy(*blooms: BloomFilterSpec) -> DeltaWritePolicy:
    return DeltaWritePolicy(target_file_size=TARGET_FILE_SIZE, bloom_filters=blooms)


def cpg_specs(upstream: tuple[str, ...]) -> tuple[DatasetSpec, ...]:
    """The six CPG dataset specs, all built from ``upstream`` (sorted)."""
    upstream = tuple(sorted(set(upstream)))
    return (
        DatasetSpec(
            name=NODES,
            domain=Domain.CPG,
            description="Every node of the code property graph.",
            fields=NODE_FIELDS,
            key=("node_id",),
            ordering=("file_id", "node_id"),
            contract=ContractSpec(allowed_values={"kind": NODE_KINDS}),
            upstream=upstream,
            file_id_column="file_id",
            position_unit=UTF8_BYTES,
            write_policy=_policy(BloomFilterSpec(column="name")),
        ),
        DatasetSpec(
            name=EDGES,
            domain=Domain.CPG,
            description="Every edge of the code property graph (best candidate per kind, source "
            "and destination; ambiguous resolutions keep their candidates).",
            fields=EDGE_FIELDS,
            key=("edge_id",),
            ordering=("file_id", "edge_id"),
            contract=ContractSpec(allowed_values={"kind": EDGE_KINDS}),
            upstream=upstream,
            file_id_column="file_id",
            write_policy=_policy(),
        ),
        DatasetSpec(
            name=PROPS,
            domain=Domain.CPG,
            description="Every property of every node and edge, one typed value per row "
            "(ordered by file, then entity id).",
            fields=PROP_FIELDS,
            key=("prop_id",),
            ordering=("file_id", "entity_id", "prop_id"),
            file_id_column="file_id",
            contract=ContractSpec(allowed_values={"entity_kind": ENTITY_KINDS, "value_type": PROP_TYPES}),
            upstream=upstream,
            write_policy=_policy(),
        ),
        _adjacency(
            EDGES_BY_SRC, "src", "dst", "Edges by source node within each file (outgoing lookups).", upstream
        ),
        _adjacency(
            EDGES_BY_DST,
            "dst",
            "src",
            "Edges by destination node within each file (incoming lookups).",
            upstream,
        ),
        DatasetSpec(
            name=PROPS_MAP,
            domain=Domain.CPG,
            description="One row per node with all its properties as a list of structs.",
            fields=(
                _f("node_id", INT64, "the node (cpg_nodes)", nullable=False),
                _f("file_id", INT64, "owning file of the node", nullable=False),
                _f("kind", STRING, "node kind", nullable=False),
                # Items are never null; declared nullable because deltalake writes a list of
                # non-null structs four times slower (it checks each item).
                _f("props", list_of(PROP_VALUE), "the node's properties (no null items)", nullable=False),
            ),
            key=("node_id",),
            ordering=("file_id", "node_id"),
            contract=ContractSpec(allowed_values={"kind": NODE_KINDS}),
            upstream=upstream,
            file_id_column="file_id",
            write_policy=_policy(),
        ),
    )
