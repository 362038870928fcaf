"""Kept for scripts that import the keyring wrapper from here: it lives in
:mod:`clinicdesk.session.credentials` now."""

from __future__ import annotations

from clinicdesk.session.credentials import CredentialStore, KeyringUnavailableError

__all__ = ["CredentialStore", "KeyringUnavailableError"]
