"""The plugin as a clinic's IT person installs and runs it, on a real WordPress.

The harness installs ``clinicdesk.zip`` as a regular plugin and activates it with WordPress's
``activate_plugin()``. These tests check what only a real WordPress shows: the plugin's place,
capabilities that an administrator changes and the plugin leaves alone, one migration per schema
change, the post-type index, and no autosave routes. Against the reference site they skip.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests

from tests.fixtures.site import SiteUnderTest
from tests.fixtures.wordpress_php import run_php

CAPS = ("clinicdesk_manage_inquiries", "clinicdesk_delete_inquiries")


def _editor_caps(site: SiteUnderTest) -> dict[str, bool]:
    result = run_php(
        site,
        "$role = get_role( 'editor' );"
        " return array_map( static fn( $c ) => $role->has_cap( $c ), $clinicdesk_data );",
        list(CAPS),
    )
    return dict(zip(CAPS, result, strict=True))


@pytest.fixture
def editor_caps_restored(wordpress: SiteUnderTest) -> Iterator[None]:
    """Gives the editor role its inquiry capabilities back after the test."""
    yield
    run_php(
        wordpress,
        "foreach ( $clinicdesk_data as $c ) { get_role( 'editor' )->add_cap( $c ); }"
        " update_option( 'clinicdesk_editors_handle_inquiries', true ); return true;",
        list(CAPS),
    )


def _inquiries(site: SiteUnderTest, role: str) -> int:
    return requests.get(f"{site.rest}wp/v2/inquiries", auth=site.auth(role), timeout=30).status_code


def test_the_plugin_is_a_regular_active_plugin_and_no_must_use_copy(
    wordpress: SiteUnderTest,
) -> None:
    state = run_php(
        wordpress,
        "global $wpdb; $notes = $wpdb->prefix . 'clinicdesk_notes'; return array("
        " 'active' => is_plugin_active( 'clinicdesk/clinicdesk.php' ),"
        " 'mu' => array_keys( get_mu_plugins() ),"
        " 'data' => get_plugin_data( WP_PLUGIN_DIR . '/clinicdesk/clinicdesk.php', false, false ),"
        " 'schema' => (int) get_option( 'clinicdesk_schema_version' ),"
        " 'notes' => $wpdb->get_var( \"SHOW TABLES LIKE '{$notes}'\" ),"
        ");",
    )
    assert state["active"] is True
    assert not [name for name in state["mu"] if "clinicdesk" in name]
    assert state["data"]["Name"] == "ClinicDesk"
    assert state["data"]["TextDomain"] == "clinicdesk"
    assert state["schema"] == 2
    assert state["notes"] == "wp_clinicdesk_notes"


def test_an_administrators_removal_of_the_editor_capability_holds(
    wordpress: SiteUnderTest, editor_caps_restored: None
) -> None:
    assert _inquiries(wordpress, "editor") == 200
    # What a role editor plugin does: change the role in the database.
    run_php(
        wordpress,
        "foreach ( $clinicdesk_data as $c ) { get_role( 'editor' )->remove_cap( $c ); }"
        " return true;",
        list(CAPS),
    )
    for _ in range(3):
        assert _inquiries(wordpress, "editor") == 403
    assert _editor_caps(wordpress) == dict.fromkeys(CAPS, False)
    assert _inquiries(wordpress, "intake") == 200


def test_the_editors_setting_takes_inquiries_away_and_gives_them_back(
    wordpress: SiteUnderTest, editor_caps_restored: None
) -> None:
    settings = f"{wordpress.rest}wp/v2/settings"
    admin = wordpress.auth("administrator")
    assert requests.get(settings, auth=admin, timeout=30).json()[
        "clinicdesk_editors_handle_inquiries"
    ]
    off = requests.post(
        settings, json={"clinicdesk_editors_handle_inquiries": False}, auth=admin, timeout=30
    )
    assert off.status_code == 200, off.text
    assert _inquiries(wordpress, "editor") == 403
    on = requests.post(
        settings, json={"clinicdesk_editors_handle_inquiries": True}, auth=admin, timeout=30
    )
    assert on.status_code == 200, on.text
    assert _inquiries(wordpress, "editor") == 200
    # Nobody but an administrator may change it (WordPress's manage_options).
    denied = requests.post(
        settings,
        json={"clinicdesk_editors_handle_inquiries": False},
        auth=wordpress.auth("editor"),
        timeout=30,
    )
    assert denied.status_code == 403


def test_a_schema_upgrade_runs_once_and_gives_back_no_capability(
    wordpress: SiteUnderTest, editor_caps_restored: None
) -> None:
    # The site as version 1.0 left it (no rate-limit table), after an administrator took
    # inquiries away from editors; then the new files arrive and requests come in at once.
    run_php(
        wordpress,
        "global $wpdb;"
        ' $wpdb->query( "DROP TABLE IF EXISTS {$wpdb->prefix}clinicdesk_rate" );'
        " foreach ( $clinicdesk_data as $c ) { get_role( 'editor' )->remove_cap( $c ); }"
        " update_option( 'clinicdesk_schema_version', '1' );"
        " update_option( 'clinicdesk_schema_history', array() );"
        " return true;",
        list(CAPS),
    )
    barrier = threading.Barrier(6)
    answers: list[int] = []

    def request() -> None:
        barrier.wait()
        answers.append(requests.get(f"{wordpress.rest}", timeout=60).status_code)

    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for _ in range(3):
        assert _inquiries(wordpress, "intake") == 200
    assert answers == [200] * 6
    state = run_php(
        wordpress,
        "global $wpdb; return array("
        " 'schema' => (int) get_option( 'clinicdesk_schema_version' ),"
        " 'history' => get_option( 'clinicdesk_schema_history' ),"
        " 'table' => $wpdb->get_var( \"SHOW TABLES LIKE '{$wpdb->prefix}clinicdesk_rate'\" ),"
        " 'lock' => get_option( 'clinicdesk_upgrade_lock' ),"
        ");",
    )
    assert state["schema"] == 2
    assert [(h["from"], h["to"]) for h in state["history"]] == [(1, 2)]
    assert state["table"] == "wp_clinicdesk_rate"
    assert state["lock"] is False
    assert _editor_caps(wordpress) == dict.fromkeys(CAPS, False)
    assert _inquiries(wordpress, "editor") == 403


@pytest.mark.parametrize("role", [None, "author", "contributor"])
def test_the_types_index_shows_the_inquiry_type_to_staff_only(
    wordpress: SiteUnderTest, role: str | None
) -> None:
    auth = wordpress.auth(role) if role else None
    index = requests.get(f"{wordpress.rest}wp/v2/types", auth=auth, timeout=30)
    assert index.status_code == 200
    assert "clinicdesk_inquiry" not in index.json()
    assert "post" in index.json()
    one = requests.get(f"{wordpress.rest}wp/v2/types/clinicdesk_inquiry", auth=auth, timeout=30)
    assert one.status_code == (401 if role is None else 403)
    staff = requests.get(
        f"{wordpress.rest}wp/v2/types", auth=wordpress.auth("intake"), timeout=30
    ).json()
    assert staff["clinicdesk_inquiry"]["rest_base"] == "inquiries"


def test_inquiries_have_no_autosaves_or_revisions(wordpress: SiteUnderTest) -> None:
    admin = wordpress.auth("administrator")
    listed = requests.get(
        f"{wordpress.rest}wp/v2/inquiries", auth=admin, params={"per_page": 1}, timeout=30
    )
    inquiry_id = listed.json()[0]["id"]
    for path in ("autosaves", "revisions"):
        response = requests.post(
            f"{wordpress.rest}wp/v2/inquiries/{inquiry_id}/{path}",
            json={"meta": {"message": "changed"}},
            auth=admin,
            timeout=30,
        )
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "rest_no_route"
    routes = requests.get(f"{wordpress.rest}", timeout=30).json()["routes"]
    assert not [r for r in routes if r.startswith("/wp/v2/inquiries/") and "auto" in r]
