"""The step registry (sorted by name, no duplicates) and the catalog derived from it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from codeanatomy_core.cpg.pipeline import GraphSteps, graph_steps
from codeanatomy_core.errors import CatalogError
from codeanatomy_core.extract.step import EXTRACT_STEP
from codeanatomy_core.normalize.step import NORMALIZE_STEP
from codeanatomy_core.pipeline.step import Step
from codeanatomy_core.registry.catalog import is_registry_step, refresh_registry_steps, registry_steps
from codeanatomy_core.registry.table import REGISTRY_PREFIX
from codeanatomy_core.source.step import SCAN_STEP
from codeanatomy_core.specs.catalog import SpecCatalog
from codeanatomy_core.specs.model import DatasetSpec


class StepRegistry:
    """Steps by name; every dataset is output by exactly one step.

    A step may read registry tables (``registry_*``) before the registry steps are added:
    registry steps describe the other steps, so they are built from a registry without them
    (``default_steps``); a registry missing a registry table a step reads cannot be run.
    """

    __slots__ = ("_catalog", "_steps")

    def __init__(self, steps: Iterable[Step]) -> None:
        by_name: dict[str, Step] = {}
        for step in steps:
            if step.name in by_name:
                raise CatalogError(f"step {step.name!r} is registered twice")
            by_name[step.name] = step
        self._steps = dict(sorted(by_name.items()))
        external = {
            name for step in self._steps.values() for name in step.inputs if name.startswith(REGISTRY_PREFIX)
        }
        self._catalog = SpecCatalog(
            (spec for step in self._steps.values() for spec in step.outputs), external=external
        )
        for step in self._steps.values():
            for name in step.inputs:
                if name not in external:
                    self._catalog.get(name)

    def __iter__(self) -> Iterator[Step]:
        return iter(self._steps.values())

    def __len__(self) -> int:
        return len(self._steps)

    @property
    def catalog(self) -> SpecCatalog:
        return self._catalog

    def get(self, name: str) -> Step:
        try:
            return self._steps[name]
        except KeyError:
            raise CatalogError(f"no step named {name!r}") from None

    def signatures(self) -> dict[str, str]:
        """Output signature of every dataset, by name."""
        return {
            spec.name: step.output_signature(spec) for step in self._steps.values() for spec in step.outputs
        }

    def producer(self, dataset: str) -> Step:
        for step in self._steps.values():
            if dataset in step.output_names:
                return step
        raise CatalogError(f"no step produces dataset {dataset!r}")

    def topological(self) -> list[Step]:
        """Steps in dependency order, ties broken by name (deterministic)."""
        done: set[str] = set()
        ordered: list[Step] = []
        pending = list(self._steps.values())
        while pending:
            ready = [s for s in pending if all(self.producer(i).name in done for i in s.inputs)]
            if not ready:
                raise CatalogError(f"steps {[s.name for s in pending]} form a dependency cycle")
            for step in ready:
                done.add(step.name)
                ordered.append(step)
                pending.remove(step)
        return ordered

    def with_spec(self, spec: DatasetSpec) -> StepRegistry:
        """A registry where ``spec`` replaces the spec of the same name (for what-if checks)."""
        owner = self.producer(spec.name)
        outputs = tuple(spec if s.name == spec.name else s for s in owner.outputs)
        steps = [replace(owner, outputs=outputs) if s is owner else s for s in self]
        # Registry steps describe the other specs: regenerate them from the new ones.
        return StepRegistry(steps if is_registry_step(owner) else refresh_registry_steps(steps))


def default_steps() -> StepRegistry:
    """Every built-in step of CodeAnatomy."""
    base = StepRegistry([EXTRACT_STEP, NORMALIZE_STEP, SCAN_STEP])
    return with_registries(base, graph_steps(base.catalog))


def with_registries(base: StepRegistry, graph: GraphSteps) -> StepRegistry:
    """``base`` plus the graph's step, then the registry steps describing all of them."""
    described = StepRegistry([*base, graph.step])
    # Registry steps describe the specs of every other step (added last).
    return StepRegistry([*described, *registry_steps(described, extra=graph.registry_tables)])
