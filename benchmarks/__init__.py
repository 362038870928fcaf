"""``python -m benchmarks``: how fast ClinicDesk is with a clinic's worth of data.

The benchmark seeds a reference site (a separate process) with N inquiries and P posts and
measures each figure against a baseline measured in the same run: sync against plain
``requests`` + ``json.loads``, the push against the same requests sent raw, the inbox and post
list, the UI thread's longest stall while a sync runs, and the app's start. The figures and their
targets are described in ``docs/performance.md``.

It lives beside the ``clinicdesk`` package, not inside it: run from a checkout, never shipped
(the wheel takes only ``clinicdesk*``; the bundle's spec excludes it and ``tests/bundle`` checks).

This package imports nothing at import time: :mod:`benchmarks.envkeyring` is loaded by
the app process the benchmark starts, which must stay as light as the app itself.
"""
