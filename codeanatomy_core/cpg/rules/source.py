"""Files, modules and packages (source_files), and diagnostics (extract_errors).

Ids: a FILE is its ``file_id``; a MODULE is ``derive_id(file_id, 'ast', 0)`` (the id of the
file's Module syntax node, so it is the same node whether or not the file parsed); a PACKAGE
is ``derive_id(file_id of its __init__, 'package', 0)``; a DIAGNOSTIC is its ``error_id``.
"""

from __future__ import annotations

from codeanatomy_core.cpg.kinds import EdgeKind, NodeKind
from codeanatomy_core.cpg.rules.builders import edge_rule, join, node_rule, ref
from codeanatomy_core.relspec.bundles import RuleBundle
from codeanatomy_core.relspec.model import JoinType, RuleDefinition

SOURCE = RuleBundle("cpg_source", description="Files, modules and packages of the repository.")
DIAGNOSTICS = RuleBundle("cpg_diagnostics", description="Problems recorded while extracting files.")

FILES = ref("f", "source_files")
MODULE_ID = "derive_id({f}.file_id, 'ast', 0)"
PACKAGE_ID = "derive_id({f}.file_id, 'package', 0)"
LAST_SEGMENT = r"regexp_replace({f}.module_name, '^.*\.', '')"
PARENT_MODULE = r"regexp_replace({f}.module_name, '\.[^.]*$', '')"
HAS_PARENT = "strpos({f}.module_name, '.') > 0"


def _in(alias: str, text: str) -> str:
    return text.format(f=alias)


@SOURCE.rule
def file_nodes() -> RuleDefinition:
    return node_rule(
        name="file_nodes",
        kind=NodeKind.FILE,
        source=FILES,
        origin="source",
        columns={
            "node_id": "f.file_id",
            "file_id": "f.file_id",
            "name": "regexp_replace(f.path, '^.*/', '')",
            "qualified_name": "f.path",
            "content_sha256": "f.content_sha256",
            "decode_status": "f.decode_status",
            "line_count": "f.line_count",
            "encoding": "f.encoding",
        },
        description="One FILE node per scanned Python file.",
    )


@SOURCE.rule
def module_nodes() -> RuleDefinition:
    return node_rule(
        name="module_nodes",
        kind=NodeKind.MODULE,
        source=FILES,
        joins=[join("m", "ast_nodes", {"file_id": "f.file_id", "ordinal": "0"}, how=JoinType.LEFT)],
        origin="source",
        columns={
            "node_id": _in("f", MODULE_ID),
            "file_id": "f.file_id",
            "bstart": "m.bstart",
            "bend": "m.bend",
            "start_line": "m.start_line",
            "end_line": "m.end_line",
            "name": _in("f", LAST_SEGMENT),
            "qualified_name": "f.module_name",
            "is_package": "f.is_package",
        },
        description="One MODULE node per file (spanning the file when it parsed).",
    )


@SOURCE.rule
def package_nodes() -> RuleDefinition:
    return node_rule(
        name="package_nodes",
        kind=NodeKind.PACKAGE,
        source=FILES,
        filters=["f.is_package"],
        origin="source",
        columns={
            "node_id": _in("f", PACKAGE_ID),
            "file_id": "f.file_id",
            "name": _in("f", LAST_SEGMENT),
            "qualified_name": "f.module_name",
        },
        description="One PACKAGE node per __init__.py.",
    )


@SOURCE.rule
def file_contains_module() -> RuleDefinition:
    return edge_rule(
        name="file_contains_module",
        kind=EdgeKind.CONTAINS,
        source=FILES,
        origin="source",
        columns={"src": "f.file_id", "dst": _in("f", MODULE_ID), "file_id": "f.file_id"},
        description="FILE -> the MODULE it defines.",
    )


@SOURCE.rule
def package_contains_init() -> RuleDefinition:
    return edge_rule(
        name="package_contains_init",
        kind=EdgeKind.CONTAINS,
        source=FILES,
        filters=["f.is_package"],
        origin="source",
        columns={"src": _in("f", PACKAGE_ID), "dst": _in("f", MODULE_ID), "file_id": "f.file_id"},
        description="PACKAGE -> its __init__ MODULE.",
    )


@SOURCE.rule
def package_contains_module() -> RuleDefinition:
    return edge_rule(
        name="package_contains_module",
        kind=EdgeKind.CONTAINS,
        source=FILES,
        joins=[join("p", "source_files", {"module_name": _in("f", PARENT_MODULE)})],
        filters=[_in("f", HAS_PARENT), "p.is_package"],
        origin="source",
        columns={
            "src": _in("p", PACKAGE_ID),
            "dst": f"CASE WHEN f.is_package THEN {_in('f', PACKAGE_ID)} ELSE {_in('f', MODULE_ID)} END",
            "file_id": "f.file_id",
        },
        description="PACKAGE -> each module and subpackage whose dotted parent it is.",
    )


@DIAGNOSTICS.rule
def diagnostic_nodes() -> RuleDefinition:
    return node_rule(
        name="diagnostic_nodes",
        kind=NodeKind.DIAGNOSTIC,
        source=ref("e", "extract_errors"),
        origin="source",
        columns={
            "node_id": "e.error_id",
            "file_id": "e.file_id",
            "start_line": "e.line",
            "end_line": "e.line",
            "name": "e.error_kind",
            "qualified_name": "e.path",
            "stage": "e.stage",
            "error_kind": "e.error_kind",
            "message": "e.message",
        },
        description="One DIAGNOSTIC node per extract_errors row.",
    )


@DIAGNOSTICS.rule
def file_has_diagnostic() -> RuleDefinition:
    return edge_rule(
        name="file_has_diagnostic",
        kind=EdgeKind.HAS_DIAGNOSTIC,
        source=ref("e", "extract_errors"),
        joins=[join("f", "source_files", {"file_id": "e.file_id"})],
        origin="source",
        columns={"src": "f.file_id", "dst": "e.error_id", "file_id": "e.file_id"},
        description="FILE -> each diagnostic of a scanned file (paths never scanned have no FILE).",
    )


@DIAGNOSTICS.rule
def resolution_diagnostic_nodes() -> RuleDefinition:
    return node_rule(
        name="resolution_diagnostic_nodes",
        kind=NodeKind.DIAGNOSTIC,
        source=ref("d", "normalize_diagnostics"),
        origin="resolution",
        columns={
            "node_id": "d.diagnostic_id",
            "file_id": "coalesce(d.file_id, 0)",
            "name": "d.kind",
            "qualified_name": "d.path",
            "stage": "'normalize'",
            "error_kind": "d.kind",
            "message": "d.message",
        },
        description="One DIAGNOSTIC node per normalize diagnostic (of no file when program-wide).",
    )


@DIAGNOSTICS.rule
def file_has_resolution_diagnostic() -> RuleDefinition:
    return edge_rule(
        name="file_has_resolution_diagnostic",
        kind=EdgeKind.HAS_DIAGNOSTIC,
        source=ref("d", "normalize_diagnostics"),
        joins=[join("f", "source_files", {"file_id": "d.file_id"})],
        origin="resolution",
        columns={"src": "f.file_id", "dst": "d.diagnostic_id", "file_id": "d.file_id"},
        description="FILE -> each normalize diagnostic about it.",
    )
