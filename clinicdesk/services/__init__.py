"""What the clinic does with its data: triage, the crisis check of arrivals, a sync round with the
clinic's policies, the editor's post writes.

These are the steps the UI (and the headless commands) call; each one goes to the store and, for
a round, to :mod:`clinicdesk.sync`. No Qt: the windows and ``main.py sync`` share them.
"""
