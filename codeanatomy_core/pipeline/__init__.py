"""Pipeline steps, their freshness-aware execution and the plain (Dagster-free) runner."""
