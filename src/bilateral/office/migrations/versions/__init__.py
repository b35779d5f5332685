"""Alembic revisions of the permit office (same history as the platform's; see docs/platform.md)."""
