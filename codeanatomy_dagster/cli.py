"""The ``codeanatomy`` command.

Query-side commands use only ``codeanatomy_core`` (they start fast); ``materialize``
imports Dagster and runs the asset graph in process on the instance of DAGSTER_HOME.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from codeanatomy_core.errors import CodeAnatomyError, QueryError
from codeanatomy_core.query.render import render_rows, render_table
from codeanatomy_core.query.status import warehouse_status
from codeanatomy_core.source.config import DEFAULT_FLOW, FlowGranularity
from codeanatomy_core.storage.location import Warehouse

DEFAULT_WAREHOUSE = ".codeanatomy/warehouse"


def _materialize(args: argparse.Namespace) -> int:
    from codeanatomy_dagster.materialize import materialize_all

    return materialize_all(
        repo=args.repo,
        warehouse=args.warehouse,
        force=args.force,
        workers=args.workers,
        select=args.select,
        flow=FlowGranularity(args.flow),
    )


def _status(args: argparse.Namespace) -> int:
    from codeanatomy_core.pipeline.registry import default_steps

    steps = default_steps()
    rows = [
        (
            s.domain,
            s.dataset,
            "-" if s.rows is None else s.rows,
            "-" if s.version is None else s.version,
            s.signature[:16],
            "current" if s.current else ("missing" if not s.exists else "stale"),
        )
        for s in warehouse_status(
            steps.catalog, warehouse=Warehouse.at(args.warehouse), signatures=steps.signatures()
        )
    ]
    header = ("domain", "dataset", "rows", "delta_version", "signature", "state")
    sys.stdout.write(render_rows(header, rows, fmt=args.format))
    return 0


def _read_id_sets(specs: Sequence[str]) -> dict[str, list[int]]:
    """``NAME=FILE`` (``-``: stdin) -> the whitespace-separated integer ids in FILE."""
    out: dict[str, list[int]] = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or not name:
            raise QueryError(f"--ids {spec!r}: expected NAME=FILE")
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
            out[name] = [int(token) for token in text.split()]
        except (OSError, ValueError) as err:
            raise QueryError(f"--ids {spec!r}: cannot read integer ids from {path!r}: {err}") from err
    return out


def _query(args: argparse.Namespace) -> int:
    from codeanatomy_core.query.api import explain_sql, sql, tables

    if args.sql is None:
        sys.stdout.write(render_table(tables(warehouse=args.warehouse), fmt=args.format))
        return 0
    text = sys.stdin.read() if args.sql == "-" else args.sql
    id_sets = _read_id_sets(args.ids)
    if args.explain:
        plan = explain_sql(text, warehouse=args.warehouse, id_sets=id_sets)
        for title, body in (("logical plan", plan.logical), ("optimized plan", plan.optimized)):
            sys.stdout.write(f"== {title}\n{body.rstrip()}\n\n")
        sys.stdout.write(f"== physical plan\n{plan.physical.rstrip()}\n\nfingerprint {plan.fingerprint}\n")
        return 0
    result = sql(text, warehouse=args.warehouse, id_sets=id_sets, limit=args.limit)
    width = args.max_width if args.max_width > 0 else None
    sys.stdout.write(render_table(result, fmt=args.format, max_width=width))
    return 0


def _callgraph(args: argparse.Namespace) -> int:
    # Imported here: the other commands must not pay for the analysis modules.
    from codeanatomy_core.normalize.callgraph import call_graph, resolve_folder

    resolution = resolve_folder(
        args.repo, workers=args.workers, source_roots=tuple(args.source_root), flow=FlowGranularity(args.flow)
    )
    graph = call_graph(resolution)
    for diagnostic in resolution.diagnostics:
        sys.stderr.write(f"codeanatomy: {diagnostic.kind}: {diagnostic.message}\n")
    if args.format == "pycg":
        import json

        sys.stdout.write(json.dumps(graph, indent=1, sort_keys=True) + "\n")
        return 0
    rows = [(caller, callee) for caller, callees in graph.items() for callee in callees]
    sys.stdout.write(render_rows(("caller", "callee"), rows, fmt=args.format))
    return 0


def _question(args: argparse.Namespace) -> int:
    from codeanatomy_core.query import questions

    warehouse = args.warehouse
    if args.command == "unused":
        table = questions.unused(warehouse=warehouse, root=args.repo)
    else:
        answer = getattr(questions, args.command)
        table = answer(args.name, warehouse=warehouse)
    sys.stdout.write(render_table(table, fmt=args.format))
    return 0


def _add_questions(sub: argparse._SubParsersAction) -> None:
    helps = {
        "callers": ("NAME", "who calls NAME (a qualified name or its dotted suffix)"),
        "callees": ("NAME", "what NAME calls"),
        "refs": ("NAME", "every reference resolved to NAME"),
        "imports": ("MODULE", "what MODULE imports"),
    }
    for command, (metavar, text) in helps.items():
        parser = sub.add_parser(command, help=text)
        parser.add_argument("name", metavar=metavar)
        parser.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)
        parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
        parser.set_defaults(func=_question)
    parser = sub.add_parser("unused", help="classes and functions nothing calls or references")
    parser.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)
    parser.add_argument("--repo", default=".", help="repository whose pyproject.toml declares entry points")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.set_defaults(func=_question)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codeanatomy", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    mat = sub.add_parser("materialize", help="build every stale table with Dagster (in process)")
    mat.add_argument("--repo", default=".", help="repository to analyse (default: .)")
    mat.add_argument("--warehouse", default=DEFAULT_WAREHOUSE, help="warehouse folder or URI")
    mat.add_argument("--workers", type=int, default=0, help="extraction processes (0: one per core)")
    mat.add_argument("--force", action="store_true", help="rebuild even current tables")
    mat.add_argument("--select", default="*", help="Dagster asset selection (default: everything)")
    _add_flow_option(mat)
    mat.set_defaults(func=_materialize)

    status = sub.add_parser("status", help="rows, Delta version and signature of every table")
    status.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)
    status.add_argument("--format", choices=("table", "csv", "json"), default="table")
    status.set_defaults(func=_status)

    query = sub.add_parser("query", help="run SQL over the warehouse tables (no SQL: list the tables)")
    query.add_argument("sql", nargs="?", help="the SQL text, or - to read it from stdin")
    query.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument("--limit", type=int, default=None, help="print at most this many rows")
    query.add_argument("--max-width", type=int, default=60, help="cut table cells (0: never)")
    query.add_argument("--explain", action="store_true", help="print the plans and the plan fingerprint")
    query.add_argument(
        "--ids",
        action="append",
        default=[],
        metavar="NAME=FILE",
        help="register the integer ids of FILE as table NAME (column id) to join on",
    )
    query.set_defaults(func=_query)

    graph = sub.add_parser("callgraph", help="resolve and print the call graph of a folder (no warehouse)")
    graph.add_argument("repo", help="root folder; names are relative to it")
    graph.add_argument(
        "--format",
        choices=("table", "csv", "json", "pycg"),
        default="table",
        help="pycg: PyCG's simple JSON format {caller: [callees]}; others: caller/callee rows",
    )
    graph.add_argument(
        "--workers", type=int, default=0, help="extraction processes (default 0: one per core)"
    )
    graph.add_argument(
        "--source-root", action="append", default=[], help="a folder importable from the root (src layout)"
    )
    # One resolution in memory, kept nowhere: nothing to solve again after an edit, so the
    # whole program is solved together (it also sees what modules store into their imports).
    _add_flow_option(graph, default=FlowGranularity.PROGRAM)
    graph.set_defaults(func=_callgraph)
    _add_questions(sub)
    return parser


def _add_flow_option(parser: argparse.ArgumentParser, *, default: FlowGranularity = DEFAULT_FLOW) -> None:
    parser.add_argument(
        "--flow",
        choices=[g.value for g in FlowGranularity],
        default=default.value,
        help="solve the flow per import cycle of modules (an edit solves what it reaches; what a "
        "module stores into the modules it imports is not seen by them) or over the whole program "
        f"(solved whole after any edit); default: {default.value}",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CodeAnatomyError as err:
        sys.stderr.write(f"codeanatomy: {err}\n")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
