import gc
import weakref

from codeanatomy_core.pipeline.memory import release_later, release_memory, wait_for_releases


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_release_memory_can_collect_garbage_cycles_left_by_a_step():
    # A cycle whose last outside reference is gone is only freed by the cyclic collector;
    # release_memory must free it between steps (it would pin an arena of the allocator).
    first, second = _Node(), _Node()
    first.other, second.other = second, first
    alive = weakref.ref(first)
    del first, second
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        release_memory()
        assert alive() is not None  # a collection scans the whole heap: only when asked
        release_memory(collect_cycles=True)
        assert alive() is None
    finally:
        if was_enabled:
            gc.enable()


def test_release_later_frees_in_the_background_and_release_memory_waits_for_it():
    doomed = [_Node() for _ in range(1000)]
    probe = weakref.ref(doomed[0])
    release_later([doomed])
    del doomed
    release_memory()
    assert probe() is None
    wait_for_releases()  # nothing left to wait for
