"""The log file: rotating, private, and redacted whatever a caller lets slip. No Qt."""

from __future__ import annotations

import logging
import os
import stat

from clinicdesk.session.accounts import DataDir
from clinicdesk.session.logs import REDACTED, configure_logging, redact


def test_secret_shaped_text_is_redacted() -> None:
    cases = {
        "headers {'Authorization': 'Basic ZGVtbzphYmNkIGVmZ2g='}": "ZGVtbzphYmNkIGVmZ2g",
        "Authorization: Bearer abc.def.ghi": "abc.def.ghi",
        "password abcd EFGH ijkl mnop qrst uv12 refused": "abcd EFGH ijkl mnop qrst uv12",
        "pw=abcdEFGHijklmnopqrstuv12": "abcdEFGHijklmnopqrstuv12",
        "PRAGMA key=\"x'" + "ab" * 32 + "'\"": "ab" * 32,
        "cache key " + "0f" * 32: "0f" * 32,
        "inquiry from jane.doe+clinic@example.org": "jane.doe+clinic@example.org",
        "app_password='s3cret!'": "s3cret!",
    }
    for text, secret in cases.items():
        cleaned = redact(text)
        assert secret not in cleaned, text
        assert REDACTED in cleaned


def test_ordinary_text_is_left_alone() -> None:
    text = "sync ok: pulled 155, pushed 2 in 0.76 s (GET /wp-json/wp/v2/posts 200)"
    assert redact(text) == text


def test_the_log_file_is_private_and_redacts_registered_secrets_and_tracebacks(
    data: DataDir,
) -> None:
    setup = configure_logging(data.log_file)
    try:
        setup.redaction.add_secret("Tr0ub4dor&3")
        logger = logging.getLogger("clinicdesk.test")
        logger.warning("user typed %s", "Tr0ub4dor&3")
        try:
            raise ValueError("while sending Tr0ub4dor&3 for jane@example.org")
        except ValueError:
            logger.exception("failed")
    finally:
        setup.close()
    text = data.log_file.read_text()
    assert "user typed [redacted]" in text
    assert "ValueError" in text, "the traceback is kept"
    assert "Tr0ub4dor&3" not in text
    assert "jane@example.org" not in text
    if os.name == "posix":
        assert stat.S_IMODE(data.log_file.stat().st_mode) == 0o600
