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

A parameter passed on to a function of another solved component reaches what that
function's summary names, so summaries compose along chains of imports. Receivers of
methods are not summarized (a method's ``self`` reaches attribute lookups, not callees).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from functools import partial

from codeanatomy_core.extract.pyfacts_model import CallKind
from codeanatomy_core.normalize.flow_base import CallInfo, FlowBase

RETURNS = -1  # in a summary: the parameter reaches the function's return
MAX_REACH = 512  # variables visited from one parameter; a larger flow is not summarized
_SUMMARIZED_KINDS = (CallKind.CALL, CallKind.DECORATOR)


class ParamSummaries(FlowBase):
    """Making summaries when a component is solved, and applying them in its readers."""

    def init_summaries(self) -> None:
        # param var -> sorted call gids (RETURNS first) of a solved component's function
        self.param_sites: dict[int, tuple[int, ...]] = {}
        # variables of the component being solved passed to summarized parameters -> sites
        self.fed_vars: dict[int, list[int]] = {}
        self._applied: set[tuple[int, int]] = set()

    @abstractmethod
    def dispatch(self, gid: int, call: CallInfo, callees: Iterable[int], *, tag: int) -> None: ...

    def pass_arg(self, source: int, param: int, result: int) -> None:
        """``source`` is passed to ``param`` at a call whose result is ``result``."""
        engine = self.engine
        engine.edge(source, param)
        if not engine.frozen[param]:
            return
        sites = self.param_sites.get(param)
        if sites is None:
            return
        applied = self._applied
        for site in sites:
            if site == RETURNS:
                engine.edge(source, result)
                continue
            if (source, site) in applied:
                continue
            applied.add((source, site))
            self.fed_vars.setdefault(source, []).append(site)
            engine.watch(source, partial(self._call_fed, site))

    def _call_fed(self, site: int, callees: Iterable[int]) -> None:
        self.dispatch(site, self.calls[site], callees, tag=0)  # edges kept apart: see record()

    def summarize(self, files: Iterable[int]) -> list[tuple[int, int, tuple[int, ...]]]:
        """Summarize the parameters of the functions of a solved component (its file
        indices) from the flow it solved: (file index, parameter, sites) of each summary
        made. The component's fed variables are then done with."""
        engine, calls, signatures = self.engine, self.calls, self.signatures
        files = tuple(files)
        callees: dict[int, list[int]] = {}
        for index in files:
            entry = self.program.files[index]
            for gid in range(entry.call_base, entry.call_base + len(entry.facts.calls)):
                call = calls[gid]
                if call.callee >= 0 and call.kind in _SUMMARIZED_KINDS:
                    callees.setdefault(call.callee, []).append(gid)
        for var, sites in self.fed_vars.items():
            callees.setdefault(var, []).extend(sites)
        self.fed_vars = {}
        self._applied = set()
        made: list[tuple[int, int, tuple[int, ...]]] = []
        for index in files:
            entry = self.program.files[index]
            for gid in range(entry.def_base, entry.def_base + len(entry.facts.defs)):
                signature = signatures.get(gid)
                if signature is None:
                    continue
                params = set(signature.positional).union(signature.named.values())
                params.discard(signature.first)
                for param in sorted(params):
                    found = _reached(engine.succ, param, callees, signature.ret_var)
                    if found:
                        self.param_sites[param] = found
                        made.append((index, param, found))
        return made


def _reached(
    succ: list[list[int] | None], start: int, callees: dict[int, list[int]], ret_var: int
) -> tuple[int, ...]:
    """The sites (and RETURNS) whose variables the flow from ``start`` reaches, visiting at
    most MAX_REACH variables in edge order (empty beyond: too diffuse to be a summary)."""
    seen = {start}
    order = [start]
    position = 0
    while position < len(order):
        var = order[position]
        position += 1
        for dst in succ[var] or ():
            if dst not in seen:
                if len(seen) >= MAX_REACH:
                    return ()
                seen.add(dst)
                order.append(dst)
    sites: set[int] = set()
    for var in order:
        found = callees.get(var)
        if found is not None:
            sites.update(found)
    if ret_var >= 0 and ret_var in seen:
        sites.add(RETURNS)
    return tuple(sorted(sites))
