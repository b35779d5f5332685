"""Merchandise trade statistics: importers for downloaded files, a DuckDB store, queries."""
