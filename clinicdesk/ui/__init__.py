"""The desktop app shell (Qt): windows, dialogs, the status bar and the sync worker.

Everything the headless commands need lives in :mod:`clinicdesk.session` (no Qt), so they never
load PySide6; this ``__init__`` imports nothing so that importing a ``ui`` module stays explicit.
"""
