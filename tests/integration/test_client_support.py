"""Helpers for the site client's integration tests (this module holds no tests).

The tests run against the session's ``site`` fixture (``tests/fixtures/site.py``): the reference
site by default, or a real WordPress with the companion plugin. So they only rely on the contract,
make every record they create recognisable (a unique marker in its title) and remove it again.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from clinicdesk.site import SiteClient
from tests.fixtures.site import SiteUnderTest

ROLES = ("administrator", "editor", "author", "contributor", "intake")


def credentials(site: SiteUnderTest, role: str) -> tuple[str, str]:
    return site.auth(role)


@contextmanager
def client_for(site: SiteUnderTest, role: str | None) -> Iterator[SiteClient]:
    """A client signed in as ``role``, closed afterwards.

    ``role=None`` is an anonymous visitor, like the clinic's website form. Its requests leave
    from a random loopback address (on the reference site), so the consultation form's rate
    limit, which counts per address, is not shared with other tests.
    """
    if role is None:
        with (
            site.source_session() as session,
            SiteClient(site.url, None, None, session=session) as anonymous,
        ):
            yield anonymous
        return
    with SiteClient(site.url, *credentials(site, role)) as client:
        yield client


def marker() -> str:
    """A word no other record on the site contains (search finds exactly our records)."""
    return "cdtest" + uuid.uuid4().hex[:12]


def new_client_id() -> str:
    return str(uuid.uuid4())


def force_delete(site: SiteUnderTest, route: str) -> None:
    """Remove a test record for good as the administrator, whatever state it is in.

    Deliberately not through the client under test: cleanup must work even when it is broken.
    """
    with requests.Session() as session:
        response = session.delete(
            site.rest.rstrip("/") + "/" + route.lstrip("/"),
            params={"force": "true"},
            auth=site.auth("administrator"),
            timeout=30,
        )
        response.close()
        # 404/410: already gone, which is what cleanup wants.
        assert response.status_code in (200, 404, 410), (route, response.status_code)


def tiny_png() -> bytes:
    """A valid 1x1 PNG, made here so no binary file is needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x80\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
