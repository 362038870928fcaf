"""Inquiries and notes through the site client over real HTTP: the form, triage, the timeline,
and who may see what.

The consultation form is rate limited per address (5 per 10 minutes by default), so this module
submits one valid form for all its tests and one refused one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from clinicdesk.site import (
    ForbiddenError,
    GoneError,
    Inquiry,
    RejectedError,
    SignedOutError,
    SiteClient,
)
from tests.fixtures.client import (
    client_for,
    force_delete,
    marker,
    new_client_id,
)
from tests.fixtures.site import SiteUnderTest


@pytest.fixture(scope="module")
def inquiry_id(site: SiteUnderTest) -> Iterator[int]:
    word = marker()
    with client_for(site, None) as anonymous:
        new_id = anonymous.submit_consultation(
            {
                "first_name": "Test",
                "last_name": word,
                "email": f"{word}@example.org",
                "phone": "555-0100",
                "preferred_contact": "phone",
                "state": "TX",
                "insurance": "Self-pay",
                "reason": "Anxiety",
                "message": "Please call me in the afternoon.",
                "consent": True,
            }
        )
    yield new_id
    force_delete(site, f"wp/v2/inquiries/{new_id}")


@pytest.fixture
def editor(site: SiteUnderTest) -> Iterator[SiteClient]:
    with client_for(site, "editor") as client:
        yield client


@pytest.fixture
def intake(site: SiteUnderTest) -> Iterator[SiteClient]:
    with client_for(site, "intake") as client:
        yield client


def test_a_submitted_form_arrives_as_a_new_inquiry(editor: SiteClient, inquiry_id: int) -> None:
    inquiry = editor.get_inquiry(inquiry_id)
    assert (inquiry.first_name, inquiry.preferred_contact, inquiry.phone) == (
        "Test",
        "phone",
        "555-0100",
    )
    assert (inquiry.status, inquiry.triage_status, inquiry.unread, inquiry.urgent) == (
        "private",
        "new",
        True,
        False,
    )
    assert inquiry.assignee == 0
    assert inquiry.consent is True
    listed = [i for page in editor.iter_inquiries() for i in page.items]
    assert inquiry_id in {i.id for i in listed}
    assert inquiry_id in {v.id for v in editor.inquiry_versions("private")}


def test_triage_is_a_partial_update(intake: SiteClient, inquiry_id: int) -> None:
    staff = intake.list_staff()
    me = intake.me()
    assert me.id in {s.id for s in staff}
    before = intake.get_inquiry(inquiry_id)
    after = intake.update_inquiry(
        inquiry_id, {"triage_status": "contacted", "assignee": me.id, "unread": False}
    )
    assert (after.triage_status, after.assignee, after.unread) == ("contacted", me.id, False)
    assert (after.urgent, after.email, after.message) == (
        before.urgent,
        before.email,
        before.message,
    )
    assert after.modified_gmt >= before.modified_gmt
    # modified_after is exclusive at whole seconds: overlap by one, as the sync does.
    since = before.modified_gmt - timedelta(seconds=1)
    changed = [i for page in intake.iter_inquiries(modified_after=since) for i in page.items]
    assert after in changed


def test_a_bad_triage_value_is_refused_by_the_site(intake: SiteClient, inquiry_id: int) -> None:
    with pytest.raises(RejectedError) as caught:
        intake.update_inquiry(inquiry_id, {"assignee": 10**9})
    assert caught.value.status == 400


def test_notes_are_idempotent_by_client_id(intake: SiteClient, inquiry_id: int) -> None:
    client_id = new_client_id()
    first = intake.add_note(inquiry_id, "note", "Left a voicemail.", client_id)
    again = intake.add_note(inquiry_id, "note", "Left a voicemail.", client_id)
    assert again.id == first.id
    assert (first.inquiry, first.kind, first.client_id) == (inquiry_id, "note", client_id)
    assert first.author == intake.me().id
    timeline = [n for page in intake.iter_notes(inquiry=inquiry_id) for n in page.items]
    assert [n.id for n in timeline].count(first.id) == 1
    later = [n for page in intake.iter_notes(after_id=first.id) for n in page.items]
    assert first.id not in {n.id for n in later}


def test_authors_see_no_inquiries(site: SiteUnderTest, inquiry_id: int) -> None:
    with client_for(site, "author") as author:
        with pytest.raises((ForbiddenError, SignedOutError)):
            list(author.iter_inquiries())
        with pytest.raises((ForbiddenError, SignedOutError)):
            author.get_inquiry(inquiry_id)
        with pytest.raises((ForbiddenError, SignedOutError)):
            author.list_staff()


def test_only_editors_and_administrators_may_trash(
    intake: SiteClient, editor: SiteClient, inquiry_id: int
) -> None:
    with pytest.raises(ForbiddenError):
        intake.trash_inquiry(inquiry_id)
    trashed: Inquiry = editor.trash_inquiry(inquiry_id)
    assert trashed.status == "trash"
    with pytest.raises(GoneError):
        editor.trash_inquiry(inquiry_id)
    assert inquiry_id in {v.id for v in editor.inquiry_versions("trash")}


def test_an_incomplete_form_is_refused_naming_the_fields(site: SiteUnderTest) -> None:
    with client_for(site, None) as anonymous:
        with pytest.raises(RejectedError) as caught:
            anonymous.submit_consultation({"first_name": "Test", "consent": True})
    assert "email" in caught.value.params
