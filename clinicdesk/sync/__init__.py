"""Sync: pull what changed on the site, push the outbox, merge, keep conflicts. No Qt.

One entry point: :func:`run_round` (or :class:`SyncEngine` to keep options and a clock) runs one
round for one account and returns a :class:`SyncReport`. Pure three-way merges live in
:mod:`clinicdesk.sync.merge`.
"""

from clinicdesk.sync.context import SyncOptions
from clinicdesk.sync.engine import SyncEngine, run_round
from clinicdesk.sync.lock import AccountLock, LockBusyError
from clinicdesk.sync.report import (
    ErrorKind,
    IssueKind,
    RecordIssue,
    SyncError,
    SyncOutcome,
    SyncPhase,
    SyncProgress,
    SyncReport,
    UnreadableRecord,
    UserAccess,
    unreadable_lines,
)

__all__ = [
    "AccountLock",
    "ErrorKind",
    "IssueKind",
    "LockBusyError",
    "RecordIssue",
    "SyncEngine",
    "SyncError",
    "SyncOptions",
    "SyncOutcome",
    "SyncPhase",
    "SyncProgress",
    "SyncReport",
    "UnreadableRecord",
    "UserAccess",
    "run_round",
    "unreadable_lines",
]
