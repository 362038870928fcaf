"""The desktop app shell (Qt): windows, dialogs, the status bar and the sync worker.

This ``__init__`` imports nothing on purpose: :mod:`clinicdesk.ui.core` (no Qt) is used by the
headless commands, which must not load PySide6.
"""
