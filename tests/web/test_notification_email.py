"""The notification email (WordPress only: the reference site sends no email): caught by a
test-only must-use plugin that hooks ``pre_wp_mail`` and writes each mail to a file, it reaches
the chosen recipients and holds no field of the submission."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fixtures.site import SiteUnderTest
from tests.fixtures.webform import delete_inquiries, find_inquiries

pytestmark = pytest.mark.contract

MU_PLUGINS = Path("/var/lib/wordpress/wp-content/mu-plugins")
SINK_PHP = """<?php
// Test-only mail sink (tests/web/test_notification_email.py): removed after the test.
add_filter(
	'pre_wp_mail',
	static function ( $short_circuit, $atts ) {
		file_put_contents( %s, wp_json_encode( $atts ) . "\\n", FILE_APPEND | LOCK_EX );
		return true;
	},
	10,
	2
);
"""


@pytest.fixture
def mail_sink(site: SiteUnderTest, tmp_path: Path) -> Iterator[Path]:
    """Where the site's mail goes during the test (one JSON object per line)."""
    if site.kind != "wordpress":
        pytest.skip("the reference site sends no email (no notification to catch)")
    outbox = tmp_path / "outbox.jsonl"
    outbox.touch()
    outbox.chmod(0o666)
    plugin = MU_PLUGINS / f"clinicdesk-test-mail-sink-{uuid.uuid4().hex[:8]}.php"
    plugin.write_text(SINK_PHP % json.dumps(str(outbox)), encoding="utf-8")
    try:
        yield outbox
    finally:
        plugin.unlink(missing_ok=True)


def _settings(site: SiteUnderTest, **values: Any) -> dict[str, Any]:
    with requests.Session() as session:
        session.trust_env = False
        if values:
            response = session.post(
                site.rest + "wp/v2/settings",
                json=values,
                auth=site.auth("administrator"),
                timeout=30,
            )
        else:
            response = session.get(
                site.rest + "wp/v2/settings", auth=site.auth("administrator"), timeout=30
            )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_clinic_is_told_a_request_arrived_and_nothing_about_it(
    site: SiteUnderTest, mail_sink: Path
) -> None:
    before = _settings(site)["clinicdesk_notify_recipients"]
    token = uuid.uuid4().hex[:10]
    box = uuid.uuid4().hex[:6]
    recipients = [f"intake-{box}@clinic.example", f"director-{box}@clinic.example"]
    _settings(site, clinicdesk_notify_recipients="\n".join(recipients))
    answers = {
        "first_name": f"Quinn{token}",
        "last_name": f"Mailtest{token}",
        "email": f"quinn.{token}@example.com",
        "phone": "512-555-0177",
        "preferred_contact": "text",
        "state": "NM",
        "insurance": f"Insurer{token}",
        "reason": f"Reason{token}",
        "message": f"I want to kill myself {token}",
        "consent": True,
    }
    try:
        with site.source_session() as session:
            response = session.post(
                site.rest + "clinicdesk/v1/consultation", json=answers, timeout=30
            )
        assert response.status_code == 201, response.text
        mails = [json.loads(line) for line in mail_sink.read_text().splitlines()]
        assert len(mails) == 1
        mail = mails[0]
        to = mail["to"] if isinstance(mail["to"], list) else [mail["to"]]
        assert sorted(to) == sorted(recipients)
        assert "Open ClinicDesk to read it" in mail["message"]
        # Everything but the recipients: subject, message, headers, attachments.
        everything = json.dumps({k: v for k, v in mail.items() if k != "to"}).lower()
        for name, value in answers.items():
            if isinstance(value, str) and name != "preferred_contact":
                assert value.lower() not in everything, f"the email holds the {name}"
        for word in (token, "quinn", "mailtest", "kill", "urgent", "crisis", "new mexico"):
            assert word not in everything, word
    finally:
        _settings(site, clinicdesk_notify_recipients=before)
        delete_inquiries(site, find_inquiries(site, answers["last_name"]))
