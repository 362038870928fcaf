"""Alembic's entry point for ClinicDesk's cache migrations.

Run only through :mod:`clinicdesk.store.migrate`, which passes an open, keyed connection already
inside a transaction (``config.attributes["connection"]``): there is no URL to connect to, since
the key must never be written in a configuration file.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

from clinicdesk.store.migrate import include_object
from clinicdesk.store.models import Base, UTCDateTime


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write the models' own column types as plain SQLAlchemy types in new scripts.

    A migration must not import the app's code, which goes on changing after it shipped.
    """
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def _run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "ClinicDesk's migrations run through clinicdesk.store.migrate, not the alembic command"
        )
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite can alter little in place: rebuild tables instead
        include_object=include_object,
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


_run()
