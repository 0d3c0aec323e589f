"""Top-level screens (one per file) and their shared base."""
