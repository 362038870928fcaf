"""Alembic scripts of the cache schema (run from ``clinicdesk.store.migrate``)."""
