"""Parameter summaries: what a solved function does with the arguments it is given.

With per-module components (``FlowGranularity.MODULES``) a component cannot write the
variables of a solved one, so an argument passed to a function of an imported module does
not reach its parameters. The two things an argument most often decides are kept in a
summary, made when the function's component is solved:

* the call sites whose callee a parameter reaches (``cb()`` on a parameter ``cb``, directly
  or through the component's variables and objects): a caller solved later calls what it
  passes at those sites. These are call edges of the imported module's sites that the
  caller's component *feeds*: kept apart per feeding component (``fed_edges``) and stored
  with its state, so that after an edit a fed component's call sites get the edges of the
  components solved again and the stored ones of the others (see ``flow_scope``);
* whether a parameter reaches the function's return (decorators, identity-like helpers):
  what a caller passes is then part of the call's result.

Besides callees, a summary names the attribute calls on a parameter (``p.m()``, and
``self.hook()`` on a method's receiver): a caller's argument, or an instance of a class it
defines running an inherited method, has that attribute called there. A parameter passed
on to a function of another solved component reaches what that function's summary names,
so summaries compose along chains of imports. What is called at a fed site gets none of
the site's arguments: they are the solved component's own variables, which are not kept
when it is restored.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from functools import partial

from codeanatomy_core.extract.pyfacts_model import CallKind, LoadAttr
from codeanatomy_core.normalize.flow_base import CallInfo, FlowBase, without_arguments
from codeanatomy_core.normalize.values import ValueKind

RETURNS = -1  # in a summary: the parameter reaches the function's return
MAX_REACH = 512  # variables visited from one parameter; a larger flow is not summarized
_SUMMARIZED_KINDS = (CallKind.CALL, CallKind.DECORATOR)


class ParamSummaries(FlowBase):
    """Making summaries when a component is solved, and applying them in its readers."""

    def init_summaries(self) -> None:
        # param var -> sorted call gids (RETURNS first) of a solved component's function
        self.param_sites: dict[int, tuple[int, ...]] = {}
        # param var -> sorted (attribute, call gid): a site calling that attribute of it
        self.param_attrs: dict[int, tuple[tuple[str, int], ...]] = {}
        # variables of the component being solved passed to summarized parameters -> sites
        self.fed_vars: dict[int, list[int]] = {}
        self.fed_attrs: dict[int, list[tuple[str, int]]] = {}
        self._applied: set[tuple[int, int]] = set()  # (variable, or ~value, site) fed
        self._loaded: dict[tuple[int, str], int] = {}

    @abstractmethod
    def dispatch(self, gid: int, call: CallInfo, callees: Iterable[int], *, tag: int) -> None: ...

    @abstractmethod
    def load_attr(self, dst: int, obj: int, name: str) -> None: ...

    @abstractmethod
    def instance_attr(self, cls: int, name: str) -> int: ...

    @abstractmethod
    def class_attr(self, cls: int, name: str) -> int: ...

    def pass_arg(self, source: int, param: int, result: int) -> None:
        """``source`` is passed to ``param`` at a call whose result is ``result``."""
        engine = self.engine
        engine.edge(source, param)
        if not engine.frozen[param]:
            return
        for site in self.param_sites.get(param, ()):
            if site == RETURNS:
                engine.edge(source, result)
            else:
                self.fed_vars.setdefault(source, []).append(site)
                self._feed(source, site)
        for name, site in self.param_attrs.get(param, ()):
            self.fed_attrs.setdefault(source, []).append((name, site))
            loaded = self._loaded.get((source, name))
            if loaded is None:
                loaded = self._loaded[source, name] = engine.new_var()
                self.load_attr(loaded, source, name)
            self._feed(loaded, site)

    def give_receiver(self, param: int, receiver: int) -> None:
        """``receiver`` (an instance or a class) is the first parameter of a method."""
        self.engine.add_value(param, receiver)
        if not self.engine.frozen[param] or self.own_receivers.get(param) == receiver:
            return  # not summarized, or what the method's component ran it with
        for site in self.param_sites.get(param, ()):
            if site >= 0 and (~receiver, site) not in self._applied:  # ``cls()`` in a classmethod
                self._applied.add((~receiver, site))
                self._call_fed(site, (receiver,))
        kind, cls = self.values.kind[receiver], self.values.a[receiver]
        if kind not in (ValueKind.INSTANCE, ValueKind.CLASS):
            return
        lookup = self.instance_attr if kind == ValueKind.INSTANCE else self.class_attr
        for name, site in self.param_attrs.get(param, ()):
            self._feed(lookup(cls, name), site)

    def _feed(self, var: int, site: int) -> None:
        """Call what ``var`` holds at ``site``, a solved component's call site."""
        if (var, site) not in self._applied:
            self._applied.add((var, site))
            self.engine.watch(var, partial(self._call_fed, site))

    def _call_fed(self, site: int, callees: Iterable[int]) -> None:
        # Without the site's arguments: they are variables of the solved component, which
        # are not kept when it is restored (only what it gives its readers is). The edges
        # are kept apart from its own: see record().
        self.dispatch(site, without_arguments(self.calls[site]), callees, tag=0)

    def summarize(self, files: Iterable[int]) -> list[tuple[int, int, Summary]]:
        """Summarize the parameters of the functions of a solved component (its file
        indices) from the flow it solved: (file index, parameter, summary) of each made.
        The component's fed variables are then done with."""
        engine, calls, signatures = self.engine, self.calls, self.signatures
        files = tuple(files)
        callees: dict[int, list[int]] = {}
        loads: dict[int, list[tuple[str, int]]] = {}
        for index in files:
            entry = self.program.files[index]
            for gid in range(entry.call_base, entry.call_base + len(entry.facts.calls)):
                call = calls[gid]
                if call.callee >= 0 and call.kind in _SUMMARIZED_KINDS:
                    callees.setdefault(call.callee, []).append(gid)
            base = entry.var_base
            for op in entry.facts.ops:
                if isinstance(op, LoadAttr):
                    loads.setdefault(op.obj + base, []).append((op.name, op.dst + base))
        for var, fed in self.fed_vars.items():
            callees.setdefault(var, []).extend(fed)
        fed_attrs = self.fed_attrs
        self.fed_vars, self.fed_attrs, self._applied, self._loaded = {}, {}, set(), {}
        reach = _Reach(engine.succ, callees)
        made: list[tuple[int, int, Summary]] = []
        for index in files:
            entry = self.program.files[index]
            for gid in range(entry.def_base, entry.def_base + len(entry.facts.defs)):
                signature = signatures.get(gid)
                if signature is None:
                    continue
                for param in sorted(set(signature.positional).union(signature.named.values())):
                    reached = reach.variables(param)
                    if reached is None:
                        continue
                    sites = reach.sites(reached)
                    if signature.ret_var >= 0 and signature.ret_var in set(reached):
                        sites.add(RETURNS)
                    attrs = {found for var in reached for found in fed_attrs.get(var, ())}
                    for var in reached:
                        for name, dst in loads.get(var, ()):
                            attrs.update((name, site) for site in reach.sites_from(dst))
                    if sites or attrs:
                        summary = (tuple(sorted(sites)), tuple(sorted(attrs)))
                        self.param_sites[param], self.param_attrs[param] = summary
                        made.append((index, param, summary))
        return made


Summary = tuple[tuple[int, ...], tuple[tuple[str, int], ...]]  # (sites and RETURNS, attribute sites)


class _Reach:
    """Bounded reachability over the copy edges of a solved component."""

    def __init__(self, succ: list[list[int] | None], callees: dict[int, list[int]]) -> None:
        self.succ = succ
        self.callees = callees
        self._from: dict[int, frozenset[int]] = {}

    def variables(self, start: int) -> list[int] | None:
        """The variables the flow from ``start`` reaches, in edge order; None past MAX_REACH
        (too diffuse to be a summary)."""
        succ = self.succ
        seen = {start}
        order = [start]
        position = 0
        while position < len(order):
            var = order[position]
            position += 1
            for dst in succ[var] or ():
                if dst not in seen:
                    if len(seen) >= MAX_REACH:
                        return None
                    seen.add(dst)
                    order.append(dst)
        return order

    def sites(self, reached: Iterable[int]) -> set[int]:
        callees = self.callees
        return {site for var in reached for site in callees.get(var, ())}

    def sites_from(self, var: int) -> frozenset[int]:
        found = self._from.get(var)
        if found is None:
            reached = self.variables(var)
            found = self._from[var] = frozenset(() if reached is None else self.sites(reached))
        return found
