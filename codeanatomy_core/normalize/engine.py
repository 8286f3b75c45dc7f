"""A bounded, semi-naive worklist engine for inclusion constraints over interned values.

Variables are ints; each holds a set of value ids. Copy edges (``src ⊆ dst``) and
watchers (callbacks run on every *new* value of a variable) are the only constraint forms:
richer constraints (attribute loads, calls, ...) are watchers that add edges and values.
Only deltas are propagated (semi-naive evaluation), so each value crosses each edge once.

The number of propagation steps is bounded: when the bound is hit the engine stops, keeps
what it derived so far (sound up to that point, possibly incomplete) and says so.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

Watcher = Callable[[Iterable[int]], None]

DEFAULT_MAX_STEPS = 40_000_000


class Engine:
    """Points-to sets, copy edges and watchers, solved to a fixpoint by a FIFO worklist."""

    __slots__ = (
        "_edges",
        "_pending",
        "_queue",
        "exhausted",
        "max_steps",
        "pts",
        "steps",
        "succ",
        "watchers",
    )

    def __init__(self, var_count: int, *, max_steps: int = DEFAULT_MAX_STEPS) -> None:
        self.pts: list[set[int] | None] = [None] * var_count
        self.succ: list[list[int] | None] = [None] * var_count
        self.watchers: list[list[Watcher] | None] = [None] * var_count
        self._edges: set[tuple[int, int]] = set()
        self._pending: dict[int, set[int]] = {}
        self._queue: deque[int] = deque()
        self.max_steps = max_steps
        self.steps = 0
        self.exhausted = False

    @property
    def var_count(self) -> int:
        return len(self.pts)

    def new_var(self) -> int:
        self.pts.append(None)
        self.succ.append(None)
        self.watchers.append(None)
        return len(self.pts) - 1

    def values(self, var: int) -> set[int]:
        found = self.pts[var]
        return found if found is not None else set()

    def add(self, var: int, values: Iterable[int]) -> None:
        """Add values to ``var``; new ones are queued for propagation."""
        current = self.pts[var]
        if current is None:
            new = set(values)
            if not new:
                return
            self.pts[var] = set(new)
        else:
            new = set(values).difference(current)
            if not new:
                return
            current |= new
        pending = self._pending.get(var)
        if pending is None:
            self._pending[var] = new
            self._queue.append(var)
        else:
            pending |= new

    def add_value(self, var: int, value: int) -> None:
        current = self.pts[var]
        if current is not None and value in current:
            return
        self.add(var, (value,))

    def edge(self, src: int, dst: int) -> None:
        """``values(src) ⊆ values(dst)`` from now on."""
        if src == dst or src < 0 or dst < 0:
            return
        key = (src, dst)
        if key in self._edges:
            return
        self._edges.add(key)
        succ = self.succ[src]
        if succ is None:
            self.succ[src] = [dst]
        else:
            succ.append(dst)
        current = self.pts[src]
        if current:
            self.add(dst, current)

    def watch(self, var: int, watcher: Watcher) -> None:
        """Call ``watcher`` with the current values of ``var`` and later with each delta."""
        if var < 0:
            return
        watchers = self.watchers[var]
        if watchers is None:
            self.watchers[var] = [watcher]
        else:
            watchers.append(watcher)
        current = self.pts[var]
        if current:
            watcher(tuple(current))

    def run(self) -> bool:
        """Propagate to a fixpoint; False when the step bound stopped it first."""
        queue, pending, succ, watchers = self._queue, self._pending, self.succ, self.watchers
        add = self.add
        while queue:
            if self.steps >= self.max_steps:
                self.exhausted = True
                return False
            var = queue.popleft()
            delta = pending.pop(var)
            self.steps += 1
            targets = succ[var]
            if targets is not None:
                for dst in targets:
                    add(dst, delta)
            callbacks = watchers[var]
            if callbacks is not None:
                # Watchers added while running get the full set on registration.
                for index in range(len(callbacks)):
                    callbacks[index](delta)
        return True
