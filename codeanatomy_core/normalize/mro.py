"""C3 linearization (Python's method resolution order) over repository classes."""

from __future__ import annotations

from collections.abc import Callable, Sequence


def c3_merge(sequences: list[list[int]]) -> list[int] | None:
    """The C3 merge of linearizations, or None when they are inconsistent."""
    pending = [list(s) for s in sequences if s]
    result: list[int] = []
    while pending:
        for sequence in pending:
            head = sequence[0]
            if not any(head in other[1:] for other in pending):
                break
        else:
            return None
        result.append(head)
        pending = [[c for c in s if c != head] for s in pending]
        pending = [s for s in pending if s]
    return result


def linearize(cls: int, bases_of: Callable[[int], Sequence[int]], cache: dict[int, list[int]]) -> list[int]:
    """``cls`` followed by its ancestors in method resolution order.

    Inconsistent hierarchies fall back to depth-first, left-to-right order without
    duplicates; cyclic ones (possible only in broken code) are cut where they close.
    """
    found = cache.get(cls)
    if found is not None:
        return found
    cache[cls] = [cls]  # cuts cycles while this class is being linearized
    bases = [b for b in bases_of(cls) if b != cls]
    parents = [linearize(b, bases_of, cache) for b in bases]
    merged = c3_merge([*parents, bases])
    if merged is None:
        merged = []
        for parent in parents:
            merged.extend(c for c in parent if c not in merged)
    order = [cls, *(c for c in merged if c != cls)]
    cache[cls] = order
    return order
