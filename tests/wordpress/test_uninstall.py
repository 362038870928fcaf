"""Deleting the plugin through WordPress's own uninstall path (``uninstall_plugin()``).

The plugin's settings, transients, rate table, role and capabilities always go. Inquiries and
their notes stay unless the administrator turned on "Delete all inquiry data when the plugin is
deleted": then no row anywhere in the database mentions the person any more. Each test puts the
whole database back afterwards (the site is shared with the other tests).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tests.fixtures.site import SiteUnderTest
from tests.fixtures.wordpress_php import database_snapshot, run_php

UNINSTALL = """
deactivate_plugins( 'clinicdesk/clinicdesk.php' );
uninstall_plugin( 'clinicdesk/clinicdesk.php' );
return true;
"""

STATE = """
global $wpdb;
$options = $wpdb->get_col(
    "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE '%clinicdesk%'"
);
$caps = array();
foreach ( wp_roles()->role_objects as $name => $role ) {
    foreach ( array( 'clinicdesk_manage_inquiries', 'clinicdesk_delete_inquiries' ) as $cap ) {
        if ( $role->has_cap( $cap ) ) { $caps[] = "$name:$cap"; }
    }
}
return array(
    'options' => $options,
    'role' => null !== get_role( 'clinicdesk_intake' ),
    'caps' => $caps,
    'tables' => $wpdb->get_col( "SHOW TABLES LIKE '{$wpdb->prefix}clinicdesk%'" ),
    'inquiries' => (int) $wpdb->get_var(
        "SELECT COUNT(*) FROM {$wpdb->posts} WHERE post_type = 'clinicdesk_inquiry'"
    ),
);
"""


#: Stores every registered ClinicDesk setting that is not stored yet (with its default), as if
#: an administrator had saved each one: uninstall.php names the options it deletes one by one
#: (the plugin is not loaded there), and a setting it forgot would otherwise go unnoticed while
#: nobody had saved it. Answers the settings' names.
SAVE_EVERY_SETTING = """
global $wpdb;
$names = array();
foreach ( get_registered_settings() as $name => $args ) {
    if ( 0 !== strpos( $name, 'clinicdesk_' ) ) { continue; }
    $names[] = $name;
    $wpdb->query( $wpdb->prepare(
        "INSERT IGNORE INTO {$wpdb->options} (option_name, option_value, autoload)"
        . " VALUES (%s, %s, 'yes')",
        $name,
        maybe_serialize( $args['default'] ?? '' )
    ) );
}
wp_cache_flush();
return $names;
"""


@pytest.fixture
def snapshot(wordpress: SiteUnderTest) -> Iterator[Callable[[], str]]:
    """The database is put back as it was after the test; yields a dump function."""
    with database_snapshot() as dump:
        yield dump


def _person(site: SiteUnderTest) -> dict[str, Any]:
    """An inquiry with a unique name and address, and a note about it."""
    token = "Unin" + uuid.uuid4().hex[:12]
    body = {
        "first_name": token,
        "last_name": "Person",
        "email": f"{token.lower()}@example.com",
        "phone": "512-555-0142",
        "message": f"Please call {token}",
        "consent": True,
    }
    with site.source_session() as session:
        sent = session.post(f"{site.rest}clinicdesk/v1/consultation", json=body, timeout=30)
    assert sent.status_code == 201, sent.text
    inquiry_id = int(sent.json()["id"])
    note = requests.post(
        f"{site.rest}clinicdesk/v1/notes",
        json={"inquiry": inquiry_id, "kind": "note", "content": f"Left {token} a message"},
        auth=site.auth("intake"),
        timeout=30,
    )
    assert note.status_code == 201, note.text
    return {"token": token, "id": inquiry_id}


def _set_delete_data(site: SiteUnderTest, value: bool) -> None:
    response = requests.post(
        f"{site.rest}wp/v2/settings",
        json={"clinicdesk_delete_data_on_uninstall": value},
        auth=site.auth("administrator"),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.json()["clinicdesk_delete_data_on_uninstall"] is value


def test_uninstall_keeps_inquiries_by_default_and_removes_the_rest(
    wordpress: SiteUnderTest, snapshot: Callable[[], str]
) -> None:
    person = _person(wordpress)
    settings = run_php(wordpress, SAVE_EVERY_SETTING)
    assert "clinicdesk_delete_data_on_uninstall" in settings
    before = run_php(wordpress, STATE)
    assert before["role"] and before["caps"]
    assert set(settings) <= set(before["options"])
    run_php(wordpress, UNINSTALL)
    after = run_php(wordpress, STATE)
    assert after["options"] == []
    assert after["role"] is False
    assert after["caps"] == []
    assert after["tables"] == ["wp_clinicdesk_notes"]
    assert after["inquiries"] == before["inquiries"]
    dump = snapshot()
    assert f"Please call {person['token']}" in dump
    assert f"Left {person['token']} a message" in dump


def test_uninstall_with_the_setting_on_leaves_no_trace_of_the_person(
    wordpress: SiteUnderTest, snapshot: Callable[[], str]
) -> None:
    person = _person(wordpress)
    _set_delete_data(wordpress, True)
    assert person["token"] in snapshot()
    run_php(wordpress, UNINSTALL)
    after = run_php(wordpress, STATE)
    assert after == {"options": [], "role": False, "caps": [], "tables": [], "inquiries": 0}
    dump = snapshot()
    assert person["token"] not in dump
    assert person["token"].lower() not in dump
    assert "clinicdesk_inquiry" not in dump
