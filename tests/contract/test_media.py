"""Media: raw and multipart uploads, serving the file, alt text, featured images."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator

import pytest
import requests

from tests.contract.conftest import Api, assert_error, unique

pytestmark = pytest.mark.contract


def png(width: int = 3, height: int = 2) -> bytes:
    """A valid grey PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


Upload = Callable[..., requests.Response]


@pytest.fixture
def upload(api: Api) -> Iterator[Upload]:
    """Upload a raw PNG as ``role``; uploads are deleted for good afterwards."""
    created: list[int] = []

    def send(role: str | None = "administrator", **kwargs: object) -> requests.Response:
        if "files" not in kwargs:
            kwargs.setdefault("data", png())
            kwargs.setdefault(
                "headers",
                {
                    "Content-Type": "image/png",
                    "Content-Disposition": f'attachment; filename="{unique("img")}.png"',
                },
            )
        response = api.request("POST", "wp/v2/media", role, **kwargs)
        if response.status_code == 201:
            created.append(response.json()["id"])
        return response

    yield send
    for media_id in created:
        api.delete(f"wp/v2/media/{media_id}", "administrator", force="true")


def test_a_raw_upload_creates_an_image_attachment(upload: Upload, http: requests.Session) -> None:
    response = upload()
    assert response.status_code == 201, response.text
    media = response.json()
    assert media["media_type"] == "image"
    assert media["mime_type"] == "image/png"
    assert media["media_details"]["width"] == 3
    assert media["media_details"]["height"] == 2
    assert media["alt_text"] == ""
    for key in ("id", "date_gmt", "modified_gmt", "source_url"):
        assert key in media
    assert "raw" in media["title"]
    served = http.get(media["source_url"], timeout=30)
    assert served.status_code == 200
    assert served.content == png()


def test_a_multipart_upload_works_too(upload: Upload) -> None:
    response = upload(files={"file": (f"{unique('mp')}.png", png(5, 4), "image/png")})
    assert response.status_code == 201, response.text
    assert response.json()["media_details"]["width"] == 5


def test_alt_text_and_featured_image(
    api: Api, upload: Upload, make_post: Callable[..., dict[str, object]]
) -> None:
    media_id = upload().json()["id"]
    response = api.post(f"wp/v2/media/{media_id}", "administrator", {"alt_text": "A calm lake"})
    assert response.status_code == 200
    assert response.json()["alt_text"] == "A calm lake"
    assert api.get(f"wp/v2/media/{media_id}").json()["alt_text"] == "A calm lake"
    post = make_post(status="draft", featured_media=media_id)
    assert post["featured_media"] == media_id


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("contributor", 403), ("intake", 403)])
def test_uploading_needs_upload_files(upload: Upload, role: str | None, status: int) -> None:
    assert_error(upload(role), status, "rest_cannot_create")


def test_an_upload_needs_a_file_name(upload: Upload) -> None:
    response = upload(headers={"Content-Type": "image/png"})
    assert response.status_code == 400
