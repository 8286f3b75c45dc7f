"""Comments and docstrings (comments, docstrings).

A COMMENT is its ``comment_id``, a DOCSTRING its ``docstring_id``. COMMENT nodes are not
written here: the ``comments`` spec declares them (a rule synthesized from its contract).
A file's comments hang off its MODULE (``derive_id(file_id, 'ast', 0)``); a docstring off
its owner's syntax node.
"""

from __future__ import annotations

from codeanatomy_core.cpg.kinds import EdgeKind, NodeKind
from codeanatomy_core.cpg.rules.builders import edge_rule, node_rule, ref
from codeanatomy_core.relspec.bundles import RuleBundle
from codeanatomy_core.relspec.model import RuleDefinition

LEXICAL = RuleBundle("cpg_lexical", description="Comments and docstrings.")


@LEXICAL.rule
def docstring_nodes() -> RuleDefinition:
    return node_rule(
        name="docstring_nodes",
        kind=NodeKind.DOCSTRING,
        source=ref("d", "docstrings"),
        origin="lexical",
        columns={
            "node_id": "d.docstring_id",
            "file_id": "d.file_id",
            "bstart": "d.bstart",
            "bend": "d.bend",
            "start_line": "d.start_line",
            "end_line": "d.end_line",
            "name": "d.owner_name",
            "text": "d.text",
        },
        description="One DOCSTRING node per module, class or function docstring.",
    )


@LEXICAL.rule
def has_comment_edges() -> RuleDefinition:
    return edge_rule(
        name="has_comment_edges",
        kind=EdgeKind.HAS_COMMENT,
        source=ref("c", "comments"),
        origin="lexical",
        columns={"src": "derive_id(c.file_id, 'ast', 0)", "dst": "c.comment_id", "file_id": "c.file_id"},
        description="MODULE -> each comment of its file.",
    )


@LEXICAL.rule
def has_docstring_edges() -> RuleDefinition:
    return edge_rule(
        name="has_docstring_edges",
        kind=EdgeKind.HAS_DOCSTRING,
        source=ref("d", "docstrings"),
        origin="lexical",
        columns={"src": "d.owner_node_id", "dst": "d.docstring_id", "file_id": "d.file_id"},
        description="MODULE, CLASS or FUNCTION -> its docstring.",
    )
