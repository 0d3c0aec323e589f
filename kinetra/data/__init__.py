"""Market data: sources, ingest, inventory."""
