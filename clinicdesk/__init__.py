"""ClinicDesk: the desktop app a therapy clinic runs its WordPress site's day-to-day from."""

__version__ = "0.1.0"
