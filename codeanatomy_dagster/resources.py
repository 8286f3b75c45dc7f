"""Dagster resources: the target repository, the warehouse and build options.

All are read at run time from run config (or their defaults); nothing is looked up in the
environment when this module is imported.
"""

from __future__ import annotations

from dagster import ConfigurableResource
from dagster_deltalake import AzureConfig, GcsConfig, LocalConfig, S3Config
from pydantic import Field

from codeanatomy_core.errors import SourceError
from codeanatomy_core.source.config import (
    DEFAULT_EXCLUDE_DIRS,
    DEFAULT_FLOW,
    FlowGranularity,
    RepositoryConfig,
)
from codeanatomy_core.storage.location import Warehouse

DEFAULT_WAREHOUSE = ".codeanatomy/warehouse"


class TargetRepository(ConfigurableResource):
    """The Python repository to analyse (default: the working directory)."""

    root: str = Field(default=".", description="Path of the repository to analyse.")
    repo_id: str | None = Field(default=None, description="Name of the repository (default: folder name).")
    include: list[str] = Field(default=["**/*.py"], description="Globs of files to analyse.")
    exclude: list[str] = Field(default=[], description="Globs of files to leave out.")
    exclude_dirs: list[str] = Field(
        default=list(DEFAULT_EXCLUDE_DIRS), description="Folder names never entered."
    )
    source_roots: list[str] = Field(default=[], description="Folders importable from the root (src layout).")
    flow: str = Field(
        default=DEFAULT_FLOW.value,
        description="What the flow analysis solves together: 'modules' (each import cycle of "
        "modules, the default: an edit solves only what it reaches; what a module stores into the "
        "modules it imports is not seen by them) or 'program' (the whole program, solved whole "
        "after any edit).",
    )

    def config(self) -> RepositoryConfig:
        return RepositoryConfig(
            root=self.root,
            repo_id=self.repo_id,
            include=tuple(self.include),
            exclude=tuple(self.exclude),
            exclude_dirs=tuple(self.exclude_dirs),
            source_roots=tuple(self.source_roots),
            flow=self._flow(),
        )

    def _flow(self) -> FlowGranularity:
        try:
            return FlowGranularity(self.flow)
        except ValueError as err:
            choices = ", ".join(repr(g.value) for g in FlowGranularity)
            raise SourceError(f"target resource: flow must be one of {choices}, not {self.flow!r}") from err


class WarehouseResource(ConfigurableResource):
    """Where the Delta tables live: a local folder or an object-store URI."""

    root: str = Field(default=DEFAULT_WAREHOUSE, description="Warehouse folder or URI.")
    storage: LocalConfig | S3Config | AzureConfig | GcsConfig = Field(
        default=LocalConfig(), discriminator="provider", description="Object-store options."
    )

    def location(self) -> Warehouse:
        options = {k: v for k, v in self.storage.str_dict().items() if k != "provider"}
        return Warehouse.at(self.root, storage_options=options)


class BuildOptions(ConfigurableResource):
    """How to build: ``force`` rewrites current tables; ``workers`` sizes the file pool."""

    force: bool = Field(default=False, description="Rebuild even when signature and inputs are unchanged.")
    workers: int = Field(default=0, description="Extraction processes (0: one per core).")
    progress_bar: bool = Field(
        default=False, description="Also draw a progress bar on the terminal (the codeanatomy command)."
    )
