"""Specs of the resolution candidate tables and of the normalize diagnostics.

A reference or call site may have several candidate targets: each is a row with the
method that found it, a confidence, and an ambiguity group (the reference or call site)
whose rows are the alternatives; ``candidate_count`` is the size of the group.
"""

from __future__ import annotations

from codeanatomy_core.normalize.datasets import TARGET_KINDS, UPSTREAM, file_id_field
from codeanatomy_core.normalize.kinds import DiagnosticKind, ResolutionMethod, StateKind
from codeanatomy_core.specs import ContractSpec, DatasetSpec, DeltaWritePolicy, Domain, FieldSpec
from codeanatomy_core.specs.model import UTF8_BYTES
from codeanatomy_core.specs.types import BINARY, FLOAT64, INT32, INT64, STRING

METHODS = tuple(m.value for m in ResolutionMethod)
# The meaning of the flow fixpoint's results (its bounds, what an external call gives, ...):
# bumped when they change, so stored call targets and flow diagnostics become stale.
# 4: solved per import cycle; 5: parameter summaries across cycles; 6: **mapping arguments by
# name, generator __iter__ loops, list concatenation, builtins' special methods.
FLOW_LOGIC_VERSION = 6


def _candidate_fields(owner: str, owner_tag: str) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec(name="target_kind", dtype=STRING, nullable=False),
        FieldSpec(name="target_def_id", dtype=INT64, description="the repository definition (modules too)"),
        FieldSpec(
            name="target_name",
            dtype=STRING,
            nullable=False,
            description="qualified name; external symbols by import path; builtins as <builtin>.name",
        ),
        FieldSpec(name="method", dtype=STRING, nullable=False, description="how the candidate was found"),
        FieldSpec(name="confidence", dtype=FLOAT64, nullable=False, description="in (0, 1]"),
        FieldSpec(
            name="ambiguity_group",
            dtype=INT64,
            nullable=False,
            description=f"the {owner} ({owner_tag}): alternatives",
        ),
        FieldSpec(name="candidate_count", dtype=INT32, nullable=False),
    )


REF_BINDINGS = DatasetSpec(
    name="ref_bindings",
    domain=Domain.NORMALIZE,
    description="Name reference -> definition candidates by Python's scoping rules (LEGB, class "
    "bodies, global/nonlocal, comprehensions), the bindings that reach the reference, and "
    "imports followed through aliases, re-exports and star imports.",
    fields=(
        FieldSpec(
            name="ref_binding_id",
            dtype=INT64,
            nullable=False,
            description="mix(ref_id, target_def_id or name id)",
        ),
        file_id_field(),
        FieldSpec(name="ref_id", dtype=INT64, nullable=False),
        FieldSpec(name="ref_ordinal", dtype=INT32, nullable=False),
        *_candidate_fields("reference", "ref_id"),
    ),
    key=("ref_binding_id",),
    ordering=("file_id", "ref_ordinal", "target_name"),
    upstream=UPSTREAM,
    file_id_column="file_id",
    position_unit=UTF8_BYTES,
    contract=ContractSpec(allowed_values={"target_kind": TARGET_KINDS, "method": METHODS}),
    write_policy=DeltaWritePolicy(max_row_group_size=256 * 1024),
)

CALL_TARGETS = DatasetSpec(
    name="call_targets",
    domain=Domain.NORMALIZE,
    logic_version=FLOW_LOGIC_VERSION,
    description="Call site -> callee candidates from the inter-procedural flow fixpoint: direct "
    "names, imports, methods via self/cls and the MRO, super(), instantiation (__init__/__new__), "
    "decorators, values passed/assigned/returned, builtin callbacks and implicit dunder calls.",
    fields=(
        FieldSpec(
            name="call_target_id",
            dtype=INT64,
            nullable=False,
            description="mix(callsite_id, target_def_id or name id)",
        ),
        file_id_field(),
        FieldSpec(name="callsite_id", dtype=INT64, nullable=False),
        FieldSpec(name="callsite_ordinal", dtype=INT32, nullable=False),
        FieldSpec(name="caller_def_id", dtype=INT64, nullable=False),
        *_candidate_fields("call site", "callsite_id"),
    ),
    key=("call_target_id",),
    ordering=("file_id", "callsite_ordinal", "target_name"),
    upstream=UPSTREAM,
    file_id_column="file_id",
    contract=ContractSpec(allowed_values={"target_kind": TARGET_KINDS, "method": METHODS}),
)

NORMALIZE_DIAGNOSTICS = DatasetSpec(
    name="normalize_diagnostics",
    domain=Domain.NORMALIZE,
    logic_version=FLOW_LOGIC_VERSION,
    description="What resolution could not do fully: the fixpoint bound, widened and saturated "
    "variables (per component of the flow, named by its first file), facts of another version "
    "(per file). Empty when everything resolved within bounds.",
    fields=(
        FieldSpec(name="diagnostic_id", dtype=INT64, nullable=False, description="stable_id(kind, path)"),
        FieldSpec(name="kind", dtype=STRING, nullable=False),
        file_id_field(),
        FieldSpec(name="path", dtype=STRING, nullable=False),
        FieldSpec(name="message", dtype=STRING, nullable=False),
        FieldSpec(name="count", dtype=INT64, nullable=False),
    ),
    key=("diagnostic_id",),
    ordering=("kind", "path"),
    upstream=UPSTREAM,
    file_id_column="file_id",
    contract=ContractSpec(allowed_values={"kind": tuple(k.value for k in DiagnosticKind)}),
)

FLOW_STATES = DatasetSpec(
    name="flow_states",
    domain=Domain.NORMALIZE,
    logic_version=FLOW_LOGIC_VERSION,
    description="What each file's part of the flow gives the modules importing it (namespaces, "
    "fields of its objects, returns of its functions, summaries of its parameters, the modules "
    "whose call sites it fed), kept with FLOW=modules so that an edit "
    "restores the edited modules' dependencies instead of solving them again. Empty with "
    "FLOW=program.",
    fields=(
        FieldSpec(name="state_id", dtype=INT64, nullable=False, description="id of (file_id, ordinal)"),
        file_id_field(),
        FieldSpec(name="ordinal", dtype=INT32, nullable=False, description="order of the file's variables"),
        FieldSpec(
            name="kind",
            dtype=STRING,
            nullable=False,
            description="namespace, field, return, yield, summary or feeds",
        ),
        FieldSpec(name="variable", dtype=BINARY, nullable=False, description="msgpack: the variable's key"),
        FieldSpec(name="values", dtype=BINARY, nullable=False, description="msgpack: its values' keys"),
    ),
    key=("state_id",),
    ordering=("file_id", "ordinal"),
    upstream=UPSTREAM,
    file_id_column="file_id",
    contract=ContractSpec(allowed_values={"kind": tuple(k.value for k in StateKind)}),
)

RESOLUTION_DATASETS = (REF_BINDINGS, CALL_TARGETS, NORMALIZE_DIAGNOSTICS, FLOW_STATES)
