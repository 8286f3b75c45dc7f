"""The Dagster resources turn run config into the library's configuration."""

from __future__ import annotations

import pytest

from codeanatomy_core.errors import SourceError
from codeanatomy_core.source.config import FlowGranularity
from codeanatomy_dagster.resources import TargetRepository


def test_the_target_names_the_flow_granularity():
    assert TargetRepository(root=".").config().flow is FlowGranularity.MODULES
    assert TargetRepository(root=".", flow="program").config().flow is FlowGranularity.PROGRAM


def test_an_unknown_flow_granularity_is_a_clear_error():
    with pytest.raises(
        SourceError, match=r"target resource: flow must be one of 'program', 'modules', not 'files'"
    ):
        TargetRepository(root=".", flow="files").config()
