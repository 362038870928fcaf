"""WordPress's privacy tools know inquiries: export and erasure keyed on the email address.

Tools > Export Personal Data and Erase Personal Data call every exporter and eraser registered
on ``wp_privacy_personal_data_exporters`` / ``_erasers`` with the address and a page number;
these tests call them the same way, inside the real WordPress.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.fixtures.site import SiteUnderTest
from tests.fixtures.wordpress_php import run_php

EXPORT = """
$exporters = apply_filters( 'wp_privacy_personal_data_exporters', array() );
$all = array();
$email = $clinicdesk_data['email'];
for ( $page = 1; ; $page++ ) {
    $answer = call_user_func( $exporters['clinicdesk']['callback'], $email, $page );
    $all = array_merge( $all, $answer['data'] );
    if ( $answer['done'] ) { break; }
}
return array( 'name' => $exporters['clinicdesk']['exporter_friendly_name'], 'data' => $all );
"""

ERASE = """
if ( $clinicdesk_data['keep'] ) {
    add_filter( 'clinicdesk_privacy_keep_record', '__return_true' );
}
$erasers = apply_filters( 'wp_privacy_personal_data_erasers', array() );
$answers = array();
$email = $clinicdesk_data['email'];
for ( $page = 1; $page < 10; $page++ ) {
    $answer = call_user_func( $erasers['clinicdesk']['callback'], $email, $page );
    $answers[] = $answer;
    if ( $answer['done'] ) { break; }
}
return $answers;
"""


@pytest.fixture
def person(wordpress: SiteUnderTest) -> Iterator[dict[str, Any]]:
    """Two inquiries sent by one person (email in another case the second time), a note about
    the first, and an inquiry by somebody else; whatever is left is deleted after the test."""
    token = uuid.uuid4().hex[:10]
    email = f"priv{token}@example.com"
    ids = []
    for number, address in enumerate((email, email.upper())):
        body = {
            "first_name": f"Priv{token}",
            "last_name": f"Person{number}",
            "email": address,
            "message": f"Message {number} of priv{token}",
            "consent": True,
        }
        with wordpress.source_session() as session:
            response = session.post(
                f"{wordpress.rest}clinicdesk/v1/consultation", json=body, timeout=30
            )
        assert response.status_code == 201, response.text
        ids.append(int(response.json()["id"]))
    with wordpress.source_session() as session:
        other = session.post(
            f"{wordpress.rest}clinicdesk/v1/consultation",
            json={"first_name": "Other", "email": f"other{token}@example.com", "consent": True},
            timeout=30,
        )
    assert other.status_code == 201
    note = requests.post(
        f"{wordpress.rest}clinicdesk/v1/notes",
        json={"inquiry": ids[0], "kind": "note", "content": f"Called priv{token} back"},
        auth=wordpress.auth("intake"),
        timeout=30,
    )
    assert note.status_code == 201, note.text
    yield {
        "email": email,
        "token": token,
        "ids": ids,
        "other": int(other.json()["id"]),
        "note": int(note.json()["id"]),
    }
    for inquiry_id in [*ids, int(other.json()["id"])]:
        requests.delete(
            f"{wordpress.rest}wp/v2/inquiries/{inquiry_id}",
            params={"force": "true"},
            auth=wordpress.auth("administrator"),
            timeout=30,
        )


def _get(site: SiteUnderTest, route: str, **params: Any) -> requests.Response:
    return requests.get(
        f"{site.rest}{route}", params=params, auth=site.auth("administrator"), timeout=30
    )


def test_the_exporter_gives_every_inquiry_and_note_of_the_address(
    wordpress: SiteUnderTest, person: dict[str, Any]
) -> None:
    export = run_php(wordpress, EXPORT, {"email": person["email"]})
    assert export["name"] == "ClinicDesk consultation inquiries"
    items = {item["item_id"]: item for item in export["data"]}
    assert set(items) == {
        *(f"clinicdesk-inquiry-{i}" for i in person["ids"]),
        f"clinicdesk-note-{person['note']}",
    }
    first = {d["name"]: d["value"] for d in items[f"clinicdesk-inquiry-{person['ids'][0]}"]["data"]}
    assert first["Message"] == f"Message 0 of priv{person['token']}"
    assert first["Email"] == person["email"]
    assert first["Consent given"] == "Yes"
    note = {d["name"]: d["value"] for d in items[f"clinicdesk-note-{person['note']}"]["data"]}
    assert note["Note"] == f"Called priv{person['token']} back"
    assert person["token"] not in str(run_php(wordpress, EXPORT, {"email": "x@example.com"}))


def test_the_eraser_deletes_the_inquiries_and_their_notes(
    wordpress: SiteUnderTest, person: dict[str, Any]
) -> None:
    answers = run_php(wordpress, ERASE, {"email": person["email"], "keep": False})
    assert answers[-1]["done"] is True
    assert any(a["items_removed"] for a in answers)
    assert not any(a["items_retained"] for a in answers)
    for inquiry_id in person["ids"]:
        assert _get(wordpress, f"wp/v2/inquiries/{inquiry_id}").status_code == 404
    notes = _get(wordpress, "clinicdesk/v1/notes", inquiry=person["ids"][0]).json()
    assert notes == []
    assert _get(wordpress, f"wp/v2/inquiries/{person['other']}").status_code == 200
    assert run_php(wordpress, EXPORT, {"email": person["email"]})["data"] == []


def test_where_records_must_be_kept_the_eraser_anonymises(
    wordpress: SiteUnderTest, person: dict[str, Any]
) -> None:
    answers = run_php(wordpress, ERASE, {"email": person["email"], "keep": True})
    assert any(a["items_retained"] for a in answers)
    assert any(a["messages"] for a in answers)
    for inquiry_id in person["ids"]:
        kept = _get(wordpress, f"wp/v2/inquiries/{inquiry_id}", context="edit")
        assert kept.status_code == 200
        record = kept.json()
        assert person["token"] not in str(record).lower()
        assert record["meta"]["triage_status"] == "new"
        assert record["meta"]["received_gmt"]
    notes = _get(wordpress, "clinicdesk/v1/notes", inquiry=person["ids"][0]).json()
    assert [n["kind"] for n in notes] == ["note"]
    assert person["token"] not in notes[0]["content"]
    assert run_php(wordpress, EXPORT, {"email": person["email"]})["data"] == []


def test_the_privacy_policy_guide_has_the_plugins_text(wordpress: SiteUnderTest) -> None:
    text = run_php(
        wordpress,
        # wp_add_privacy_policy_content() works only in wp-admin, from admin_init on.
        "require_once ABSPATH . 'wp-admin/includes/class-wp-screen.php';"
        " require_once ABSPATH . 'wp-admin/includes/screen.php';"
        " $GLOBALS['current_screen'] = WP_Screen::get( 'options-privacy' );"
        " require_once ABSPATH . 'wp-admin/includes/class-wp-privacy-policy-content.php';"
        " do_action( 'admin_init' ); $out = array();"
        " foreach ( WP_Privacy_Policy_Content::get_suggested_policy_text() as $item ) {"
        " $out[ $item['plugin_name'] ] = $item['policy_text']; } return $out;",
    )
    assert "ClinicDesk" in text
    assert "consultation form" in text["ClinicDesk"]
