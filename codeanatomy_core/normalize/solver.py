"""The inter-procedural flow fixpoint: load every file's constraints, solve, refine, solve.

Phase 1 solves the constraints as they are. Phase 2 applies the defaults that only make
sense once nothing more can arrive (a subscript whose key variable never got a constant
reads every item; a decorator whose result stayed empty passes the function through) and
solves again. Both phases share one step budget; hitting it is reported, never a hang.
"""

from __future__ import annotations

import msgspec

from codeanatomy_core.extract.pyfacts_model import CallKind
from codeanatomy_core.normalize.engine import DEFAULT_MAX_STEPS
from codeanatomy_core.normalize.flow_calls import CallSemantics
from codeanatomy_core.normalize.flow_ops import KeyedAccess
from codeanatomy_core.normalize.program import Program
from codeanatomy_core.normalize.symbols import Symbols


class FlowStats(msgspec.Struct, frozen=True, kw_only=True):
    variables: int
    values: int
    steps: int
    max_steps: int
    exhausted: bool
    widened: int
    saturated: int
    call_sites_resolved: int
    call_edges: int


class FlowSolver(CallSemantics):
    """Runs the flow analysis of a program; results are the recorded call edges."""

    def __init__(self, program: Program, symbols: Symbols, *, max_steps: int = DEFAULT_MAX_STEPS) -> None:
        super().__init__(program, symbols, max_steps=max_steps)
        self.bound_calls = set()
        self.called_instances: set[tuple[int, int, int]] = set()
        self.keyed: list[tuple[KeyedAccess, int]] = []

    def solve(self) -> FlowStats:
        self.key_consts = self.collect_key_constants()
        for entry in self.program.files:
            self.load_ops(entry)
        self.load_calls()
        if self.engine.run():
            self._phase_two()
            self.engine.run()
        return self.stats()

    def _phase_two(self) -> None:
        engine = self.engine
        for access, key_var in self.keyed:
            if not engine.pts[key_var]:
                access.set_unknown()
        for call in self.calls:
            if (
                call.kind == CallKind.DECORATOR
                and call.args
                and call.result >= 0
                and not engine.pts[call.result]
            ):
                engine.edge(call.args[0], call.result)

    def release(self) -> None:
        """Keep the results (call edges, call sites, symbols); drop the solving state."""
        self.engine.release()
        self.fields = {}
        self.field_keys = {}
        self.field_listeners = {}
        self._field_waiters = {}
        self.globals = {}
        self.attr_cache = {}
        self.element_vars = {}
        self.bound_calls = set()
        self.called_instances = set()
        self.keyed = []

    def stats(self) -> FlowStats:
        return FlowStats(
            variables=self.engine.var_count,
            values=len(self.values),
            steps=self.engine.steps,
            max_steps=self.engine.max_steps,
            exhausted=self.engine.exhausted,
            widened=len(self.engine.widened),
            saturated=len(self.engine.saturated),
            call_sites_resolved=len(self.call_edges),
            call_edges=sum(len(t) for t in self.call_edges.values()),
        )
