"""The Dagster code location of CodeAnatomy: ``dagster dev -m codeanatomy_dagster.definitions``."""

from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_dagster.factories import build_definitions

defs = build_definitions(default_steps())
