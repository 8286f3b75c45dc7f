"""CodeAnatomy core: specs, extraction, storage and queries. Never imports Dagster."""

from codeanatomy_core.errors import CodeAnatomyError

__all__ = ["CodeAnatomyError"]
__version__ = "0.1.0"
