"""Migrations of the permit office: its revisions join the platform's one Alembic history."""
