"""Rules synthesized from contracts: a dataset spec that declares its rule intent gets its rule.

The intent is field metadata (so it is spec data: it enters the Arrow schema metadata and
the dataset's signature). On the field holding the entity id::

    FieldSpec(name="comment_id", ..., metadata={INTENT_KEY: "nodes:COMMENT"})

declares that each row is a node of kind ``COMMENT`` (``edges:<KIND>`` on the source-id
field declares edges, with the destination field marked ``column=dst``). Other fields
take part with ``{COLUMN_KEY: "<output column or property>"}`` (several, comma-separated,
when one field fills more than one column, e.g. a line that is both start and end); the spec's
``file_id_column`` becomes the rows' ``file_id``. No hand wiring: every dataset of the
catalog is read, and the rule is named ``<dataset>_<kind>`` (lower case) in bundle
``contracts``.
"""

from __future__ import annotations

from collections.abc import Iterable

from codeanatomy_core.relspec.errors import RuleError
from codeanatomy_core.relspec.model import (
    ConfidencePolicy,
    DatasetRef,
    Projection,
    RelationalBody,
    RuleDefinition,
    RuleDomain,
    RuleOutput,
)
from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.specs.rule_intent import COLUMN_KEY, INTENT_KEY

__all__ = ["COLUMN_KEY", "INTENT_KEY", "synthesize_rule", "synthesize_rules"]

SYNTHESIZED_BUNDLE = "contracts"
ALIAS = "t"

_TARGETS = {"nodes": ("cpg_nodes", "node_id"), "edges": ("cpg_edges", "src")}


def declares_intent(spec: DatasetSpec) -> bool:
    return any(INTENT_KEY in f.metadata for f in spec.fields)


def synthesize_rule(spec: DatasetSpec) -> RuleDefinition:
    """The rule ``spec``'s intent metadata declares (RuleError naming the dataset if malformed)."""
    intents = [(f.name, f.metadata[INTENT_KEY]) for f in spec.fields if INTENT_KEY in f.metadata]
    if len(intents) != 1:
        raise RuleError(
            f"dataset {spec.name!r}: exactly one field may declare a rule intent, found {intents}"
        )
    id_field, intent = intents[0]
    target, _, kind = intent.partition(":")
    if target not in _TARGETS or not kind:
        raise RuleError(
            f"dataset {spec.name!r}: rule intent {intent!r} is not 'nodes:<KIND>' or 'edges:<KIND>'"
        )
    dataset, id_column = _TARGETS[target]
    columns = {id_column: f"{ALIAS}.{id_field}"}
    if spec.file_id_column is not None:
        columns["file_id"] = f"{ALIAS}.{spec.file_id_column}"
    for spec_field in spec.fields:
        declared = spec_field.metadata.get(COLUMN_KEY)
        if declared is None:
            continue
        for column in (c.strip() for c in declared.split(",")):
            if not column:
                raise RuleError(f"dataset {spec.name!r}: field {spec_field.name!r} declares an empty column")
            if column in columns and columns[column] != f"{ALIAS}.{spec_field.name}":
                raise RuleError(f"dataset {spec.name!r}: output column {column!r} is declared by two fields")
            columns[column] = f"{ALIAS}.{spec_field.name}"
    body = RelationalBody(
        source=DatasetRef(alias=ALIAS, dataset=spec.name),
        projection=tuple(Projection(column=c, expr=e) for c, e in columns.items()),
    )
    templates = ("structural_edge",) if target == "edges" else ()
    return RuleDefinition(
        name=f"{spec.name}_{kind.lower()}",
        domain=RuleDomain.CPG,
        inputs=(spec.name,),
        output=RuleOutput(dataset=dataset, kind=kind),
        body=body,
        confidence=ConfidencePolicy(origin=str(spec.domain)),
        templates=templates,
        description=f"Synthesized from the rule intent of dataset {spec.name!r}.",
    )


def synthesize_rules(specs: Iterable[DatasetSpec]) -> tuple[RuleDefinition, ...]:
    """The rules of every dataset that declares an intent, sorted by rule name."""
    rules = [synthesize_rule(spec) for spec in specs if declares_intent(spec)]
    return tuple(sorted(rules, key=lambda r: r.name))
