"""Makes ``scaffolds.add_aggregate`` importable, for its tests."""
