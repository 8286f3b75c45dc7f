"""The ``codeanatomy`` command.

Query-side commands use only ``codeanatomy_core`` (they start fast); ``materialize``
imports Dagster and runs the asset graph in process on the instance of DAGSTER_HOME.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from codeanatomy_core.errors import CodeAnatomyError
from codeanatomy_core.query.render import render_rows
from codeanatomy_core.query.status import warehouse_status
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codeanatomy", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    mat = sub.add_parser("materialize", help="build every stale table with Dagster (in process)")
    mat.add_argument("--repo", default=".", help="repository to analyse (default: .)")
    mat.add_argument("--warehouse", default=DEFAULT_WAREHOUSE, help="warehouse folder or URI")
    mat.add_argument("--workers", type=int, default=0, help="extraction processes (0: one per core)")
    mat.add_argument("--force", action="store_true", help="rebuild even current tables")
    mat.add_argument("--select", default="*", help="Dagster asset selection (default: everything)")
    mat.set_defaults(func=_materialize)

    status = sub.add_parser("status", help="rows, Delta version and signature of every table")
    status.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)
    status.add_argument("--format", choices=("table", "csv", "json"), default="table")
    status.set_defaults(func=_status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CodeAnatomyError as err:
        sys.stderr.write(f"codeanatomy: {err}\n")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
