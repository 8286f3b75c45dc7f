"""Registry tables: the specs that shape the graph, as versioned Delta data.

Each registry table is generated from specs (never from repository data), has an Arrow
schema derived from its row Struct, decodes back into the very same spec objects, and is
built by an ordinary pipeline step whose signature covers its rows.
"""

from codeanatomy_core.registry.catalog import (
    DIAGNOSTICS_TABLE,
    SIGNATURES_TABLE,
    RegistryCatalog,
    is_registry_step,
    refresh_registry_steps,
    registry_of,
    registry_steps,
)
from codeanatomy_core.registry.table import RegistryTable, SpecSources

__all__ = [
    "DIAGNOSTICS_TABLE",
    "SIGNATURES_TABLE",
    "RegistryCatalog",
    "RegistryTable",
    "SpecSources",
    "is_registry_step",
    "refresh_registry_steps",
    "registry_of",
    "registry_steps",
]
