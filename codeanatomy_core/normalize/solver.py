"""The inter-procedural flow fixpoint, solved one component of files at a time.

Components come from ``module_graph``: the whole program as one (``FlowGranularity.
PROGRAM``), or each import cycle of modules (``MODULES``), in dependency order. A component
reads what its dependencies' solutions hold (namespaces, returns, fields of their objects)
but cannot add to them: their variables are frozen once solved. So a component's solution
depends on its own files and its dependencies only, never on what else is solved, and
after an edit the edited components, the components reading them and their dependencies,
solved again, give what a full solve gives (``solve(only=...)``, see ``flow_scope``). What
per-module components lose is flow into a dependency: an argument, a receiver or an object
passed to a function of an imported module does not reach it.

Per component, phase 1 solves the constraints as they are. Phase 2 applies the defaults
that only make sense once nothing more can arrive (a subscript whose key variable never
got a constant reads every item; a decorator whose result stayed empty passes the function
through) and solves again. Both phases share the component's step budget; hitting it is
reported, never a hang. The constants that keep their value (container keys, attribute
names) are those of the whole program: an edit that changes them changes every component.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import msgspec

from codeanatomy_core.extract.pyfacts_model import CallKind
from codeanatomy_core.normalize.engine import DEFAULT_MAX_STEPS
from codeanatomy_core.normalize.flow_base import add_edge
from codeanatomy_core.normalize.flow_calls import CallSemantics
from codeanatomy_core.normalize.flow_ops import KeyedAccess, program_key_constants
from codeanatomy_core.normalize.flow_states import StateCodec, StateRow, restore
from codeanatomy_core.normalize.flow_states import capture as capture_states
from codeanatomy_core.normalize.module_graph import ModuleGraph
from codeanatomy_core.normalize.program import Program
from codeanatomy_core.normalize.symbols import Symbols


class ComponentStats(msgspec.Struct, frozen=True, kw_only=True):
    """What solving one component cut: named by its first file (by path)."""

    first_file: int  # index in the program
    files: int
    steps: int
    widened: int
    saturated: int
    exhausted: bool


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
    components: tuple[ComponentStats, ...]


class FlowSolver(CallSemantics):
    """Runs the flow analysis of a program; results are the recorded call edges."""

    def __init__(
        self,
        program: Program,
        symbols: Symbols,
        *,
        max_steps: int = DEFAULT_MAX_STEPS,
        graph: ModuleGraph | None = None,
        files: frozenset[int] | None = None,
    ) -> None:
        """``files``: the indices of the files whose components may be solved or restored
        (default: all)."""
        super().__init__(program, symbols, max_steps=max_steps, files=files)
        self.graph = ModuleGraph(program) if graph is None else graph
        self.budget = max_steps
        self.bound_calls = set()
        self.called_instances: set[tuple[int, int, int, int]] = set()
        self.keyed: list[tuple[KeyedAccess, int]] = []
        self.components: list[ComponentStats] = []
        self.states: list[StateRow] = []
        self.init_summaries()
        self.codec = StateCodec(self)
        self._created = program.var_count  # variables made after this one are not frozen yet

    def solve(
        self,
        *,
        only: frozenset[int] | None = None,
        restored: Mapping[int, Sequence[StateRow]] | None = None,
        capture: bool = False,
        key_consts: frozenset[str] | None = None,
    ) -> FlowStats:
        """Solve every component, or those of ``only``, whose dependencies must then be
        solved too or given in ``restored`` (their stored states, see ``flow_states``).
        ``capture``: record the states of the solved components in ``self.states``.
        ``key_consts``: the program's key constants, when known."""
        self.key_consts = program_key_constants(self.program) if key_consts is None else key_consts
        for component in range(len(self.graph.components)):
            if restored is not None and component in restored:
                restore(self.codec, restored[component])
            elif only is None or component in only:
                made_fields: list[tuple[int, str, int]] = []
                made_globals: list[tuple[str, str, int]] = []
                if capture:
                    self.made_fields, self.made_globals = made_fields, made_globals
                self.component = component
                self._solve_component(component)
                files = self.graph.components[component]
                # One component (the whole program) has no readers to summarize for.
                summaries = self.summarize(files) if len(self.graph.components) > 1 else []
                if capture:
                    self.states.extend(
                        capture_states(
                            self.codec,
                            files,
                            made_globals=made_globals,
                            made_fields=made_fields,
                            summaries=summaries,
                            fed=self.fed_edges.get(component, {}),
                        )
                    )
            else:
                continue
            self._close_component(component)
        self.made_fields = self.made_globals = None
        for fed in self.fed_edges.values():
            self.add_fed(fed)
        return self.stats()

    def _solve_component(self, component: int) -> None:
        program, engine, graph = self.program, self.engine, self.graph
        files = graph.components[component]
        readable = bytearray(len(program.files))
        for reached in graph.dependency_closure((component,)):
            for index in graph.components[reached]:
                readable[index] = 1
        self.readable = readable
        # Derived variables (attribute lookups, elements) are the component's own: made
        # by another component, they would carry the order that one made them in.
        self.attr_cache = {}
        self.element_vars = {}
        widened, saturated, steps = len(engine.widened), len(engine.saturated), engine.steps
        engine.max_steps = steps + self.budget
        keyed_from = len(self.keyed)
        for index in files:
            self.load_ops(program.files[index])
        calls = [gid for index in files for gid in self.file_calls(index)]
        self.load_calls(calls)
        solved = engine.run()
        if solved:
            self._phase_two(keyed_from, calls)
            solved = engine.run()
        self.components.append(
            ComponentStats(
                first_file=files[0],
                files=len(files),
                steps=engine.steps - steps,
                widened=len(engine.widened) - widened,
                saturated=len(engine.saturated) - saturated,
                exhausted=not solved,
            )
        )

    def _close_component(self, component: int) -> None:
        """Freeze what the component holds: from now on it is read, never written."""
        program, engine = self.program, self.engine
        for index in self.graph.components[component]:
            self.solved[index] = 1
            entry = program.files[index]
            engine.freeze_range(entry.var_base, entry.var_base + entry.facts.var_count)
        engine.freeze_range(self._created, engine.var_count)
        self._created = engine.var_count
        # What waits for fields to appear can only write into frozen variables from now on:
        # dropped, so that nothing of this component runs while another one is solved.
        self._field_waiters = {}
        self.field_listeners = {}
        self.after_first = True

    def fed_components(self) -> dict[int, frozenset[int]]:
        """Solved component -> the other components whose call sites it fed (see
        ``flow_summaries``)."""
        component_of, file_of_call = self.graph.component_of, self.program.file_of_call
        return {
            component: frozenset(component_of[file_of_call(site).index] for site in edges)
            for component, edges in sorted(self.fed_edges.items())
        }

    def add_kept(self, kept: Iterable[tuple[int, int | str, int]]) -> None:
        """Add stored call edges (call, definition or symbol name, method), see flow_feeds."""
        edges: dict[int, dict[int, int]] = {}
        for call, target, method in kept:
            add_edge(edges, call, target if isinstance(target, int) else self.symbol(target), method)
        self.add_fed(edges)

    def add_fed(self, edges: Mapping[int, Mapping[int, int]]) -> None:
        """Add fed call edges (call -> target -> method) to the call edges."""
        for call, targets in edges.items():
            for target, method in targets.items():
                add_edge(self.call_edges, call, target, method)

    def file_calls(self, index: int) -> range:
        entry = self.program.files[index]
        return range(entry.call_base, entry.call_base + len(entry.facts.calls))

    def _phase_two(self, keyed_from: int, calls: list[int]) -> None:
        engine = self.engine
        for access, key_var in self.keyed[keyed_from:]:
            if not engine.pts[key_var]:
                access.set_unknown()
        for gid in calls:
            call = self.calls[gid]
            if (
                call.kind == CallKind.DECORATOR
                and call.args
                and call.result >= 0
                and not engine.pts[call.result]
            ):
                engine.edge(call.args[0], call.result)

    def release(self) -> None:
        """Keep the results (call edges, call sites, symbols, states); drop the solving state."""
        self.engine.release()
        self.codec = StateCodec(self)  # its remembered value keys
        self.fields = {}
        self.field_keys = {}
        self.pending_fields = None
        self._fields_asked = set()
        self.field_listeners = {}
        self._field_waiters = {}
        self.globals = {}
        self.attr_cache = {}
        self.element_vars = {}
        self.bound_calls = set()
        self.called_instances = set()
        self.keyed = []
        self.param_sites = {}
        self.param_attrs = {}
        self.fed_attrs = {}
        self.fed_vars = {}

    def stats(self) -> FlowStats:
        return FlowStats(
            variables=self.engine.var_count,
            values=len(self.values),
            steps=self.engine.steps,
            max_steps=self.budget,
            exhausted=any(component.exhausted for component in self.components),
            widened=len(self.engine.widened),
            saturated=len(self.engine.saturated),
            call_sites_resolved=len(self.call_edges),
            call_edges=sum(len(t) for t in self.call_edges.values()),
            components=tuple(self.components),
        )
