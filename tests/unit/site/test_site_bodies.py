"""What the app sends (clinicdesk.site.bodies): each body built from checked values, and anything
the site would misread refused before it is sent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from clinicdesk.site.bodies import (
    check_client_id,
    check_id,
    check_mime_type,
    consultation_body,
    note_body,
    post_body,
    term_body,
    triage_body,
    upload_filename,
)

CLIENT_ID = "7d1f0c2e-4b3a-4e6d-9c8b-2a1b0c9d8e7f"


@pytest.mark.parametrize("bad", [0, -3, True, "12/../users", 1.0, None])
def test_only_a_positive_id_may_go_into_a_url(bad: Any) -> None:
    with pytest.raises(ValueError, match="record id"):
        check_id(bad)


def test_a_client_id_is_sent_in_its_canonical_form() -> None:
    assert check_client_id(CLIENT_ID.upper()) == CLIENT_ID
    with pytest.raises(ValueError, match="UUID"):
        check_client_id("not-a-uuid")


@pytest.mark.parametrize("bad", ["jpeg", "image/jpeg\r\nX-Evil: 1", "/png", ""])
def test_a_mime_type_that_is_not_one_never_reaches_a_header(bad: str) -> None:
    with pytest.raises(ValueError, match="MIME"):
        check_mime_type(bad)


def test_a_post_body_sends_dates_in_utc_and_ids_as_ids() -> None:
    body = post_body(
        {
            "title": "Winter blues",
            "status": "future",
            "date_gmt": datetime(2026, 12, 24, 9, 0, 30, 500_000, tzinfo=UTC),
            "categories": [4, 7],
        }
    )
    assert body == {
        "title": "Winter blues",
        "status": "future",
        "date_gmt": "2026-12-24T09:00:30",
        "categories": [4, 7],
    }
    assert post_body({"date_gmt": None}) == {"date_gmt": None}  # a draft's floating date


@pytest.mark.parametrize(
    "bad",
    [{"titel": "typo"}, {"status": "published"}, {"tags": "4,7"}, {"date_gmt": "2026-12-24"}],
)
def test_a_post_body_refuses_what_wordpress_would_misread(bad: Any) -> None:
    with pytest.raises(ValueError):
        post_body(bad)


def test_a_triage_change_goes_under_meta_alone() -> None:
    assert triage_body({"triage_status": "contacted", "assignee": 0, "urgent": True}) == {
        "meta": {"triage_status": "contacted", "assignee": 0, "urgent": True}
    }


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"status": "private"},
        {"triage_status": "done"},
        {"assignee": True},
        {"assignee": -1},
        {"unread": "yes"},
    ],
)
def test_a_triage_change_the_site_would_misread_is_refused(bad: Any) -> None:
    with pytest.raises(ValueError):
        triage_body(bad)


def test_a_note_by_clinicdesk_says_so_and_one_by_a_person_sends_no_by() -> None:
    by_person = note_body(12, "note", "Called back.", CLIENT_ID, by_system=False)
    assert by_person == {
        "inquiry": 12,
        "kind": "note",
        "content": "Called back.",
        "client_id": CLIENT_ID,
    }
    by_system = note_body(12, "urgent", "on", CLIENT_ID, by_system=True)
    assert by_system["by"] == "system"


@pytest.mark.parametrize(("kind", "content"), [("nonsense", "text"), ("note", "   "), ("note", "")])
def test_a_note_without_a_kind_or_content_is_refused(kind: Any, content: str) -> None:
    with pytest.raises(ValueError):
        note_body(12, kind, content, CLIENT_ID, by_system=False)


def test_a_term_body_trims_the_name_and_a_top_level_parent_is_not_sent() -> None:
    assert term_body("category", "  Anxiety ", 0) == {"name": "Anxiety"}
    assert term_body("category", "Teens", 4) == {"name": "Teens", "parent": 4}


@pytest.mark.parametrize(
    ("taxonomy", "name", "parent"), [("category", "  ", None), ("post_tag", "grief", 4)]
)
def test_a_term_without_a_name_or_a_tag_with_a_parent_is_refused(
    taxonomy: Any, name: str, parent: int | None
) -> None:
    with pytest.raises(ValueError):
        term_body(taxonomy, name, parent)


def test_the_consultation_form_refuses_a_field_it_does_not_have() -> None:
    assert consultation_body({"first_name": "Ana"}) == {"first_name": "Ana"}
    with pytest.raises(ValueError, match="unknown consultation fields"):
        consultation_body({"first_name": "Ana", "ssn": "000"})  # type: ignore[typeddict-unknown-key]


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("C:\\Users\\ana\\Pictures\\Café terrace.JPG", "Cafe-terrace.JPG"),
        ("../../etc/passwd", "passwd"),
        (".htaccess", "htaccess"),
        ("日本.png", "png"),
        ("...", "upload"),
        ("a" * 300 + ".png", "a" * 200),
    ],
)
def test_an_upload_s_name_is_safe_ascii_without_its_folders(given: str, sent: str) -> None:
    assert upload_filename(given) == sent
