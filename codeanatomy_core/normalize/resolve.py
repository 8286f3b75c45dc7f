"""Whole-program resolution: decode every file's facts, resolve names, solve the flow.

The one implementation behind the normalize step and the call-graph exporter.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import msgspec
import pyarrow as pa

from codeanatomy_core.extract.pyfacts_model import FACTS_VERSION
from codeanatomy_core.normalize.engine import DEFAULT_MAX_STEPS
from codeanatomy_core.normalize.facts_view import LazyFacts
from codeanatomy_core.normalize.flow_states import StateRow
from codeanatomy_core.normalize.kinds import DiagnosticKind
from codeanatomy_core.normalize.module_graph import ModuleGraph
from codeanatomy_core.normalize.program import Program
from codeanatomy_core.normalize.solver import ComponentStats, FlowSolver, FlowStats
from codeanatomy_core.normalize.symbols import Symbols
from codeanatomy_core.source.config import DEFAULT_FLOW, FlowGranularity


class Diagnostic(msgspec.Struct, frozen=True, kw_only=True):
    kind: DiagnosticKind
    message: str
    file_id: int  # the file, or the first file of the flow component it is about
    path: str
    count: int = 0


class Timings(msgspec.Struct, frozen=True, kw_only=True):
    decode_s: float
    symbols_s: float
    flow_s: float


class Resolution:
    """A resolved program: static symbols, the solved flow, diagnostics."""

    def __init__(
        self,
        program: Program,
        *,
        symbols: Symbols,
        flow: FlowSolver,
        stats: FlowStats,
        diagnostics: list[Diagnostic],
        timings: Timings,
    ) -> None:
        self.program = program
        self.symbols = symbols
        self.flow = flow
        self.stats = stats
        self.diagnostics = diagnostics
        self.timings = timings

    def target_name(self, target: int) -> str:
        """Qualified name of a call target (definition id >= 0, else a named symbol)."""
        return self.program.qualname(target) if target >= 0 else self.flow.symbol_names[~target]


def facts_rows(table: pa.Table) -> Iterable[tuple[int, str, bytes]]:
    """(file_id, path, encoded facts) of a ``py_facts`` table."""
    columns = [table.column(name).to_pylist() for name in ("file_id", "path", "facts", "facts_version")]
    for file_id, path, facts, version in zip(*columns, strict=True):
        yield file_id, path, facts if version == FACTS_VERSION else b""


@contextmanager
def collector_paused() -> Iterator[None]:
    """Resolution builds millions of long-lived small objects and no garbage cycles worth
    collecting meanwhile: the cyclic collector would re-scan the whole heap again and again
    (most of the run time). It is paused, and restored as it was."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def resolve(
    rows: Iterable[tuple[int, str, bytes]],
    *,
    max_steps: int = DEFAULT_MAX_STEPS,
    flow: FlowGranularity = DEFAULT_FLOW,
) -> Resolution:
    """Resolve the program made of the given files' encoded facts."""
    with collector_paused():
        return _resolve(rows, max_steps=max_steps, flow=flow)


def component_label(program: Program, component: ComponentStats) -> str:
    """How diagnostics name a component of the flow."""
    if component.files == len(program.files):
        return "of the program"
    return f"of the component of {program.files[component.first_file].module} ({component.files} files)"


def component_diagnostic(
    program: Program, component: ComponentStats, *, kind: DiagnosticKind, message: str, count: int
) -> Diagnostic:
    """A diagnostic about a component of the flow, filed under its first file."""
    entry = program.files[component.first_file]
    return Diagnostic(kind=kind, message=message, file_id=entry.file_id, path=entry.path, count=count)


def decode_program(rows: Iterable[tuple[int, str, bytes]]) -> tuple[Program, list[Diagnostic]]:
    """The program of the given files' encoded facts, and a diagnostic per file skipped."""
    diagnostics: list[Diagnostic] = []
    files = []
    for file_id, path, data in rows:
        if not data:
            diagnostics.append(
                Diagnostic(
                    kind=DiagnosticKind.FACTS_VERSION,
                    message=f"py_facts of {path!r} were written by another facts version; file skipped",
                    file_id=file_id,
                    path=path,
                )
            )
            continue
        try:
            files.append((file_id, path, LazyFacts(data)))
        except msgspec.DecodeError as err:
            diagnostics.append(
                Diagnostic(
                    kind=DiagnosticKind.FACTS_UNDECODABLE,
                    message=f"py_facts of {path!r} cannot be decoded: {err}",
                    file_id=file_id,
                    path=path,
                )
            )
    return Program(files), diagnostics


def _resolve(rows: Iterable[tuple[int, str, bytes]], *, max_steps: int, flow: FlowGranularity) -> Resolution:
    started = time.perf_counter()
    program, diagnostics = decode_program(rows)
    return solve_program(
        program,
        diagnostics=diagnostics,
        decode_s=time.perf_counter() - started,
        max_steps=max_steps,
        graph=ModuleGraph(program, granularity=flow),
    )


def solve_program(
    program: Program,
    *,
    diagnostics: Iterable[Diagnostic] = (),
    decode_s: float = 0.0,
    max_steps: int = DEFAULT_MAX_STEPS,
    graph: ModuleGraph | None = None,
    only: frozenset[int] | None = None,
    restored: Mapping[int, Sequence[StateRow]] | None = None,
    capture: bool = False,
    key_consts: frozenset[str] | None = None,
) -> Resolution:
    """Resolve a decoded program (``diagnostics``: those of its decoding; ``only``,
    ``restored``, ``capture``: the components of ``graph`` to solve, those to restore from
    their states and whether to record the solved ones', see ``FlowSolver.solve``: with
    ``only``, only their files' definitions are loaded; ``key_consts``: the program's key
    constants, when known). Call it with the collector paused
    (see :func:`collector_paused`)."""
    found = list(diagnostics)
    started = time.perf_counter()
    symbols = Symbols(program)
    indexed = time.perf_counter()
    graph = ModuleGraph(program) if graph is None else graph
    loaded = None
    if only is not None:
        parts = only | (restored or {}).keys()
        loaded = frozenset(index for component in parts for index in graph.components[component])
    flow = FlowSolver(program, symbols, max_steps=max_steps, graph=graph, files=loaded)
    stats = flow.solve(only=only, restored=restored, capture=capture, key_consts=key_consts)
    flow.release()  # the tables need the call edges only: free the points-to sets early
    solved = time.perf_counter()
    for component in stats.components:
        if component.exhausted:
            found.append(
                component_diagnostic(
                    program,
                    component,
                    kind=DiagnosticKind.FIXPOINT_BOUND,
                    message=f"flow fixpoint {component_label(program, component)} stopped at its "
                    f"bound of {stats.max_steps} propagation steps; call targets found so far are "
                    "kept, later ones may be missing",
                    count=component.steps,
                )
            )
    timings = Timings(decode_s=decode_s, symbols_s=indexed - started, flow_s=solved - indexed)
    return Resolution(program, symbols=symbols, flow=flow, stats=stats, diagnostics=found, timings=timings)
