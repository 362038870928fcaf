"""Discovery, signing in, users, terms and media through the site client over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clinicdesk.site import (
    CAP_MANAGE_INQUIRIES,
    ForbiddenError,
    SignedOutError,
    SiteClient,
)
from tests.fixtures.client import (
    ROLES,
    client_for,
    credentials,
    force_delete,
    marker,
    tiny_png,
)
from tests.fixtures.site import SiteUnderTest


@pytest.fixture
def editor(site: SiteUnderTest) -> Iterator[SiteClient]:
    with client_for(site, "editor") as client:
        yield client


def test_discover(site: SiteUnderTest) -> None:
    with client_for(site, None) as anonymous:
        info = anonymous.discover()
    assert "wp/v2" in info.namespaces
    assert info.has_plugin
    assert info.name


@pytest.mark.parametrize("role", ROLES)
def test_each_role_signs_in_with_its_capabilities(site: SiteUnderTest, role: str) -> None:
    with client_for(site, role) as client:
        me = client.me()
    assert me.username == credentials(site, role)[0]
    expected = {
        "administrator": (True, True),
        "editor": (True, True),
        "author": (True, False),
        "contributor": (False, False),
        "intake": (False, True),
    }[role]
    assert (me.can("publish_posts"), me.can(CAP_MANAGE_INQUIRIES)) == expected


def test_a_wrong_application_password_is_signed_out(site: SiteUnderTest) -> None:
    username, _ = credentials(site, "editor")
    with SiteClient(site.url, username, "aaaa bbbb cccc dddd eeee ffff") as client:
        with pytest.raises(SignedOutError):
            client.me()


def test_users_and_staff(editor: SiteClient, site: SiteUnderTest) -> None:
    users = editor.list_users()
    assert users
    assert all(u.id > 0 for u in users)
    staff = editor.list_staff()
    with client_for(site, "intake") as intake:
        assert intake.me().id in {s.id for s in staff}
    names = [s.name for s in staff]
    assert names == sorted(names, key=str.casefold)  # the contract: ordered by name


def test_terms_are_got_or_created(editor: SiteClient, site: SiteUnderTest) -> None:
    categories = editor.list_terms("category")
    assert 1 in {c.id for c in categories}  # "Uncategorized" is on every site
    name = f"Topic {marker()}"
    tag = editor.create_term("post_tag", name)
    try:
        assert (tag.name, tag.taxonomy) == (name, "post_tag")
        assert editor.create_term("post_tag", name).id == tag.id  # the second is a "get"
        assert tag.id in {t.id for t in editor.list_terms("post_tag")}
    finally:
        force_delete(site, f"wp/v2/tags/{tag.id}")


def test_media_upload_and_alt_text(site: SiteUnderTest) -> None:
    with client_for(site, "author") as author:
        media = author.upload_media(f"{marker()}.png", tiny_png(), "image/png")
        try:
            assert (media.mime_type, media.media_type) == ("image/png", "image")
            updated = author.update_media(media.id, "A calm waiting room")
            assert updated.alt_text == "A calm waiting room"
            assert author.get_media(media.id).alt_text == "A calm waiting room"
        finally:
            force_delete(site, f"wp/v2/media/{media.id}")
    with client_for(site, "contributor") as contributor:
        with pytest.raises(ForbiddenError):
            contributor.upload_media("x.png", tiny_png(), "image/png")
