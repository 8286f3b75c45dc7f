"""A bounded, semi-naive worklist engine for inclusion constraints over interned values.

Variables are ints; each holds a set of value ids. Copy edges (``src ⊆ dst``) and
watchers (callbacks run on every *new* value of a variable) are the only constraint forms:
richer constraints (attribute loads, calls, ...) are watchers that add edges and values.
Only deltas are propagated (semi-naive evaluation), so each value crosses each edge once.

Widening keeps megamorphic variables small: once a variable holds more than
``max_values`` values, further *data* values (constants, containers, external symbols)
entering it are replaced by their summary (a typed value such as "some str"). A variable
reaching ``saturation`` values is saturated: it keeps what it has and takes nothing more
(what flows through such a variable is too ambiguous to be useful, and would make the
cost quadratic). Both are counted and reported.

Watchers see each delta in the values' canonical order (``rank``: a key made of the
value's content, not of its id), and a cut keeps the values first in that order. Ids
depend on when a value was first interned, which depends on everything solved before;
the canonical order does not, so a component of the program solves the same whatever
else was solved in the same engine (see ``solver``).

A frozen variable takes no more values: the variables of a solved component are frozen,
so what is solved later reads them and cannot change them. A frozen variable may also be
deferred: its values are made when something first reads it (an edge from it, a watcher,
``values``). Components restored from their stored states are deferred so: a solve reads
a small part of what its dependencies hold.

The number of propagation steps is bounded: when the bound is hit the engine stops, keeps
what it derived so far (sound up to that point, possibly incomplete) and says so.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

Watcher = Callable[[Iterable[int]], None]
ValuesOf = Callable[[], Iterable[int]]

DEFAULT_MAX_STEPS = 40_000_000
DEFAULT_MAX_VALUES = 16
DEFAULT_SATURATION = 32


class Engine:
    """Points-to sets, copy edges and watchers, solved to a fixpoint by a FIFO worklist."""

    __slots__ = (
        "_deferred",
        "_edges",
        "_initial",
        "_pending",
        "_queue",
        "exhausted",
        "frozen",
        "max_steps",
        "max_values",
        "pts",
        "rank",
        "saturated",
        "saturation",
        "steps",
        "succ",
        "summary",
        "watchers",
        "widened",
    )

    def __init__(
        self,
        var_count: int,
        *,
        summary: list[int],
        rank: list[tuple],
        max_steps: int = DEFAULT_MAX_STEPS,
        max_values: int = DEFAULT_MAX_VALUES,
        saturation: int = DEFAULT_SATURATION,
    ) -> None:
        self.pts: list[set[int] | None] = [None] * var_count
        self.succ: list[list[int] | None] = [None] * var_count
        self.watchers: list[list[Watcher] | None] = [None] * var_count
        self.frozen = bytearray(var_count)
        self._deferred: dict[int, ValuesOf] = {}
        self._edges: set[int] = set()  # src << 32 | dst
        self._pending: dict[int, set[int]] = {}
        self._queue: deque[int] = deque()
        self._initial: deque[tuple[Watcher, tuple[int, ...]]] = deque()
        self.max_steps = max_steps
        self.max_values = max_values
        self.summary = summary
        self.rank = rank
        self.widened: set[int] = set()
        self.saturation = saturation
        self.saturated: set[int] = set()
        self.steps = 0
        self.exhausted = False

    @property
    def var_count(self) -> int:
        return len(self.pts)

    def new_var(self) -> int:
        self.pts.append(None)
        self.succ.append(None)
        self.watchers.append(None)
        self.frozen.append(0)
        return len(self.pts) - 1

    def defer(self, var: int, values_of: ValuesOf) -> None:
        """Freeze ``var``, with the values ``values_of()`` gives when it is first read."""
        self.frozen[var] = 1
        self._deferred[var] = values_of

    def _materialize(self, var: int) -> None:
        found = set(self._deferred.pop(var)())
        if found:
            self.pts[var] = found

    def values(self, var: int) -> set[int]:
        if self._deferred and var in self._deferred:
            self._materialize(var)
        found = self.pts[var]
        return found if found is not None else set()

    def add(self, var: int, values: Iterable[int]) -> None:
        """Add values to ``var``; new ones are queued for propagation."""
        if self.frozen[var]:
            return
        current = self.pts[var]
        if current is None:
            new = set(values)
            if not new:
                return
            self.pts[var] = set(new)
        else:
            new = (values if type(values) is set else set(values)) - current
            if not new:
                return
            if len(current) > self.max_values:
                new = self._widen(var, new, current)
                if not new:
                    return
                room = self.saturation - len(current)
                if room < len(new):
                    self.saturated.add(var)
                    if room <= 0:
                        return
                    new = set(sorted(new, key=self.rank.__getitem__)[:room])  # first in canonical order
            current |= new
        pending = self._pending.get(var)
        if pending is None:
            self._pending[var] = new
            self._queue.append(var)
        else:
            pending |= new

    def _widen(self, var: int, new: set[int], current: set[int]) -> set[int]:
        summary = self.summary
        widened = {v if summary[v] < 0 else summary[v] for v in new}
        if widened != new:
            self.widened.add(var)
        return widened.difference(current)

    def add_value(self, var: int, value: int) -> None:
        current = self.pts[var]
        if current is not None and value in current:
            return
        self.add(var, (value,))

    def edge(self, src: int, dst: int) -> None:
        """``values(src) ⊆ values(dst)`` from now on."""
        if src == dst or src < 0 or dst < 0 or self.frozen[dst]:
            return
        key = src << 32 | dst
        if key in self._edges:
            return
        self._edges.add(key)
        succ = self.succ[src]
        if succ is None:
            self.succ[src] = [dst]
        else:
            succ.append(dst)
        if self._deferred and src in self._deferred:
            self._materialize(src)
        current = self.pts[src]
        if current:
            self.add(dst, current)

    def watch(self, var: int, watcher: Watcher) -> None:
        """Call ``watcher`` with the current values of ``var`` and later with each delta.

        The first call is queued, not made here: watchers registering watchers would
        otherwise nest without bound (and chains of them overflow the stack).
        """
        if var < 0:
            return
        watchers = self.watchers[var]
        if watchers is None:
            self.watchers[var] = [watcher]
        else:
            watchers.append(watcher)
        if self._deferred and var in self._deferred:
            self._materialize(var)
        current = self.pts[var]
        if current:
            self._initial.append((watcher, tuple(sorted(current, key=self.rank.__getitem__))))

    def freeze(self, var: int) -> None:
        """``var`` keeps the values it has and takes no more."""
        self.frozen[var] = 1

    def freeze_range(self, start: int, stop: int) -> None:
        """Freeze the variables ``start`` to ``stop`` (what a step bound left queued is
        dropped: nothing runs between solving one part and the next)."""
        self.frozen[start:stop] = b"\x01" * (stop - start)
        self._pending.clear()
        self._queue.clear()
        self._initial.clear()

    def release(self) -> None:
        """Drop the working state (sets, edges, watchers) once results have been read."""
        self.pts = []
        self.succ = []
        self.watchers = []
        self.frozen = bytearray()
        self._edges = set()
        self._deferred = {}
        self._pending = {}
        self._queue = deque()
        self._initial = deque()

    def run(self) -> bool:
        """Propagate to a fixpoint; False when the step bound stopped it first."""
        queue, pending, succ, watchers = self._queue, self._pending, self.succ, self.watchers
        add, pts, max_values, rank = self.add, self.pts, self.max_values, self.rank.__getitem__
        initial = self._initial
        while queue or initial:
            if self.steps >= self.max_steps:
                self.exhausted = True
                return False
            if initial:  # first calls of new watchers (see watch), one step each
                batch = len(initial)  # calls queued meanwhile wait for the next batch
                self.steps += batch
                pop = initial.popleft
                for _ in range(batch):
                    watcher, values = pop()
                    watcher(values)
                continue
            var = queue.popleft()
            delta = pending.pop(var)
            self.steps += 1
            targets = succ[var]
            if targets is not None:
                for dst in targets:
                    current = pts[dst]
                    # Inlined fast path of add(): most deltas are small and partly known.
                    if current is not None and len(current) <= max_values:
                        new = delta - current
                        if new:
                            current |= new
                            waiting = pending.get(dst)
                            if waiting is None:
                                pending[dst] = new
                                queue.append(dst)
                            else:
                                waiting |= new
                    elif current is None:  # a variable's first values (add() without the checks)
                        pts[dst] = set(delta)
                        pending[dst] = set(delta)
                        queue.append(dst)
                    else:
                        add(dst, delta)
            callbacks = watchers[var]
            if callbacks is not None:
                ordered = sorted(delta, key=rank) if len(delta) > 1 else delta  # see the module docstring
                # Watchers added while running get the full set on registration.
                for index in range(len(callbacks)):
                    callbacks[index](ordered)
        return True
