"""CodeAnatomy's orchestration layer: Dagster wiring built from the core's specs and steps.

Importing this package does not import Dagster (the ``codeanatomy`` query commands live in
``cli`` and must start fast); ``definitions`` does.
"""
