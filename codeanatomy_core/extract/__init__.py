"""Per-file fact extraction: one read, one parse and one shared traversal per file."""
