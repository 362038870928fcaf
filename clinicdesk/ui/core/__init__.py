"""The Qt-free half of the app shell: accounts, settings, sign-in, logging, the sync adapter.

Nothing in this package imports Qt: the headless commands (``main.py sign-in`` and ``main.py
sync``) use it as well as the windows. It lives under ``ui/`` only because the shell's issue may
edit no other folder; it belongs beside ``app.py`` (``clinicdesk/accounts/``) and can move there
unchanged. ``clinicdesk/ui/__init__.py`` imports nothing, so importing this package never pulls in
PySide6.
"""
