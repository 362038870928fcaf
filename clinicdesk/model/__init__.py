"""The vocabulary every room speaks: the site's records, what the cache hands out, the error base.

Nothing here imports anything else of ClinicDesk (and nothing beyond the standard library), so
both :mod:`clinicdesk.site` and :mod:`clinicdesk.store` can depend on it without depending on
each other.
"""

from __future__ import annotations

from clinicdesk.model.errors import UserFacingError

__all__ = ["UserFacingError"]
