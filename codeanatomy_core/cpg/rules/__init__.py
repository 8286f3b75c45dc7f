"""The built-in rule bundles of the CPG (one module per family of input datasets)."""
