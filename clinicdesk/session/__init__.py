"""The Qt-free half of the app shell: accounts, settings, sign-in, logging, the sync adapter.

Nothing in this package imports Qt: the headless commands (``main.py sign-in`` and ``main.py
sync``) use it as well as the windows, so importing it never pulls in PySide6 (a test checks).
"""
