"""HTTP through the real app, on a migrated SQLite database in a temporary folder."""
