"""The reference site: WordPress + the ClinicDesk plugin's REST contract, served from SQLite.

Run it with ``python -m clinicdesk.demosite``, or in-process with
:func:`clinicdesk.demosite.server.start`. ``docs/site-api.md`` is the contract it serves.
"""
