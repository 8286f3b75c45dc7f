"""DataFusion sessions over the CPG rules' inputs at one version (the current or the old one).

A session registers, under its dataset name, either a table already in memory (inputs read
whole) or the Delta table itself at the wanted version (read in place by the queries), so
probe queries and whole-evaluated rules read only what they need.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pyarrow as pa

from codeanatomy_core.cpg.inputs import delta_at
from codeanatomy_core.engine.idsets import register_ids
from codeanatomy_core.engine.session import plain_types
from codeanatomy_core.errors import PipelineError
from codeanatomy_core.relspec.compiler import rule_context
from codeanatomy_core.storage.location import TableHandle


class InputSession:
    """Input datasets at one version: in-memory tables where given, Delta tables otherwise."""

    def __init__(
        self,
        *,
        handles: Mapping[str, TableHandle],
        versions: Mapping[str, int] | None = None,
        tables: Mapping[str, pa.Table] | None = None,
        label: str,
    ) -> None:
        self.ctx = rule_context()
        self.handles = handles
        self.versions = dict(versions or {})
        self.tables = dict(tables or {})
        self.label = label
        self._registered: set[str] = set()

    def need(self, datasets: Iterable[str]) -> None:
        """Register ``datasets`` (once each)."""
        for name in sorted(set(datasets) - self._registered):
            if name in self.tables:
                table = self.tables[name]
                batches = table.to_batches() or [pa.RecordBatch.from_pylist([], schema=table.schema)]
                self.ctx.register_record_batches(name, [batches])
            elif name in self.handles:
                self.ctx.register_table(name, delta_at(self.handles[name], self.versions.get(name)))
            else:
                raise PipelineError(f"cpg: dataset {name!r} is not an input of the build ({self.label})")
            self._registered.add(name)

    def ids(self, name: str, ids: Iterable[int] | np.ndarray) -> str:
        """Register an id table ``name`` (column ``id``); returns its name."""
        return register_ids(self.ctx, ids if isinstance(ids, np.ndarray) else list(ids), name=name)

    def table(self, name: str, table: pa.Table) -> str:
        if self.ctx.table_exist(name):
            self.ctx.deregister_table(name)
        batches = table.to_batches() or [pa.RecordBatch.from_pylist([], schema=table.schema)]
        self.ctx.register_record_batches(name, [batches])
        return name

    def query(self, sql: str, *, what: str) -> pa.Table:
        """Run ``sql``; errors name ``what`` (a rule or probe) and the session."""
        try:
            return plain_types(self.ctx.sql(sql).to_arrow_table())
        except Exception as err:  # DataFusion raises ValueError or a bare Exception
            raise PipelineError(f"cpg: {what} failed on the {self.label} inputs: {err}") from err

    def file_ids(self, sql: str, *, what: str) -> frozenset[int]:
        """The distinct non-null ``file_id`` values ``sql`` returns."""
        column = self.query(sql, what=what).column("file_id")
        return frozenset(column.drop_null().to_pylist())
