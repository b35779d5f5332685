"""The shared platform of bilateral's web applications (permit office, CFLI, …).

Accounts, roles, sessions, CSRF, throttling, the hash-chained audit log, uploads, EN/FR
catalogs, settings, the database and its one Alembic history, the HTTP layer, the layout
templates and the shared CLI commands. Applications plug in through
``bilateral.platform.application.Application``; the platform imports none of them
(see docs/platform.md).
"""
